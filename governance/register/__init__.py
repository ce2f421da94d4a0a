"""Share register (Mitgliederliste, §30 GenG): members, share ledger, eligibility."""
