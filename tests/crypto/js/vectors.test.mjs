// The known-answer vectors made in Chromium (tests/crypto/vectors/browser-v1.json): Node makes the
// same bytes from the same seed, and checks every value in the file with coopvote.js.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { sha512 } from "../../../governance/static/vendor/noble-ed25519.js";
import { cv } from "./helpers.mjs";

const here = new URL(".", import.meta.url);
const source = readFileSync(new URL("vectors.js", here), "utf8");
const makeVectors = new Function(`${source}; return makeVectors;`)();
const file = JSON.parse(readFileSync(new URL("../vectors/browser-v1.json", here), "utf8"));

test("Node makes the vectors Chromium made, byte for byte", () => {
  assert.equal(JSON.stringify(makeVectors(cv, sha512, file.seed)), JSON.stringify(file));
});

test("every value of the vectors checks", () => {
  const c = file.ceremony;
  for (let i = 1; i <= c.n; i++) cv.checkRound1(c.id, i, c.t, c.entries[i]);
  assert.equal(cv.fingerprint(c.id, c.n, c.t, c.entries), c.fingerprint);
  assert.equal(cv.pollKey(c.entries), c.Y);
  for (const poll of file.polls) {
    for (const b of poll.ballots) {
      assert.equal(cv.checkBallot(poll.ctx, b.wire).tracker, b.tracker);
      assert.equal(cv.checkAuditFile(b.audit).tracker, b.tracker);
    }
    assert.deepEqual(
      cv.ballotSums(
        poll.ctx.definition,
        poll.ballots.map((b) => b.wire),
      ),
      poll.sums,
    );
    const ds = {};
    for (const j of [2, 3])
      ds[j] = cv.checkPartial(poll.ctx, j, c.keys[j].Y_j, poll.sums, poll.partials[j]);
    assert.deepEqual(cv.combine(poll.sums, ds, poll.ballots.length), poll.result);
  }
});
