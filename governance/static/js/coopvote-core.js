// coopvote v1, the primitives shared by coopvote.js, coopvote-ceremony.js and coopvote-count.js:
// randomness, hex, scalars (BigInt mod ℓ), strict point decoding, transcripts, the poll's
// definition and H_poll, the parsing of wire ballots. docs/coopvote.md fixes every byte.
import { ed25519, sha256, sha512 } from "../vendor/noble-ed25519.js";

export const Point = ed25519.Point;
export const G = Point.BASE;
export const O = Point.ZERO;
export const ELL = 2n ** 252n + 27742317777372353535851937790883648493n;
const MAX_OPTIONS = 64; // as governance/coopvote.py
const utf8 = new TextEncoder();

function fail(message, extra) {
  throw Object.assign(new Error(message), extra || {});
}

// ---- randomness: int_LE(64 random bytes) mod ℓ, drawn again if 0 ----
let source = null; // only ever set through coopvote.js's _testing

export function setRandomSource(fn) {
  source = fn;
}

function randomBytes(n) {
  if (source) return source(n);
  const c = globalThis.crypto;
  if (!c || typeof c.getRandomValues !== "function") fail("coopvote: no crypto.getRandomValues");
  return c.getRandomValues(new Uint8Array(n));
}

function randomScalar() {
  for (;;) {
    const k = mod(leInt(randomBytes(64)));
    if (k !== 0n) return k;
  }
}

