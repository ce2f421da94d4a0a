// coopvote v1, counting (docs/coopvote.md "Counting"): the per-option sums of the sealed
// ballots, a teller's partial decryptions with their Chaum–Pedersen proofs, their check, and
// the combination of t shares (Lagrange at 0, then a table lookup of m·B).
import {
  checkDefinition,
  fail,
  G,
  inverse,
  mod,
  mulPublic,
  O,
  parseBallot,
  pHex,
  point,
  prepare,
  randomScalar,
  hasFields,
  scalar,
  sHex,
  Transcript,
} from "./coopvote-core.js";

/**
 * The sums (α_sum, β_sum) per option over the ballots' wire texts, as [[[α, β] hex]], computed
 * here from the ballots themselves (every point checked, all α distinct); null without ballots.
 */
export function ballotSums(def, wires) {
  const d = checkDefinition(def);
  if (!wires.length) return null;
  const seen = new Set();
  const acc = d.questions.map((k) => Array.from({ length: k }, () => [O, O]));
  wires.forEach((wire, b) => {
    const { cts } = parseBallot(d, wire);
    cts.forEach((row, q) =>
      row.forEach(([a, beta], o) => {
        const key = pHex(a);
        if (seen.has(key)) fail(`sums: ballot ${b} repeats an α`);
        seen.add(key);
        acc[q][o] = [acc[q][o][0].add(a), acc[q][o][1].add(beta)];
      }),
    );
  });
  return acc.map((row) =>
    row.map(([a, beta]) => {
      if (a.is0()) fail("sums: α_sum is the identity");
      return [pHex(a), pHex(beta)];
    }),
  );
}

function parseSums(def, sums) {
  const shaped =
    Array.isArray(sums) &&
    sums.length === def.questions.length &&
    sums.every((row, q) => Array.isArray(row) && row.length === def.questions[q]) &&
    sums.every((row) => row.every((s) => Array.isArray(s) && s.length === 2));
  if (!shaped) fail("sums: do not fit the poll");
  return sums.map((row, q) =>
    row.map(([a, b], o) => [point(a, `α_sum ${q}.${o}`), point(b, `β_sum ${q}.${o}`)]),
  );
}

function decryptChallenge(p, q, o, j, Yj, a, b, d, A, C) {
  const T = new Transcript("decrypt").field(p.hp).int(q).int(o).int(j);
  return T.point(Yj).point(a).point(b).point(d).point(A).point(C).challenge();
}

/** Teller j's partial decryptions d = x_j·α_sum with proofs: [{q, o, d, c, s}]. */
export function partialDecrypt(ctx, keyFile, sums) {
  const p = prepare(ctx);
  const ok =
    keyFile &&
    keyFile.format === "coopvote.teller-key" &&
    keyFile.version === 1 &&
    String(keyFile.ceremony) === String(ctx.ceremony) &&
    keyFile.Y === ctx.Y;
  if (!ok) fail("key file: not a key of this poll's ceremony");
  const j = keyFile.index;
  if (!Number.isSafeInteger(j) || j < 1 || j > keyFile.n) fail("key file: not a teller index");
  const x = scalar(keyFile.x, "key file x");
  const Yj = point(keyFile.Y_j, "key file Y_j");
  if (!G.multiply(x).equals(Yj)) fail("key file: x·B is not Y_j");
  const out = [];
  parseSums(p.def, sums).forEach((row, q) =>
    row.forEach(([a, b], o) => {
      const d = a.multiply(x);
      for (;;) {
        const w = randomScalar();
        const c = decryptChallenge(p, q, o, j, Yj, a, b, d, G.multiply(w), a.multiply(w));
        const s = mod(w + c * x);
        if (c === 0n || s === 0n) continue;
        out.push({ q, o, d: pHex(d), c: sHex(c), s: sHex(s) });
        break;
      }
    }),
  );
  return out;
}

/** Check teller j's partial decryptions against Y_j and the sums; returns [[d hex]]. */
export function checkPartial(ctx, j, Yj, sums, wire) {
  const p = prepare(ctx);
  const parsed = parseSums(p.def, sums);
  try {
    return checkShares(
      p,
      j,
      point(Yj, `Y_${j}`),
      parsed,
      typeof wire === "string" ? JSON.parse(wire) : wire,
    );
  } catch (err) {
    throw Object.assign(err, { teller: j });
  }
}

function checkShares(p, j, Yj, parsed, list) {
  const flat = parsed.flatMap((row, q) => row.map((ab, o) => [q, o, ...ab]));
  if (!Array.isArray(list) || list.length !== flat.length) {
    fail(`decryption of teller ${j}: wrong number of shares`);
  }
  const out = p.def.questions.map(() => []);
  flat.forEach(([q, o, a, b], k) => {
    const e = list[k];
    const what = `decryption of teller ${j} for ${q}.${o}`;
    if (!hasFields(e, ["q", "o", "d", "c", "s"]) || e.q !== q || e.o !== o)
      fail(`${what}: malformed`);
    const d = point(e.d, `${what} d`);
    const c = scalar(e.c, `${what} c`);
    const s = scalar(e.s, `${what} s`);
    const A = mulPublic(G, s).subtract(mulPublic(Yj, c));
    const C = mulPublic(a, s).subtract(mulPublic(d, c));
    if (decryptChallenge(p, q, o, j, Yj, a, b, d, A, C) !== c) fail(`${what}: the proof fails`);
    out[q].push(pHex(d));
  });
  return out;
}

/** Combine the checked shares {j: [[d]]} of a set S of tellers: the counts [[m]], m ≤ count. */
export function combine(sums, shares, count) {
  const S = Object.keys(shares).map(Number);
  if (!S.length || S.some((j) => !Number.isSafeInteger(j) || j < 1)) fail("combine: bad tellers");
  if (!Number.isSafeInteger(count) || count < 0) fail("combine: bad ballot count");
  const lambda = Object.fromEntries(
    S.map((j) => [
      j,
      S.filter((k) => k !== j).reduce(
        (acc, k) => mod(acc * BigInt(k) * inverse(BigInt(k - j))),
        1n,
      ),
    ]),
  );
  const table = new Map();
  for (let m = 0, P = O; m <= count; m++, P = P.add(G)) table.set(pHex(P), m);
  return sums.map((row, q) =>
    row.map(([, b], o) => {
      const beta = point(b, `β_sum ${q}.${o}`);
      const M = S.reduce(
        (acc, j) => acc.subtract(mulPublic(point(shares[j][q][o], `d ${j} ${q}.${o}`), lambda[j])),
        beta,
      );
      const m = table.get(pHex(M));
      if (m === undefined) fail(`combine: option ${q}.${o} does not decrypt to a count`);
      return m;
    }),
  );
}
