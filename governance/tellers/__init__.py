"""Tellers (Stimmzähler) and the key ceremony of an assembly's encrypted secret ballots.

See docs/coopvote.md (the bytes) and /work/shared/design/encrypted-ballots.md (what must
hold). The server only relays the ceremony: it stores public values and sealed boxes, and
checks every proof it can, but it never holds a key share.
"""

from governance.tellers import provides  # noqa: F401  (answers the assemblies' questions)