// ---- bytes, hex, scalars ----
function toHex(bytes) {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

function fromHex(h, len, what) {
  if (typeof h !== "string" || h.length !== 2 * len || !/^[0-9a-f]*$/.test(h)) {
    fail(`${what}: not ${len} bytes of lowercase hex`);
  }
  const out = new Uint8Array(len);
  for (let i = 0; i < len; i++) out[i] = parseInt(h.slice(2 * i, 2 * i + 2), 16);
  return out;
}

function leInt(bytes) {
  let n = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(bytes[i]);
  return n;
}

function leBytes(n, len = 32) {
  const out = new Uint8Array(len);
  for (let i = 0; i < len; i++, n >>= 8n) out[i] = Number(n & 0xffn);
  return out;
}

function mod(a) {
  const r = a % ELL;
  return r < 0n ? r + ELL : r;
}

function inverse(a) {
  let [result, base, e] = [1n, mod(a), ELL - 2n];
  if (base === 0n) fail("coopvote: no inverse of 0");
  for (; e > 0n; e >>= 1n, base = (base * base) % ELL) if (e & 1n) result = (result * base) % ELL;
  return result;
}

const sHex = (k) => toHex(leBytes(k));
const pHex = (P) => toHex(P.toBytes());

/** A received scalar: 32 bytes little-endian below ℓ (refused, never reduced); 0 refused if nonzero. */
function scalar(h, what, nonzero = true) {
  const k = leInt(fromHex(h, 32, what));
  if (k >= ELL) fail(`${what}: scalar not below ℓ`);
  if (nonzero && k === 0n) fail(`${what}: scalar is 0`);
  return k;
}

/** A received point: canonical, on the curve, not the identity, no small-order part. */
function point(h, what) {
  const bytes = fromHex(h, 32, what);
  let P;
  try {
    P = Point.fromBytes(bytes, false); // zip215 off: y < p and no x = 0 with the sign bit
  } catch {
    fail(`${what}: not a point`);
  }
  if (P.is0() || !P.isTorsionFree()) fail(`${what}: identity or small order`);
  if (pHex(P) !== h) fail(`${what}: not canonical`);
  return P;
}

const mulSecret = (P, k) => (k === 0n ? O : P.multiply(k)); // constant time
const mulPublic = (P, k) => P.multiplyUnsafe(mod(BigInt(k)));

// ---- transcripts: fields of a 4-byte big-endian length and their bytes ----
class Transcript {
  constructor(tag) {
    this.parts = [];
    if (tag !== undefined) this.str(tag);
  }
  field(bytes) {
    const len = new Uint8Array(4);
    new DataView(len.buffer).setUint32(0, bytes.length);
    this.parts.push(len, bytes);
    return this;
  }
  str(s) {
    return this.field(utf8.encode(String(s)));
  }
  int(n) {
    const v = BigInt(n);
    if (v < 0n || v >= 2n ** 64n) fail("coopvote: integer out of range");
    const b = new Uint8Array(8);
    new DataView(b.buffer).setBigUint64(0, v);
    return this.field(b);
  }
  point(P) {
    return this.field(P instanceof Uint8Array ? P : P.toBytes());
  }
  scalar(k) {
    return this.field(leBytes(k));
  }
  raw(bytes) {
    this.parts.push(bytes);
    return this;
  }
  bytes() {
    const out = new Uint8Array(this.parts.reduce((n, p) => n + p.length, 0));
    this.parts.reduce((at, p) => (out.set(p, at), at + p.length), 0);
    return out;
  }
  challenge() {
    return mod(leInt(sha512(this.bytes())));
  }
  sha256() {
    return sha256(this.bytes());
  }
}

// ---- the poll ----
const isCount = (v, min = 0) => Number.isSafeInteger(v) && v >= min;

/** The poll definition of a kind (k options or candidates, n seats). */
export function definition(kind, k, n = 1) {
  const yna = (q) => ({ terms: [0, 1, 2].map((o) => [q, o, 1]), min: 1, max: 1 });
  if (kind === "MOTION") return { kind, questions: [3], sums: [yna(0)] };
  if (!isCount(k, 1)) fail("coopvote: k must be a positive integer");
  if (kind === "YES_NO_ABSTAIN_PER_CANDIDATE") {
    return { kind, questions: Array(k).fill(3), sums: [...Array(k).keys()].map(yna) };
  }
  if (kind !== "CHOOSE_UP_TO_N") fail(`coopvote: unknown kind ${kind}`);
  if (!isCount(n, 1) || n > k) fail("coopvote: n must be 1…k");
  const terms = [...Array(k).keys()].map((o) => [0, o, 1]).concat([[0, k, n]]);
  return { kind, questions: [k + 1], sums: [{ terms, min: 1, max: n }] };
}

/** A definition from elsewhere: exactly one of the three shapes, as definition() makes it. */
function checkDefinition(def) {
  let expected = null;
  try {
    const [K, sum] = [def.questions, def.sums[0]];
    if (def.kind === "MOTION") expected = definition("MOTION");
    else if (def.kind === "CHOOSE_UP_TO_N") expected = definition(def.kind, K[0] - 1, sum.max);
    else if (def.kind === "YES_NO_ABSTAIN_PER_CANDIDATE") expected = definition(def.kind, K.length);
  } catch {
    expected = null;
  }
  if (!expected || JSON.stringify(sorted(def)) !== JSON.stringify(sorted(expected))) {
    fail("coopvote: not a poll definition of coopvote v1");
  }
  if (expected.questions.reduce((a, k) => a + k, 0) > MAX_OPTIONS)
    fail("coopvote: too many options");
  return expected;
}

// The value with every object's keys sorted (compares definitions whatever their key order).
function sorted(value) {
  if (Array.isArray(value)) return value.map(sorted);
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((k) => [k, sorted(value[k])]),
  );
}

function hPollBytes(ceremony, Y, assembly, poll, def) {
  const T = new Transcript("coopvote/v1/poll").str("ed25519-ell").str(ceremony).point(Y);
  T.str(assembly).str(poll).str(def.kind).int(def.questions.length);
  def.questions.forEach((k) => T.int(k));
  T.int(def.sums.length);
  for (const s of def.sums) {
    T.int(s.terms.length);
    s.terms.forEach(([q, o, w]) => T.int(q).int(o).int(w));
    T.int(s.min).int(s.max);
  }
  return T.sha256();
}

