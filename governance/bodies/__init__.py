"""The cooperative's bodies (Organe): board, supervisory board, committees, their seats."""

from governance.bodies import (
    labels,  # noqa: F401  (enum words)
    provides,  # noqa: F401  (answers the accounts' questions)
)
