// coopvote v1 in the browser: encrypted ballots, their proofs, the tellers' key ceremony and
// the partial decryptions. docs/coopvote.md fixes every byte; governance/coopvote.py is the
// server's side of the same contract and the tests check each against the other.
// Points only through noble's Point (every point received is decoded strictly and must be
// neither the identity nor of small order), scalars as BigInt mod ℓ, randomness only from
// crypto.getRandomValues. A failed check throws an Error (with `.teller` where a teller's step
// failed); nothing is ever "repaired" or reduced. No storage: the caller keeps secrets in memory.
//
// The API (hex strings for points and scalars everywhere; ctx = {ceremony, Y, assembly, poll,
// definition} with the ceremony's UUID, Y hex, the assembly's and poll's UUIDs):
//   definition(kind, k, n) -> {kind, questions, sums}       hPoll(ceremony, Y, assembly, poll, def) -> hex
//   prepareKey(ctx) -> H_poll hex (checks ctx, builds Y's table once; encrypt does it when needed)
//   encrypt(ctx, choices [[0|1 per option] per question]) -> {wire, tracker, randomness [[hex]],
//       choices, auditFile() -> the Benaloh check file (an object; offer it as a JSON download)}
//   checkBallot(ctx, wire) -> {wire, tracker, ciphertexts [[[α, β]]]}   tracker(ctx, wire) -> hex
//   checkAuditFile(file, ctx?) -> as checkBallot (the page's own check: proves nothing to the voter)
//   round1(ceremony, i, t) -> {entry {T, A, c, s}, secret}   (secret: keep in memory only)
//   checkRound1(ceremony, i, t, entry)     fingerprint(ceremony, n, t, {i: entry}) -> hex
//   makeShares(ceremony, secret, i, {i: entry}) -> [{from, to, nonce, box}] (to every other
//       teller; checks every entry and its own first; then erases the polynomial from secret)
//   openShares(ceremony, secret, j, t, {i: entry}, boxes to j) -> key file {format, version,
//       ceremony, index, t, n, x, Y_j, Y, fingerprint}
//   publicShare({i: entry}, j) -> Y_j hex     pollKey({i: entry}) -> Y hex
//   keyFingerprint(Y) -> 32 hex (show in groups of four)
//   ballotSums(def, [wire]) -> [[[α_sum, β_sum]]] | null (no ballots); every α distinct
//   partialDecrypt(ctx, keyFile, sums) -> [{q, o, d, c, s}]
//   checkPartial(ctx, j, Y_j, sums, partials) -> [[d]]
//   combine(sums, {j: [[d]]} of t tellers, ballot count) -> [[count]]
// coopvote-worker.js runs encrypt in a module Web Worker (its header says the messages).
import {
  checkDefinition,
  ciphertextBlock,
  fail,
  G,
  mod,
  mulPublic,
  O,
  parseBallot,
  pHex,
  prepare,
  randomScalar,
  scalar,
  setRandomSource,
  sHex,
  toHex,
  trackerOf,
  Transcript,
} from "./coopvote-core.js";

export { definition, ELL, hPoll } from "./coopvote-core.js";
export * from "./coopvote-ceremony.js";
export * from "./coopvote-count.js";

/** Check a context (Y, definition) and build Y's table now; returns H_poll as hex. */
export function prepareKey(ctx) {
  return toHex(prepare(ctx).hp);
}

// ---- the generic disjunctive Chaum–Pedersen proof ----
function statement(tag, p, block, ids, values) {
  const T = new Transcript(tag).field(p.hp).raw(block);
  ids.forEach((v) => T.int(v));
  T.int(values.length);
  values.forEach((v) => T.int(v));
  return T.bytes();
}

const shift = (beta, m) => (m === 0n ? beta : beta.subtract(mulPublic(G, m)));

function simulate(p, alpha, beta, m, c, s) {
  const A = mulPublic(G, s).subtract(mulPublic(alpha, c));
  return [A, mulPublic(p.Y, s).subtract(mulPublic(shift(beta, m), c))];
}

