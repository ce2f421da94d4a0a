// coopvote v1, the tellers' key ceremony (docs/coopvote.md "The key ceremony"): round 1 with a
// Schnorr proof of knowledge, the round-1 fingerprint, the shares in nacl boxes, the key file.
// The server only relays: every page checks every entry and every share itself. A failed step
// throws an Error whose `.teller` names the teller whose entry or share failed.
import nacl from "../vendor/tweetnacl.js";
import {
  ELL,
  fail,
  fromHex,
  G,
  leBytes,
  leInt,
  mod,
  mulPublic,
  O,
  pHex,
  point,
  randomBytes,
  randomScalar,
  hasFields,
  scalar,
  sHex,
  toHex,
  Transcript,
} from "./coopvote-core.js";

function pokChallenge(ceremony, i, t, T, As, A) {
  const tr = new Transcript("dkg-pok").str(ceremony).int(i).field(T).int(t);
  As.forEach((P) => tr.point(P));
  return tr.point(A).challenge();
}

function teller(i, fn) {
  try {
    return fn();
  } catch (err) {
    throw Object.assign(err, { teller: err.teller ?? i });
  }
}

/** Teller i's round 1: {entry: {T, A, c, s} (to post), secret (kept in memory only)}. */
export function round1(ceremony, i, t) {
  if (!Number.isSafeInteger(i) || i < 1 || !Number.isSafeInteger(t) || t < 1) {
    fail("ceremony: bad teller index or threshold");
  }
  const transport = nacl.box.keyPair.fromSecretKey(randomBytes(32));
  const coeffs = Array.from({ length: t }, () => randomScalar());
  const As = coeffs.map((a) => G.multiply(a));
  for (;;) {
    const w = randomScalar();
    const c = pokChallenge(ceremony, i, t, transport.publicKey, As, G.multiply(w));
    const s = mod(w + c * coeffs[0]);
    if (c === 0n || s === 0n) continue;
    const entry = { T: toHex(transport.publicKey), A: As.map(pHex), c: sHex(c), s: sHex(s) };
    const secret = {
      ceremony,
      i,
      t,
      coeffs: coeffs.map(sHex),
      transport: toHex(transport.secretKey),
    };
    return { entry, secret };
  }
}

/** Check teller i's round-1 entry (shape, points, proof of knowledge); returns its points. */
export function checkRound1(ceremony, i, t, entry) {
  return teller(i, () => {
    const shaped =
      hasFields(entry, ["T", "A", "c", "s"]) && Array.isArray(entry.A) && entry.A.length === t;
    if (!shaped) fail(`ceremony: teller ${i}'s entry is malformed`);
    const T = fromHex(entry.T, 32, `teller ${i} T`);
    const As = entry.A.map((h, k) => point(h, `teller ${i} A${k}`));
    const c = scalar(entry.c, `teller ${i} c`);
    const s = scalar(entry.s, `teller ${i} s`);
    const A = mulPublic(G, s).subtract(mulPublic(As[0], c));
    if (pokChallenge(ceremony, i, t, T, As, A) !== c) fail(`ceremony: teller ${i}'s proof fails`);
    return { T, As };
  });
}

function indices(entries) {
  const keys = Object.keys(entries).map(Number);
  const n = keys.length;
  if (n < 1 || keys.some((k) => !Number.isSafeInteger(k) || k < 1 || k > n)) {
    fail("ceremony: the entries must be numbered 1…n");
  }
  return Array.from({ length: n }, (_, k) => k + 1);
}

function checkAll(ceremony, t, entries) {
  const checked = {};
  for (const i of indices(entries)) checked[i] = checkRound1(ceremony, i, t, entries[i]);
  return checked;
}

/** SHA-256 hex of the whole round-1 transcript, which the tellers compare with each other. */
export function fingerprint(ceremony, n, t, entries) {
  if (indices(entries).length !== n)
    fail("ceremony: the fingerprint needs the entries of tellers 1…n");
  const tr = new Transcript("coopvote/v1/ceremony").str(ceremony).int(n).int(t);
  for (let i = 1; i <= n; i++) {
    const e = entries[i];
    teller(i, () => {
      if (!Array.isArray(e.A) || e.A.length !== t)
        fail(`ceremony: teller ${i}'s entry is malformed`);
      tr.int(i).field(fromHex(e.T, 32, `teller ${i} T`));
      e.A.forEach((h, k) => tr.point(point(h, `teller ${i} A${k}`)));
      tr.scalar(scalar(e.c, `teller ${i} c`)).scalar(scalar(e.s, `teller ${i} s`));
    });
  }
  return toHex(tr.sha256());
}

/** Σ_k j^k·A_k: the public image of f(j). */
function image(As, j) {
  let [acc, power] = [O, 1n];
  for (const A of As) {
    acc = acc.add(mulPublic(A, power));
    power = mod(power * BigInt(j));
  }
  return acc;
}

function evaluate(coeffs, j) {
  return coeffs.reduceRight((acc, a) => mod(acc * BigInt(j) + a), 0n);
}

