#!/usr/bin/env python3
"""Run the standalone bundle verifier from a checkout (see governance/audit/verify_bundle.py).

    python3 tools/verify_bundle.py [--arith nacl|pure] BUNDLE.json
    python3 tools/verify_bundle.py [--arith nacl|pure] audit CHECKFILE.json

The verifier and coopvote.py are the files an auditor downloads from the audit page; this
launcher puts coopvote.py beside the verifier on the import path so that nothing of the
application is imported. Without PyNaCl it uses coopvote's pure-Python arithmetic.
"""

from __future__ import annotations

import runpy
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent / "governance"

if __name__ == "__main__":
    sys.path.insert(0, str(HERE))  # coopvote.py
    sys.argv[0] = str(HERE / "audit" / "verify_bundle.py")
    runpy.run_path(sys.argv[0], run_name="__main__")
