// The key ceremony: 2 of 3 end to end, t − 1 cannot decrypt, every tampered step names its teller.
import assert from "node:assert/strict";
import { test } from "node:test";
import nacl from "../../../governance/static/vendor/tweetnacl.js";
import { ceremony, context, cv, flipHex, motion, scalarHex, smallOrder } from "./helpers.mjs";

const ID = "cer-9";
const round1s = (n, t) => {
  const entries = {};
  const secrets = {};
  for (let i = 1; i <= n; i++) ({ entry: entries[i], secret: secrets[i] } = cv.round1(ID, i, t));
  return { entries, secrets };
};
const teller = (i, pattern) => (err) => err.teller === i && pattern.test(err.message);

test("2 of 3: every teller derives a consistent key file; any 2 decrypt, 1 cannot", () => {
  const c = ceremony(ID, 3, 2);
  const fp = cv.fingerprint(ID, 3, 2, c.entries);
  assert.match(fp, /^[0-9a-f]{64}$/);
  assert.equal(c.Y, cv.pollKey(c.entries));
  assert.match(cv.keyFingerprint(c.Y), /^[0-9a-f]{32}$/);
  for (const j of [1, 2, 3]) {
    const k = c.keys[j];
    assert.deepEqual(Object.keys(k), [
      "format",
      "version",
      "ceremony",
      "index",
      "t",
      "n",
      "x",
      "Y_j",
      "Y",
      "fingerprint",
    ]);
    assert.equal(k.format, "coopvote.teller-key");
    assert.equal(k.index, j);
    assert.equal(k.Y, c.Y);
    assert.equal(k.fingerprint, fp);
    assert.equal(k.Y_j, cv.publicShare(c.entries, j));
  }
  const ctx = { ...context(cv.definition("MOTION"), c.Y), ceremony: ID };
  const choices = ["yes", "yes", "no", "yes", "abstain"];
  const sums = cv.ballotSums(
    ctx.definition,
    choices.map((w) => cv.encrypt(ctx, motion(w)).wire),
  );
  const d = {};
  for (const j of [1, 2, 3]) {
    d[j] = cv.checkPartial(ctx, j, c.keys[j].Y_j, sums, cv.partialDecrypt(ctx, c.keys[j], sums));
  }
  for (const S of [
    [1, 2],
    [1, 3],
    [2, 3],
    [1, 2, 3],
  ]) {
    const shares = Object.fromEntries(S.map((j) => [j, d[j]]));
    assert.deepEqual(cv.combine(sums, shares, choices.length), [[3, 1, 1]]);
  }
  for (const j of [1, 2, 3]) {
    assert.throws(
      () => cv.combine(sums, { [j]: d[j] }, choices.length),
      /does not decrypt to a count/,
    );
  }
});

test("1 of 1 works and its single teller decrypts alone", () => {
  const c = ceremony("solo", 1, 1);
  const ctx = { ...context(cv.definition("CHOOSE_UP_TO_N", 3, 1), c.Y), ceremony: "solo" };
  const wires = [[[1, 0, 0, 0]], [[0, 0, 0, 1]]].map((ch) => cv.encrypt(ctx, ch).wire);
  const sums = cv.ballotSums(ctx.definition, wires);
  const d1 = cv.checkPartial(ctx, 1, c.keys[1].Y_j, sums, cv.partialDecrypt(ctx, c.keys[1], sums));
  assert.deepEqual(cv.combine(sums, { 1: d1 }, 2), [[1, 0, 0, 1]]);
});