/** Y_j = Σ_i Σ_k j^k·A_ik, as hex. */
export function publicShare(entries, j) {
  const sum = indices(entries).reduce((acc, i) => acc.add(image(entryPoints(entries[i], i), j)), O);
  if (sum.is0()) fail("ceremony: Y_j is the identity");
  return pHex(sum);
}

function entryPoints(entry, i) {
  return teller(i, () => entry.A.map((h, k) => point(h, `teller ${i} A${k}`)));
}

/** The poll key Y = Σ_i A_i0, as hex. */
export function pollKey(entries) {
  const Y = indices(entries).reduce((acc, i) => acc.add(entryPoints(entries[i], i)[0]), O);
  if (Y.is0()) fail("ceremony: the poll key is the identity");
  return pHex(Y);
}

/** First 16 bytes (hex) of SHA-256("coopvote/v1/key", Y): the key's fingerprint. */
export function keyFingerprint(Y) {
  return toHex(new Transcript("coopvote/v1/key").point(point(Y, "Y")).sha256().slice(0, 16));
}

function ownEntryUnchanged(secret, entry) {
  const coeffs = secret.coeffs.map((h) => scalar(h, "own coefficient", false));
  const T = nacl.box.keyPair.fromSecretKey(fromHex(secret.transport, 32, "transport key"));
  const same =
    entry &&
    entry.T === toHex(T.publicKey) &&
    entry.A.length === coeffs.length &&
    entry.A.every((h, k) => h === pHex(G.multiply(coeffs[k])));
  if (!same) fail(`ceremony: teller ${secret.i}'s own entry was changed`, { teller: secret.i });
  return coeffs;
}

/**
 * Teller i's shares f_i(j) for every other teller j, each in a nacl box to T_j, after checking
 * every entry and that its own entry is unchanged. Erases the polynomial from `secret` (keeping
 * only f_i(i), which it needs for its key).
 */
export function makeShares(ceremony, secret, i, entries) {
  if (secret.ceremony !== ceremony || secret.i !== i) fail("ceremony: not this teller's secret");
  const checked = checkAll(ceremony, secret.t, entries);
  const coeffs = secret.coeffs
    ? ownEntryUnchanged(secret, entries[i])
    : fail("ceremony: no polynomial");
  const mine = fromHex(secret.transport, 32, "transport key");
  const boxes = Object.keys(checked)
    .map(Number)
    .filter((j) => j !== i)
    .map((j) => {
      const nonce = randomBytes(24);
      const box = nacl.box(leBytes(evaluate(coeffs, j)), nonce, checked[j].T, mine);
      return { from: i, to: j, nonce: toHex(nonce), box: toHex(box) };
    });
  secret.own = sHex(evaluate(coeffs, i));
  delete secret.coeffs;
  return boxes;
}

function openShare(checked, mine, j, i, box) {
  return teller(i, () => {
    if (!hasFields(box, ["from", "to", "nonce", "box"]) || box.from !== i || box.to !== j) {
      fail(`ceremony: the share from teller ${i} is malformed`);
    }
    const nonce = fromHex(box.nonce, 24, `share ${i} nonce`);
    const sealed = fromHex(box.box, 32 + nacl.box.overheadLength, `share ${i} box`);
    const opened = nacl.box.open(sealed, nonce, checked[i].T, mine);
    if (!opened || opened.length !== 32) fail(`ceremony: the share from teller ${i} does not open`);
    const value = leInt(opened);
    if (value >= ELL || value === 0n) fail(`ceremony: the share from teller ${i} is not a scalar`);
    if (!G.multiply(value).equals(image(checked[i].As, j)))
      fail(`ceremony: the share from teller ${i} is wrong`);
    return value;
  });
}

/** Teller j opens and checks every share sent to it (others' are ignored) and derives its key file. */
export function openShares(ceremony, secret, j, t, entries, boxes) {
  if (secret.ceremony !== ceremony || secret.i !== j || secret.t !== t) {
    fail("ceremony: not this teller's secret");
  }
  const checked = checkAll(ceremony, t, entries);
  const n = Object.keys(checked).length;
  const mine = fromHex(secret.transport, 32, "transport key");
  const own = secret.own
    ? scalar(secret.own, "own share", false)
    : evaluate(ownEntryUnchanged(secret, entries[j]), j);
  let x = own;
  for (let i = 1; i <= n; i++) {
    if (i === j) continue;
    const found = (boxes || []).filter((b) => b && b.from === i && b.to === j);
    if (found.length !== 1) fail(`ceremony: no single share from teller ${i}`, { teller: i });
    x = mod(x + openShare(checked, mine, j, i, found[0]));
  }
  const Yj = publicShare(entries, j);
  if (x === 0n || pHex(G.multiply(x)) !== Yj) fail("ceremony: x_j·B is not Y_j", { teller: j });
  return {
    format: "coopvote.teller-key",
    version: 1,
    ceremony,
    index: j,
    t,
    n,
    x: sHex(x),
    Y_j: Yj,
    Y: pollKey(entries),
    fingerprint: fingerprint(ceremony, n, t, entries),
  };
}
