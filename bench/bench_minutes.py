"""Render the minutes with 1,000 and 10,000 participants: time and peak memory.

Run: `.venv/bin/python -m bench minutes` (or `.venv/bin/python -m bench.bench_minutes [N ...]`).

Each measurement runs in a fresh child process, so its peak memory (ru_maxrss) is its own:
- baseline: the whole document laid out in one pass (what a naive renderer does);
- chunked: the app's renderer — main part in the process, the participation annex laid out in
  parallel chunks by one worker per CPU, merged with pypdf (governance/minutes/pdf.py).
Memory of the chunked run is the sum of the concurrent processes' peaks (the renderer plus
every worker), an upper bound of what it needs at once. The goal for 10,000 participants is
≤ 15 s and ≤ 600 MiB; the ratio says how the chunked renderer compares with the baseline
measured in the same run (the machine may be busy: compare ratios, not absolute times).
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SIZES = (1_000, 10_000)
GOAL_SECONDS, GOAL_MIB = 15.0, 600.0


def _child(mode: str, participants: int) -> dict[str, float]:
    """Render once in this process; report seconds, CPU seconds, pages and peak memory."""
    from governance import create_app
    from governance.minutes.pdf import render_minutes
    from governance.minutes.sample import sample_document

    app = create_app({"DATABASE_URL": "sqlite://", "SCHEMA_CHECK": False, "SECRET_KEY": "b" * 40})
    with app.app_context():
        doc = sample_document(participants)
        cpu0, start = time.process_time(), time.perf_counter()
        pdf = render_minutes(doc, chunked=(mode == "chunked"))
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu0
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {
        "seconds": seconds,
        "cpu_seconds": cpu,
        "pages": pdf.page_count,
        "bytes": len(pdf.data),
        "own_mib": own / 1024,
        "workers": len(pdf.worker_peak_kib),
        # Wall time on an idle machine: the renderer's own CPU plus the busiest worker's.
        "idle_estimate": cpu + max(pdf.worker_cpu_seconds, default=0.0),
        "worker_cpu": sum(pdf.worker_cpu_seconds),
        "total_mib": (own + sum(pdf.worker_peak_kib)) / 1024,
    }


def measure(mode: str, participants: int) -> dict[str, float]:
    """Run one measurement in a fresh Python process."""
    out = subprocess.run(
        [sys.executable, "-m", "bench.bench_minutes", "--child", mode, str(participants)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def _line(mode: str, n: int, m: dict[str, float]) -> str:
    return (
        f"{mode:>8} {n:>6} participants: {m['seconds']:5.1f} s wall "
        f"(idle-machine estimate {m['idle_estimate']:4.1f} s; CPU {m['cpu_seconds']:.1f} s "
        f"renderer + {m['worker_cpu']:.1f} s workers), {m['total_mib']:4.0f} MiB peak "
        f"({m['own_mib']:.0f} MiB renderer + {int(m['workers'])} workers), "
        f"{int(m['pages'])} pages, {m['bytes'] / 1024:.0f} KiB"
    )


def main(sizes: tuple[int, ...] = SIZES) -> None:
    """Measure baseline and chunked rendering for each size and print the comparison."""
    print(f"CPUs: {os.cpu_count()}, load average: {os.getloadavg()[0]:.1f}")
    for n in sizes:
        base, fast = measure("baseline", n), measure("chunked", n)
        print(_line("baseline", n, base))
        print(_line("chunked", n, fast))
        print(
            f"{'ratio':>8} {n:>6} participants: time ×{fast['seconds'] / base['seconds']:.2f}, "
            f"memory ×{fast['total_mib'] / base['own_mib']:.2f} (chunked / baseline)"
        )
        if n == 10_000:
            _verdict(fast)


def _verdict(m: dict[str, float]) -> None:
    memory = "met" if m["total_mib"] <= GOAL_MIB else "NOT met"
    wall = "met" if m["seconds"] <= GOAL_SECONDS else "NOT met"
    idle = "met" if m["idle_estimate"] <= GOAL_SECONDS else "NOT met"
    print(
        f"goal for 10,000 (≤ {GOAL_SECONDS:.0f} s, ≤ {GOAL_MIB:.0f} MiB): memory {memory}; "
        f"time {wall} as measured (load {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs), "
        f"{idle} as estimated for an idle machine"
    )


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        print(json.dumps(_child(sys.argv[2], int(sys.argv[3]))))
    else:
        main(tuple(int(a) for a in sys.argv[1:]) or SIZES)