test("round 1: a changed byte of an entry is refused, naming the teller", () => {
  const { entries } = round1s(3, 2);
  for (const i of [1, 2, 3]) cv.checkRound1(ID, i, 2, entries[i]);
  const e = entries[2];
  const bad = [
    { ...e, c: flipHex(e.c, 5) },
    { ...e, s: flipHex(e.s, 5) },
    { ...e, T: flipHex(e.T, 0) },
    { ...e, A: [e.A[0], flipHex(e.A[1], 1)] },
    { ...e, A: [e.A[1], e.A[0]] },
    { ...e, A: [e.A[0]] },
    { ...e, A: [smallOrder()[0], e.A[1]] },
    { ...e, A: [e.A[0], smallOrder()[3]] },
    { ...e, s: "00".repeat(32) },
    { ...e, extra: 1 },
  ];
  for (const entry of bad)
    assert.throws(() => cv.checkRound1(ID, 2, 2, entry), teller(2, /teller 2/));
  assert.throws(() => cv.checkRound1(ID, 3, 2, e), /teller 3's proof fails/); // another index
  assert.throws(() => cv.checkRound1("other", 2, 2, e), /proof fails/); // another ceremony
});

test("the fingerprint covers every entry: a swapped transport key changes it", () => {
  const { entries } = round1s(3, 2);
  const fp = cv.fingerprint(ID, 3, 2, entries);
  const swapped = {
    ...entries,
    1: { ...entries[1], T: entries[3].T },
    3: { ...entries[3], T: entries[1].T },
  };
  assert.notEqual(cv.fingerprint(ID, 3, 2, swapped), fp);
  assert.notEqual(
    cv.fingerprint(ID, 3, 2, { ...entries, 2: { ...entries[2], s: flipHex(entries[2].s, 4) } }),
    fp,
  );
  assert.notEqual(cv.fingerprint("cer-10", 3, 2, entries), fp);
  assert.throws(() => cv.fingerprint(ID, 4, 2, entries), /entries of tellers 1…n/);
  assert.equal(cv.fingerprint(ID, 3, 2, JSON.parse(JSON.stringify(entries))), fp);
});

test("makeShares refuses when its own entry changed or another entry fails, and erases the polynomial", () => {
  const { entries, secrets } = round1s(3, 2);
  const other = cv.round1(ID, 1, 2).entry;
  assert.throws(
    () => cv.makeShares(ID, secrets[1], 1, { ...entries, 1: other }),
    teller(1, /own entry was changed/),
  );
  const broken = { ...entries, 3: { ...entries[3], c: flipHex(entries[3].c, 2) } };
  assert.throws(() => cv.makeShares(ID, secrets[1], 1, broken), teller(3, /proof fails/));
  const boxes = cv.makeShares(ID, secrets[1], 1, entries);
  assert.deepEqual(
    boxes.map((b) => [b.from, b.to]),
    [
      [1, 2],
      [1, 3],
    ],
  );
  assert.ok(boxes.every((b) => /^[0-9a-f]{48}$/.test(b.nonce) && /^[0-9a-f]{96}$/.test(b.box)));
  assert.equal(secrets[1].coeffs, undefined);
  assert.match(secrets[1].own, /^[0-9a-f]{64}$/);
  assert.throws(() => cv.makeShares(ID, secrets[1], 1, entries), /no polynomial/);
});

test("openShares refuses a bad, missing, foreign or replayed share, naming the sender", () => {
  const { entries, secrets } = round1s(3, 2);
  const boxes = [1, 2, 3].flatMap((i) => cv.makeShares(ID, secrets[i], i, entries));
  const to3 = boxes.filter((b) => b.to === 3);
  const open = (list) => cv.openShares(ID, secrets[3], 3, 2, entries, list);
  assert.equal(open(to3).index, 3);
  assert.equal(JSON.stringify(open(boxes)), JSON.stringify(open(to3))); // others' boxes ignored
  // fields in another order (a server's sorted JSON) are the same entries and boxes
  const sortedBoxes = to3.map(({ box, from, nonce, to }) => ({ box, from, nonce, to }));
  const sortedEntries = Object.fromEntries(
    Object.entries(entries).map(([i, { A, T, c, s }]) => [i, { A, T, c, s }]),
  );
  const reordered = cv.openShares(ID, secrets[3], 3, 2, sortedEntries, sortedBoxes);
  assert.equal(JSON.stringify(reordered), JSON.stringify(open(to3)));
  const from1 = to3.find((b) => b.from === 1);
  const rest = to3.filter((b) => b.from !== 1);
  assert.throws(() => open(rest), teller(1, /no single share from teller 1/));
  assert.throws(() => open([...rest, { ...from1, extra: 1 }]), teller(1, /malformed/));
  assert.throws(() => open([...to3, from1]), teller(1, /no single share/));
  assert.throws(
    () => open([...rest, { ...from1, box: flipHex(from1.box, 9) }]),
    teller(1, /does not open/),
  );
  assert.throws(
    () => open([...rest, { ...from1, nonce: flipHex(from1.nonce, 9) }]),
    teller(1, /does not open/),
  );
  // teller 1's share for teller 2, relabelled for teller 3: it does not open with 3's key
  const for2 = boxes.find((b) => b.from === 1 && b.to === 2);
  assert.throws(() => open([...rest, { ...for2, to: 3 }]), teller(1, /does not open/));
  // a box that opens but holds a wrong value: teller 1 boxes f_1(2) to teller 3
  const wrong = wrongValueBox(entries, secrets, 1, 3);
  assert.throws(() => open([...rest, wrong]), teller(1, /share from teller 1 is wrong/));
});

// Teller `from` seals a value that is not f_from(to) to teller `to` (a malicious teller).
function wrongValueBox(entries, secrets, from, to) {
  const nonce = new Uint8Array(24).fill(7);
  const value = Buffer.from(scalarHex(123456789n), "hex");
  const box = nacl.box(
    value,
    nonce,
    Buffer.from(entries[to].T, "hex"),
    Buffer.from(secrets[from].transport, "hex"),
  );
  return {
    from,
    to,
    nonce: Buffer.from(nonce).toString("hex"),
    box: Buffer.from(box).toString("hex"),
  };
}
