"""Share register (Mitgliederliste, §30 GenG): members, share ledger, eligibility.

Modules: models (Member, ShareTransaction; trigger DDL in ddl), rules (pure date, share
and eligibility rules), queries (one-statement reads: eligible_members, member_page, ...),
services (members, bookings, invitations), status (notice, death, transfer, liquidation,
expulsion), csv_* (all-or-nothing import, export), views / views_actions, commands, seed.
"""
