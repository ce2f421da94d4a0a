"""Proposals (Anträge) and minority demands (§45 GenG)."""

from governance.proposals import provides  # noqa: F401  (answers the assemblies' questions)
