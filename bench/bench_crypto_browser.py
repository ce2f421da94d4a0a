"""Encrypt + prove in Chromium (coopvote.js): a motion and an election of 10 candidates.

The app runs under gunicorn (SQLite); Debian's Chromium loads governance/static/js/coopvote.js
from it, under its CSP, exactly as a voter's page does. The page first runs a 2-of-3 key
ceremony (round 1, shares, key files: the tellers' cost) for a real poll key, then times
encrypt + prove (every ciphertext, every 0/1 proof, the sum proofs, the tracker):
- on the page's thread, after Y's table is built once (`prepareKey`);
- through the module worker coopvote-worker.js (what the voting page uses: message round trip
  included);
- on the page's thread with Chromium's CPU slowed 4× (DevTools throttling), as a phone.
Also the time to check a ballot in the browser and to build Y's table once, and a teller
page's work: the sums of BENCH_CRYPTO_SUMS (300) sealed motion ballots with every point checked,
then a partial decryption with its proofs.
Targets (../shared/design/encrypted-ballots.md): motion < 100 ms, 10 candidates yes/no/abstain
< 500 ms on this machine's Chromium. A shared machine varies: the figures say min and median.

Run: .venv/bin/python -m bench crypto_browser     (BENCH_CRYPTO_RUNS: motion runs, default 30)
"""

from __future__ import annotations

import os
import secrets
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.ballots_load import start_server, stop_server
from bench.bench_ballots import open_db

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"]  # fmt: skip
TARGETS = {"motion": 100.0, "10 candidates": 500.0}
SUMS = int(os.environ.get("BENCH_CRYPTO_SUMS", "300"))

# Runs in the page: a ceremony for the key, then timed encryptions. Returns the times in ms.
MEASURE = """async ({runs, worker, sums}) => {
  const cv = await import('/static/js/coopvote.js');
  const now = () => performance.now();
  const t0 = now();
  const entries = {}, secrets = {}, boxes = [], keys = {};
  for (const i of [1, 2, 3]) ({entry: entries[i], secret: secrets[i]} = cv.round1('bench', i, 2));
  for (const i of [1, 2, 3]) boxes.push(...cv.makeShares('bench', secrets[i], i, entries));
  for (const j of [1, 2, 3]) {
    keys[j] = cv.openShares('bench', secrets[j], j, 2, entries, boxes.filter((b) => b.to === j));
  }
  const ceremony = now() - t0;
  const base = {ceremony: 'bench', Y: keys[1].Y, assembly: 'a', poll: 'p'};
  const kinds = {
    'motion': [cv.definition('MOTION'), [[1, 0, 0]], runs],
    '10 candidates': [cv.definition('YES_NO_ABSTAIN_PER_CANDIDATE', 10),
                      Array.from({length: 10}, (_, q) => [0, 1, 2].map((o) => (o === q % 3 ? 1 : 0))),
                      Math.max(3, Math.ceil(runs / 3))],
  };
  const out = {ceremony, kinds: {}};
  for (const [name, [definition, choices, n]] of Object.entries(kinds)) {
    const ctx = {...base, definition};
    let t = now();
    cv.prepareKey({...ctx, poll: 'other-' + name});  // a fresh context: H_poll and Y's table
    const prepare = now() - t;
    cv.encrypt(ctx, choices);  // warm-up (JIT)
    const times = [];
    let wire = null;
    for (let k = 0; k < n; k++) {
      t = now();
      wire = cv.encrypt(ctx, choices).wire;
      times.push(now() - t);
    }
    t = now();
    cv.checkBallot(ctx, wire);
    const check = now() - t;
    let viaWorker = [];
    if (worker) {
      const w = new Worker('/static/js/coopvote-worker.js', {type: 'module'});
      const ask = (msg) => new Promise((resolve, reject) => {
        w.onmessage = (e) => (e.data.error ? reject(new Error(e.data.error)) : resolve(e.data));
        w.postMessage(msg);
      });
      await ask({id: 0, ctx});
      await ask({id: 0, ctx, choices});
      for (let k = 0; k < n; k++) {
        t = now();
        await ask({id: k + 1, ctx, choices});
        viaWorker.push(now() - t);
      }
      w.terminate();
    }
    out.kinds[name] = {prepare, times, check, worker: viaWorker, bytes: wire.length};
  }
  // A teller's page: the sums of sealed motion ballots, every point checked, then its share.
  const ctx = {...base, definition: cv.definition('MOTION')};
  const wires = Array.from({length: sums}, (_, k) => cv.encrypt(ctx, [[k % 2, 1 - (k % 2), 0]]).wire);
  let t = now();
  const s = cv.ballotSums(ctx.definition, wires);
  out.sums = {ballots: sums, ms: now() - t};
  t = now();
  const d = cv.partialDecrypt(ctx, keys[1], s);
  cv.checkPartial(ctx, 1, keys[1].Y_j, s, d);
  out.sums.decrypt = now() - t;
  return out;
}"""


