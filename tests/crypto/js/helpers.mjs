// Shared by the node tests of coopvote.js (run from tests/crypto/test_js_node.py).
import * as cv from "../../../governance/static/js/coopvote.js";
import * as core from "../../../governance/static/js/coopvote-core.js";
import { ed25519, sha512 } from "../../../governance/static/vendor/noble-ed25519.js";

export { core, cv, ed25519 };
export const Point = ed25519.Point;
export const ASSEMBLY = "5f0c3a52-3b0e-4d43-9d2e-0b8f8a3c1e01";
export const POLL = "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d";

/** A deterministic byte source (SHA-512 in counter mode): only for _testing.random. */
export function drbg(seed) {
  let counter = 0n;
  let pool = new Uint8Array(0);
  const seedBytes = new TextEncoder().encode(seed);
  return (n) => {
    while (pool.length < n) {
      const block = new Uint8Array(seedBytes.length + 8);
      block.set(seedBytes);
      new DataView(block.buffer).setBigUint64(seedBytes.length, counter++);
      const next = new Uint8Array(pool.length + 64);
      next.set(pool);
      next.set(sha512(block), pool.length);
      pool = next;
    }
    const out = pool.slice(0, n);
    pool = pool.slice(n);
    return out;
  };
}

/** A complete n-of-t ceremony: {entries, secrets, boxes, keys: {j: keyFile}, Y}. */
export function ceremony(id = "cer-1", n = 3, t = 2) {
  const entries = {};
  const secrets = {};
  for (let i = 1; i <= n; i++) ({ entry: entries[i], secret: secrets[i] } = cv.round1(id, i, t));
  const boxes = [];
  for (let i = 1; i <= n; i++) boxes.push(...cv.makeShares(id, secrets[i], i, entries));
  const keys = {};
  for (let j = 1; j <= n; j++) {
    keys[j] = cv.openShares(
      id,
      secrets[j],
      j,
      t,
      entries,
      boxes.filter((b) => b.to === j),
    );
  }
  return { id, n, t, entries, secrets, boxes, keys, Y: keys[1].Y };
}

let shared = null;
/** One 2-of-3 ceremony shared by a test file (ceremonies cost a few hundred ms). */
export function sharedCeremony() {
  shared ??= ceremony();
  return shared;
}

export function context(definition, Y = sharedCeremony().Y, poll = POLL) {
  return { ceremony: sharedCeremony().id, Y, assembly: ASSEMBLY, poll, definition };
}

/** Choices of a motion: "yes" | "no" | "abstain". */
export const motion = (which) => [["yes", "no", "abstain"].map((w) => (w === which ? 1 : 0))];

/** A random valid point (k·B) as hex. */
export const somePoint = (k = 987654321n) => Point.BASE.multiply(k).toHex();

/** Flip the lowest bit of the hex character at position `at` (a different but well-formed hex). */
export function flipHex(h, at = 0) {
  const c = (parseInt(h[at], 16) ^ 1).toString(16);
  return h.slice(0, at) + c + h.slice(at + 1);
}

/** The 8 points of small order as hex (the torsion subgroup). */
export function smallOrder() {
  const T = Point.fromHex("c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a");
  return Array.from({ length: 8 }, (_, k) => mulSmall(T, k));
}

function mulSmall(P, k) {
  let acc = Point.ZERO;
  for (let i = 0; i < k; i++) acc = acc.add(P);
  return acc.toHex();
}

export const scalarHex = (k) => {
  const out = new Uint8Array(32);
  for (let i = 0; i < 32; i++, k >>= 8n) out[i] = Number(k & 0xffn);
  return Buffer.from(out).toString("hex");
};
export const hexScalar = (h) => BigInt("0x" + Buffer.from(h, "hex").reverse().toString("hex"));