function prove(p, prefix, values, alpha, beta, r, i) {
  for (;;) {
    const w = randomScalar();
    const cs = values.map((_, j) => (j === i ? 0n : randomScalar()));
    const ss = values.map((_, j) => (j === i ? 0n : randomScalar()));
    const T = new Transcript().raw(prefix);
    values.forEach((m, j) => {
      const [A, B] =
        j === i ? [G.multiply(w), p.Y.multiply(w)] : simulate(p, alpha, beta, m, cs[j], ss[j]);
      T.point(A).point(B);
    });
    cs[i] = mod(T.challenge() - cs.reduce((a, b) => a + b, 0n));
    ss[i] = mod(w + cs[i] * r);
    if (cs[i] !== 0n && ss[i] !== 0n) return cs.map((c, j) => [sHex(c), sHex(ss[j])]);
  }
}

function verify(p, prefix, values, alpha, beta, proof, what) {
  if (!Array.isArray(proof) || proof.length !== values.length)
    fail(`${what}: proof has wrong length`);
  const T = new Transcript().raw(prefix);
  let sum = 0n;
  values.forEach((m, j) => {
    const pair = proof[j];
    if (!Array.isArray(pair) || pair.length !== 2) fail(`${what}: not a proof`);
    const c = scalar(pair[0], `${what} c${j}`);
    const s = scalar(pair[1], `${what} s${j}`);
    const [A, B] = simulate(p, alpha, beta, m, c, s);
    T.point(A).point(B);
    sum += c;
  });
  if (mod(sum) !== T.challenge()) fail(`${what}: proof does not verify`);
}

const range = (min, max) => Array.from({ length: max - min + 1 }, (_, k) => BigInt(min + k));
const ZERO_ONE = [0n, 1n];

function weighted(cts, sum) {
  return sum.terms.reduce(
    ([a, b], [q, o, w]) => [a.add(mulPublic(cts[q][o][0], w)), b.add(mulPublic(cts[q][o][1], w))],
    [O, O],
  );
}

function checkChoices(def, choices) {
  const ok =
    Array.isArray(choices) &&
    choices.length === def.questions.length &&
    choices.every((row, q) => Array.isArray(row) && row.length === def.questions[q]) &&
    choices.every((row) => row.every((m) => m === 0 || m === 1));
  if (!ok) fail("coopvote: choices do not fit the poll");
  for (const s of def.sums) {
    const total = s.terms.reduce((n, [q, o, w]) => n + choices[q][o] * w, 0);
    if (total < s.min || total > s.max) fail("coopvote: choices outside the allowed range");
  }
  return choices.map((row) => row.slice());
}

/** Encrypt and prove `choices` ([[0|1 per option] per question]) under the poll's key. */
export function encrypt(ctx, choices) {
  const p = prepare(ctx);
  const ms = checkChoices(p.def, choices);
  const rs = ms.map((row) => row.map(() => randomScalar()));
  const cts = ms.map((row, q) =>
    row.map((m, o) => {
      const rY = p.Y.multiply(rs[q][o]);
      return [G.multiply(rs[q][o]), m ? rY.add(G) : rY];
    }),
  );
  const block = ciphertextBlock(cts);
  const questions = cts.map((row, q) =>
    row.map(([alpha, beta], o) => {
      const prefix = statement("zero-one", p, block, [q, o], ZERO_ONE);
      const proof = prove(p, prefix, ZERO_ONE, alpha, beta, rs[q][o], ms[q][o]);
      return { alpha: pHex(alpha), beta: pHex(beta), proof };
    }),
  );
  const sums = p.def.sums.map((sum, s) => {
    const [alpha, beta] = weighted(cts, sum);
    const r = mod(sum.terms.reduce((a, [q, o, w]) => a + BigInt(w) * rs[q][o], 0n));
    const m = sum.terms.reduce((a, [q, o, w]) => a + w * ms[q][o], 0);
    const values = range(sum.min, sum.max);
    const prefix = statement("question", p, block, [s], values);
    return prove(p, prefix, values, alpha, beta, r, m - sum.min);
  });
  const wire = JSON.stringify({ questions, sums });
  const tracker = trackerOf(ctx.poll, block);
  const randomness = rs.map((row) => row.map(sHex));
  const auditFile = () => ({
    format: "coopvote.ballot-audit",
    version: 1,
    ceremony: ctx.ceremony,
    assembly: ctx.assembly,
    poll: ctx.poll,
    definition: ctx.definition,
    Y: ctx.Y,
    h_poll: toHex(p.hp),
    choices: ms,
    randomness,
    ballot: JSON.parse(wire),
    tracker,
  });
  return { wire, tracker, randomness, choices: ms, auditFile };
}