def measure(url: str, runs: int, throttle: float | None) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        try:
            page = browser.new_page()
            page.goto(url + "/login")
            if throttle:
                cdp = page.context.new_cdp_session(page)
                cdp.send("Emulation.setCPUThrottlingRate", {"rate": throttle})
            knobs = {"runs": runs, "worker": not throttle, "sums": SUMS}
            result: dict[str, Any] = page.evaluate(MEASURE, knobs)
            result["version"] = browser.version
            return result
        finally:
            browser.close()


def _ms(values: list[float]) -> str:
    if not values:
        return "-"
    return (
        f"min {min(values):6.1f}  median {statistics.median(values):6.1f}  max {max(values):6.1f}"
    )


def report(label: str, result: dict[str, Any], verdict: bool) -> None:
    print(f"-- {label}: key ceremony 2 of 3 (all three tellers) {result['ceremony']:.0f} ms")
    for name, m in result["kinds"].items():
        print(f"{name:>14}: encrypt+prove ms  {_ms(m['times'])}  (n={len(m['times'])})")
        if m["worker"]:
            print(f"{'':>14}  via the worker ms {_ms(m['worker'])}")
        print(
            f"{'':>14}  prepareKey {m['prepare']:.0f} ms (Y's table on the key's first use), check in the browser "
            f"{m['check']:.0f} ms, wire {m['bytes']} bytes"
        )
        if verdict:
            goal = TARGETS[name]
            median = statistics.median(m["times"])
            met = "met" if median < goal else "NOT met"
            print(f"{'':>14}  target < {goal:.0f} ms: {met} (median {median:.1f} ms)")
    sums = result["sums"]
    per = sums["ms"] / sums["ballots"]
    print(
        f"{'teller page':>14}: sums of {sums['ballots']} motion ballots {sums['ms']:.0f} ms "
        f"({per:.2f} ms a ballot, ≈ {per * 10:.0f} s for 10,000), partial decryption with "
        f"proofs + its check {sums['decrypt']:.0f} ms"
    )


def main() -> None:
    if not os.path.exists(CHROMIUM):
        print("Debian's chromium is not installed (tools/ensure-chromium.sh): nothing measured")
        return
    runs = int(os.environ.get("BENCH_CRYPTO_RUNS", "30"))
    print(f"CPUs: {os.cpu_count()}, load average: {os.getloadavg()[0]:.1f}")
    with tempfile.TemporaryDirectory() as tmp:
        db_url, cleanup = open_db("sqlite", Path(tmp), prefix="crypto")
        proc, port = start_server("wsgi:app", db_url, 1, "bench-" + secrets.token_hex(8))
        try:
            url = f"http://127.0.0.1:{port}"
            started = time.perf_counter()
            result = measure(url, runs, None)
            print(f"Chromium {result['version']}")
            report("this machine", result, verdict=True)
            report("CPU throttled 4× (a phone)", measure(url, max(5, runs // 3), 4.0), False)
            print(f"({time.perf_counter() - started:.0f} s in all)")
        finally:
            stop_server(proc)
            cleanup()


if __name__ == "__main__":
    main()
