"""Run every benchmark (or those whose name contains an argument): python -m bench [name ...]."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path


def modules(filters: list[str]) -> list[str]:
    """Names of the bench_*.py modules beside this file, filtered by substring."""
    names = sorted(p.stem for p in Path(__file__).parent.glob("bench_*.py"))
    return [n for n in names if not filters or any(f in n for f in filters)]


def run(filters: list[str]) -> int:
    """Run the chosen benchmarks; the exit status is non-zero if one fails."""
    failed = 0
    for name in modules(filters):
        print(f"== {name}", flush=True)
        try:
            importlib.import_module(f"bench.{name}").main()
        except Exception as exc:  # report and go on with the next benchmark
            failed += 1
            print(f"{name} failed: {type(exc).__name__}: {exc}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(run(sys.argv[1:]))