/** H_poll as hex. */
export function hPoll(ceremony, Y, assembly, poll, def) {
  return toHex(hPollBytes(ceremony, point(Y, "Y").toBytes(), assembly, poll, checkDefinition(def)));
}

// A context's checked values, and Y with its precomputed table: once per page (or worker).
// One key serves every secret poll of an assembly: its table is kept by Y.
const prepared = new Map();
const keys = new Map();

function remember(map, key, make) {
  let value = map.get(key);
  if (value === undefined) {
    value = make();
    if (map.size >= 8) map.delete(map.keys().next().value);
    map.set(key, value);
  }
  return value;
}

function prepare(ctx) {
  const key = JSON.stringify([ctx.ceremony, ctx.Y, ctx.assembly, ctx.poll, ctx.definition]);
  return remember(prepared, key, () => {
    const def = checkDefinition(ctx.definition);
    const Y = remember(keys, ctx.Y, () => point(ctx.Y, "Y").precompute(8, false));
    const hp = hPollBytes(ctx.ceremony, Y.toBytes(), ctx.assembly, ctx.poll, def);
    return { ctx, def, Y, hp };
  });
}

// ---- ballots ----
function ciphertextBlock(cts) {
  const T = new Transcript();
  cts.forEach((row) => row.forEach(([a, b]) => T.point(a).point(b)));
  return T.bytes();
}

function trackerOf(poll, block) {
  return toHex(new Transcript("coopvote/v1/tracker").str(poll).raw(block).sha256().slice(0, 16));
}

/** Exactly these fields, in any order (JSON from a server may sort them). */
const hasFields = (obj, keys) =>
  obj !== null &&
  typeof obj === "object" &&
  !Array.isArray(obj) &&
  JSON.stringify(Object.keys(obj).sort()) === JSON.stringify([...keys].sort());

const sameKeys = (obj, keys) =>
  obj !== null &&
  typeof obj === "object" &&
  !Array.isArray(obj) &&
  JSON.stringify(Object.keys(obj)) === JSON.stringify(keys);

/** Parse a wire ballot: its shape, every point checked, canonical bytes; proofs not yet checked. */
function parseBallot(def, wire) {
  const text = typeof wire === "string" ? wire : JSON.stringify(wire);
  let obj;
  try {
    obj = JSON.parse(text);
  } catch {
    fail("ballot: not JSON");
  }
  const shaped =
    sameKeys(obj, ["questions", "sums"]) &&
    Array.isArray(obj.questions) &&
    obj.questions.length === def.questions.length &&
    obj.questions.every((row, q) => Array.isArray(row) && row.length === def.questions[q]) &&
    obj.questions.every((row) => row.every((c) => sameKeys(c, ["alpha", "beta", "proof"]))) &&
    Array.isArray(obj.sums) &&
    obj.sums.length === def.sums.length;
  if (!shaped) fail("ballot: does not fit the poll");
  const cts = obj.questions.map((row, q) =>
    row.map((c, o) => [point(c.alpha, `ballot α${q}.${o}`), point(c.beta, `ballot β${q}.${o}`)]),
  );
  const alphas = obj.questions.flatMap((row) => row.map((c) => c.alpha));
  if (new Set(alphas).size !== alphas.length) fail("ballot: two ciphertexts share their α");
  return { text, obj, cts };
}

export {
  checkDefinition,
  ciphertextBlock,
  fail,
  fromHex,
  hasFields,
  hPollBytes,
  inverse,
  leBytes,
  leInt,
  mod,
  mulPublic,
  mulSecret,
  parseBallot,
  pHex,
  point,
  prepare,
  randomBytes,
  randomScalar,
  sameKeys,
  scalar,
  sHex,
  toHex,
  trackerOf,
  Transcript,
};
