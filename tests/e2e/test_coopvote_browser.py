"""coopvote.js in Debian's Chromium, loaded from the app's static URL so that its CSP applies.

- the module and its Web Worker load under `script-src 'self'` (no eval, no wasm) and encrypt;
- the known-answer vectors (tests/crypto/vectors/browser-v1.json) are what Chromium makes from
  their seed, byte for byte (`COOPVOTE_WRITE_VECTORS=1` writes the file instead: review the
  diff; Python checks every value of it in test_vectors.py, Node makes the same bytes).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from governance import coopvote as cv

pytestmark = pytest.mark.e2e
HERE = Path(__file__).resolve().parents[1] / "crypto"
VECTORS = HERE / "vectors" / "browser-v1.json"
SEED = "coopvote/v1 known answers"
# The crypto touches no database: one backend is enough.
sqlite_only = pytest.mark.parametrize("database", ["sqlite"], indirect=True)


@pytest.fixture
def page(live_server: Any, browser: Any) -> Any:
    """A page of the app (its CSP in force) with coopvote.js imported as `window.cv`."""
    page = browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(live_server.url + "/login")
    page.evaluate(
        """async () => {
            window.cv = await import('/static/js/coopvote.js');
            window.noble = await import('/static/vendor/noble-ed25519.js');
        }"""
    )
    yield page
    page.close()
    assert errors == []


@sqlite_only
def test_module_loads_under_the_csp_and_round_trips(page: Any) -> None:
    # The page's CSP is in force: an inline script and a module from elsewhere do not run.
    blocked = page.evaluate(
        """async () => {
            const s = document.createElement('script');
            s.textContent = 'window.inlineRan = true';
            document.head.appendChild(s);
            let imported = true;
            try { await import('data:text/javascript,export default 1'); }
            catch (e) { imported = false; }
            return {inline: window.inlineRan === true, imported};
        }"""
    )
    assert blocked == {"inline": False, "imported": False}
    out = page.evaluate(
        """() => {
            const ctx = {ceremony: 'c', Y: window.noble.ed25519.Point.BASE.multiply(77n).toHex(),
                         assembly: 'a', poll: 'p', definition: cv.definition('MOTION')};
            const a = cv.encrypt(ctx, [[1, 0, 0]]), b = cv.encrypt(ctx, [[1, 0, 0]]);
            return {same: a.wire === b.wire, tracker: cv.checkBallot(ctx, a.wire).tracker === a.tracker};
        }"""
    )
    assert out == {"same": False, "tracker": True}


@sqlite_only
def test_worker_encrypts_off_the_page(page: Any) -> None:
    out = page.evaluate(
        """() => new Promise((resolve) => {
            const ctx = {ceremony: 'c', Y: window.noble.ed25519.Point.BASE.multiply(99n).toHex(),
                         assembly: 'a', poll: 'p',
                         definition: cv.definition('YES_NO_ABSTAIN_PER_CANDIDATE', 2)};
            const worker = new Worker('/static/js/coopvote-worker.js', {type: 'module'});
            const answers = [];
            worker.onerror = (e) => resolve({error: String(e.message)});
            worker.onmessage = (e) => {
                answers.push(e.data);
                if (answers.length === 5) {
                    const [ready, ballot, bad, sums, badSums] = answers;
                    const here = cv.ballotSums(ctx.definition, [ballot.wire]);
                    resolve({ready: ready.ready, id: ballot.id,
                             checks: cv.checkBallot(ctx, ballot.wire).tracker === ballot.tracker,
                             bad: bad.error, ctx, ballot,
                             sums: JSON.stringify(sums.sums) === JSON.stringify(here),
                             badSums: badSums.error});
                }
            };
            worker.postMessage({id: 1, ctx});
            worker.postMessage({id: 2, ctx, choices: [[0, 1, 0], [0, 0, 1]]});
            worker.postMessage({id: 3, ctx, choices: [[1, 1, 0], [0, 0, 1]]});
            worker.onmessage = ((next) => (e) => {
                next(e);
                if (e.data.id === 2) {
                    worker.postMessage({id: 4, op: 'sums', definition: ctx.definition,
                                        wires: [e.data.wire]});
                    worker.postMessage({id: 5, op: 'sums', definition: ctx.definition,
                                        wires: [e.data.wire, e.data.wire]});
                }
            })(worker.onmessage);
        })"""
    )
    ballot, ctx = out.pop("ballot"), out.pop("ctx")
    assert out == {
        "ready": True,
        "id": 2,
        "checks": True,
        "bad": "coopvote: choices outside the allowed range",
        "sums": True,
        "badSums": "sums: ballot 1 repeats an α",
    }
    # A ballot Chromium made with crypto.getRandomValues checks in Python, as the server will.
    key = cv.PollKey(ctx["ceremony"], ctx["Y"], ctx["assembly"], ctx["poll"], ctx["definition"])
    assert cv.check_ballot(key, ballot["wire"]).tracker == ballot["tracker"]
    assert cv.check_audit_file(ballot["auditFile"], key).tracker == ballot["tracker"]
    assert ballot["choices"] == [[0, 1, 0], [0, 0, 1]]


@sqlite_only
def test_known_answer_vectors_are_what_chromium_makes(page: Any) -> None:
    source = (HERE / "js" / "vectors.js").read_text()
    made = page.evaluate(
        f"""(seed) => {{
            {source}
            return makeVectors(window.cv, window.noble.sha512, seed);
        }}""",
        SEED,
    )
    if os.environ.get("COOPVOTE_WRITE_VECTORS") == "1":
        VECTORS.parent.mkdir(exist_ok=True)
        VECTORS.write_text(json.dumps(made, indent=1, ensure_ascii=False) + "\n")
    assert made == json.loads(VECTORS.read_text())