/** Check a wire ballot completely; returns {wire, tracker, ciphertexts: [[[α, β]]]} (hex). */
export function checkBallot(ctx, wire) {
  const p = prepare(ctx);
  const { text, obj, cts } = parseBallot(p.def, wire);
  const block = ciphertextBlock(cts);
  obj.questions.forEach((row, q) =>
    row.forEach((c, o) => {
      const prefix = statement("zero-one", p, block, [q, o], ZERO_ONE);
      verify(p, prefix, ZERO_ONE, cts[q][o][0], cts[q][o][1], c.proof, `ballot option ${q}.${o}`);
    }),
  );
  p.def.sums.forEach((sum, s) => {
    const [alpha, beta] = weighted(cts, sum);
    const values = range(sum.min, sum.max);
    const prefix = statement("question", p, block, [s], values);
    verify(p, prefix, values, alpha, beta, obj.sums[s], `ballot sum ${s}`);
  });
  if (JSON.stringify(obj) !== text) fail("ballot: not in canonical form");
  const ciphertexts = cts.map((row) => row.map(([a, b]) => [pHex(a), pHex(b)]));
  return { wire: text, tracker: trackerOf(ctx.poll, block), ciphertexts };
}

/** The tracker of a wire ballot (its points checked, not its proofs). */
export function tracker(ctx, wire) {
  return trackerOf(
    ctx.poll,
    ciphertextBlock(parseBallot(checkDefinition(ctx.definition), wire).cts),
  );
}

/**
 * Check a Benaloh audit file: H_poll, every ciphertext from (m, r, Y), the proofs, the tracker;
 * with `expected` (a ctx), the file must be for that ceremony, key, assembly and poll.
 */
export function checkAuditFile(data, expected) {
  const { ceremony, Y, assembly, poll, definition } = data || {};
  const ctx = { ceremony, Y, assembly, poll, definition };
  if (
    expected &&
    ["ceremony", "Y", "assembly", "poll"].some((k) => String(ctx[k]) !== String(expected[k]))
  ) {
    fail("audit file: for another poll or key");
  }
  const p = prepare(ctx);
  if (data.format !== "coopvote.ballot-audit" || data.version !== 1) fail("audit file: format");
  if (data.h_poll !== toHex(p.hp)) fail("audit file: h_poll does not match the poll");
  const ballot = checkBallot(ctx, JSON.stringify(data.ballot));
  const ms = checkChoices(p.def, data.choices);
  ballot.ciphertexts.forEach((row, q) =>
    row.forEach(([a, b], o) => {
      const r = scalar(data.randomness?.[q]?.[o], `audit file r${q}.${o}`);
      const rY = p.Y.multiply(r);
      if (pHex(G.multiply(r)) !== a || pHex(ms[q][o] ? rY.add(G) : rY) !== b) {
        fail(`audit file: ciphertext ${q}.${o} does not encrypt the stated choice`);
      }
    }),
  );
  if (ballot.tracker !== data.tracker) fail("audit file: tracker does not match");
  return ballot;
}

/** Tests only: `_testing.random(fn)` injects a byte source (n => Uint8Array), `null` restores. */
export const _testing = {
  random(fn) {
    setRandomSource(fn);
  },
};
