"""Assemblies: convening, agenda, attendance, mandates (proxies), the frozen voter roll."""

from governance.assemblies import provides  # noqa: F401  (answers the accounts' questions)
