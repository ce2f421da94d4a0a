// Counting: sums, partial decryptions and their proofs, combination; zero votes and no ballots.
import assert from "node:assert/strict";
import { test } from "node:test";
import { context, cv, flipHex, motion, sharedCeremony, smallOrder, somePoint } from "./helpers.mjs";

const c = sharedCeremony();
const YNA = cv.definition("YES_NO_ABSTAIN_PER_CANDIDATE", 2);
const ctx = context(YNA);
const ballots = [
  [
    [1, 0, 0],
    [0, 0, 1],
  ],
  [
    [1, 0, 0],
    [0, 1, 0],
  ],
  [
    [0, 1, 0],
    [0, 0, 1],
  ],
].map((ch) => cv.encrypt(ctx, ch).wire);
const sums = cv.ballotSums(YNA, ballots);
const partial = (j, s = sums, cx = ctx) => cv.partialDecrypt(cx, c.keys[j], s);
const check = (j, wire, s = sums, Yj = c.keys[j].Y_j) => cv.checkPartial(ctx, j, Yj, s, wire);

test("sums of the ballots decrypt to the counts, options without votes to 0", () => {
  assert.equal(sums.length, 2);
  assert.ok(sums.every((row) => row.length === 3 && row.every((ab) => ab.length === 2)));
  const shares = { 1: check(1, partial(1)), 2: check(2, JSON.stringify(partial(2))) };
  assert.deepEqual(cv.combine(sums, shares, ballots.length), [
    [2, 1, 0],
    [0, 1, 2],
  ]);
});

test("a box without ballots has no sums; a poll where everyone abstained decrypts to zeros", () => {
  assert.equal(cv.ballotSums(YNA, []), null);
  const m = context(cv.definition("MOTION"));
  const s = cv.ballotSums(
    m.definition,
    [1, 2, 3].map(() => cv.encrypt(m, motion("abstain")).wire),
  );
  const shares = {
    2: cv.checkPartial(m, 2, c.keys[2].Y_j, s, cv.partialDecrypt(m, c.keys[2], s)),
    3: cv.checkPartial(m, 3, c.keys[3].Y_j, s, cv.partialDecrypt(m, c.keys[3], s)),
  };
  assert.deepEqual(cv.combine(s, shares, 3), [[0, 0, 3]]);
});

test("the sums refuse a repeated α (a copied ballot) and a ballot of another shape", () => {
  assert.throws(() => cv.ballotSums(YNA, [...ballots, ballots[0]]), /ballot 3 repeats an α/);
  const motionBallot = cv.encrypt(context(cv.definition("MOTION")), motion("yes")).wire;
  assert.throws(() => cv.ballotSums(YNA, [...ballots, motionBallot]), /does not fit/);
});

test("partial decryptions with their fields in another order (a server's sorted JSON) check", () => {
  const sortedKeys = partial(2).map(({ c: cc, d, o, q, s }) => ({ c: cc, d, o, q, s }));
  assert.deepEqual(check(2, sortedKeys), check(2, partial(2)));
});

test("a partial decryption for another sum, teller or key is refused", () => {
  const wire = partial(1);
  const otherSums = cv.ballotSums(YNA, ballots.slice(1));
  assert.throws(
    () => check(1, wire, otherSums),
    (e) => e.teller === 1 && /proof fails/.test(e.message),
  );
  assert.throws(() => check(2, wire), /proof fails/);
  assert.throws(() => check(1, wire, sums, c.keys[2].Y_j), /proof fails/);
  const otherPoll = { ...ctx, poll: "c1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d" };
  assert.throws(() => cv.checkPartial(otherPoll, 1, c.keys[1].Y_j, sums, wire), /proof fails/);
});

test("every tampered field of a partial decryption is refused", () => {
  const wire = partial(3);
  const edits = [
    (w) => (w[0].d = flipHex(w[0].d, 3)),
    (w) => (w[4].c = flipHex(w[4].c, 3)),
    (w) => (w[5].s = flipHex(w[5].s, 3)),
    (w) => (w[1].d = somePoint()),
    (w) => (w[1].d = smallOrder()[1]),
    (w) => (w[1].d = smallOrder()[0]), // the identity
    (w) => (w[2].s = "00".repeat(32)),
    (w) => ([w[0], w[1]] = [w[1], w[0]]),
    (w) => ([w[0].d, w[1].d] = [w[1].d, w[0].d]),
    (w) => w.pop(),
    (w) => (w[0].extra = 1),
  ];
  for (const e of edits) {
    const bad = JSON.parse(JSON.stringify(wire));
    e(bad);
    assert.throws(
      () => check(3, bad),
      (err) => err.teller === 3,
    );
  }
});

test("a forged share that passes no proof still cannot pass combine: the count is checked", () => {
  const good = check(1, partial(1));
  const forged = good.map((row) => row.map(() => somePoint(42n)));
  assert.throws(() => cv.combine(sums, { 1: good, 2: forged }, ballots.length), /does not decrypt/);
  assert.throws(
    () => cv.combine(sums, { 1: good, 2: check(2, partial(2)) }, 1),
    /does not decrypt/,
  );
});

test("a key file of another ceremony or with a wrong x is refused", () => {
  const k = c.keys[1];
  assert.throws(
    () => cv.partialDecrypt(ctx, { ...k, ceremony: "cer-x" }, sums),
    /not a key of this poll/,
  );
  assert.throws(() => cv.partialDecrypt(ctx, { ...k, x: c.keys[2].x }, sums), /x·B is not Y_j/);
  assert.throws(() => cv.partialDecrypt(ctx, { ...k, format: "other" }, sums), /not a key/);
  assert.throws(() => cv.partialDecrypt(ctx, { ...k, index: 0 }, sums), /not a teller index/);
  assert.throws(() => cv.partialDecrypt(ctx, { ...k, index: "1" }, sums), /not a teller index/);
});
