"""Assemblies: convening, agenda, attendance, mandates (proxies), the frozen voter roll."""

from governance.assemblies import (
    labels,  # noqa: F401  (the enums' words for |label)
    provides,  # noqa: F401  (answers the accounts' questions)
)
