// Checks values made by governance/coopvote.py (tests/crypto/test_python_to_js.py writes them to
// the JSON file named on the command line) with coopvote.js, and prints what it checked as JSON.
// Any failure throws: node exits non-zero with the message.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { cv } from "./helpers.mjs";

const data = JSON.parse(readFileSync(process.argv[2], "utf8"));
const c = data.ceremony;
const checked = {
  entries: 0,
  keyFiles: 0,
  ballots: 0,
  auditFiles: 0,
  partials: 0,
  results: [],
  refused: [],
};

for (let i = 1; i <= c.n; i++) {
  cv.checkRound1(c.id, i, c.t, c.entries[i]);
  checked.entries++;
}
assert.equal(cv.fingerprint(c.id, c.n, c.t, c.entries), c.fingerprint);
assert.equal(cv.pollKey(c.entries), c.Y);
assert.equal(cv.keyFingerprint(c.Y), c.key_fingerprint);
for (let j = 1; j <= c.n; j++) {
  const boxes = c.boxes.filter((b) => b.to === j);
  const keyFile = cv.openShares(c.id, c.secrets[j], j, c.t, c.entries, boxes);
  assert.equal(JSON.stringify(keyFile), JSON.stringify(c.keys[j]));
  assert.equal(cv.publicShare(c.entries, j), c.keys[j].Y_j);
  checked.keyFiles++;
}

for (const poll of data.polls) {
  const ctx = poll.ctx;
  assert.equal(cv.hPoll(ctx.ceremony, ctx.Y, ctx.assembly, ctx.poll, ctx.definition), poll.h_poll);
  for (const b of poll.ballots) {
    assert.equal(cv.checkBallot(ctx, b.wire).tracker, b.tracker);
    assert.equal(cv.tracker(ctx, b.wire), b.tracker);
    checked.ballots++;
    assert.equal(cv.checkAuditFile(b.audit).tracker, b.tracker);
    checked.auditFiles++;
  }
  const sums = cv.ballotSums(
    ctx.definition,
    poll.ballots.map((b) => b.wire),
  );
  assert.equal(JSON.stringify(sums), JSON.stringify(poll.sums));
  const ds = {};
  for (const [j, wire] of Object.entries(poll.partials)) {
    ds[j] = cv.checkPartial(ctx, Number(j), c.keys[j].Y_j, sums, wire);
    checked.partials++;
  }
  const result = cv.combine(sums, { 2: ds[2], 3: ds[3] }, poll.ballots.length);
  assert.deepEqual(result, poll.result);
  checked.results.push(result);
  // and the check can fail: a changed byte of a Python proof is refused
  const bad = JSON.parse(poll.ballots[0].wire);
  bad.sums[0][0][1] = bad.sums[0][0][1].replace(/^./, (ch) => (parseInt(ch, 16) ^ 1).toString(16));
  try {
    cv.checkBallot(ctx, JSON.stringify(bad));
  } catch (err) {
    checked.refused.push(err.message);
  }
}
console.log(JSON.stringify(checked));
