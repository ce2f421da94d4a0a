// Ballots: encrypt/check round trips for the three kinds, and every tampered field refused.
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  context,
  core,
  cv,
  flipHex,
  hexScalar,
  motion,
  POLL,
  Point,
  scalarHex,
  smallOrder,
  somePoint,
} from "./helpers.mjs";

const MOTION = cv.definition("MOTION");
const CHOOSE = cv.definition("CHOOSE_UP_TO_N", 4, 2);
const YNA = cv.definition("YES_NO_ABSTAIN_PER_CANDIDATE", 3);
const refuses = (fn, pattern) => assert.throws(fn, pattern);
const edit = (wire, fn) => {
  const obj = JSON.parse(wire);
  fn(obj);
  return JSON.stringify(obj);
};

test("definitions are those of docs/coopvote.md", () => {
  assert.equal(
    JSON.stringify(MOTION),
    '{"kind":"MOTION","questions":[3],"sums":[{"terms":[[0,0,1],[0,1,1],[0,2,1]],"min":1,"max":1}]}',
  );
  assert.equal(
    JSON.stringify(CHOOSE),
    '{"kind":"CHOOSE_UP_TO_N","questions":[5],"sums":[{"terms":[[0,0,1],[0,1,1],[0,2,1],[0,3,1],[0,4,2]],"min":1,"max":2}]}',
  );
  assert.deepEqual(YNA.questions, [3, 3, 3]);
  assert.deepEqual(YNA.sums[2], {
    terms: [
      [2, 0, 1],
      [2, 1, 1],
      [2, 2, 1],
    ],
    min: 1,
    max: 1,
  });
  refuses(() => cv.definition("CHOOSE_UP_TO_N", 2, 3), /n must be/);
  refuses(() => cv.definition("RANKED", 2), /unknown kind/);
});

const cases = [
  ["motion yes", MOTION, motion("yes")],
  ["motion no", MOTION, motion("no")],
  ["motion abstain", MOTION, motion("abstain")],
  ["choose one of four", CHOOSE, [[0, 0, 1, 0, 0]]],
  ["choose two of four", CHOOSE, [[1, 0, 0, 1, 0]]],
  ["choose: abstain", CHOOSE, [[0, 0, 0, 0, 1]]],
  [
    "yes/no/abstain per candidate",
    YNA,
    [
      [1, 0, 0],
      [0, 1, 0],
      [0, 0, 1],
    ],
  ],
];
for (const [name, def, choices] of cases) {
  test(`round trip: ${name}`, () => {
    const ctx = context(def);
    const ballot = cv.encrypt(ctx, choices);
    const checked = cv.checkBallot(ctx, ballot.wire);
    assert.equal(checked.wire, ballot.wire);
    assert.equal(checked.tracker, ballot.tracker);
    assert.match(ballot.tracker, /^[0-9a-f]{32}$/);
    assert.equal(cv.tracker(ctx, ballot.wire), ballot.tracker);
    assert.deepEqual(ballot.choices, choices);
    const audit = ballot.auditFile();
    assert.equal(audit.h_poll, cv.hPoll(ctx.ceremony, ctx.Y, ctx.assembly, ctx.poll, def));
    assert.equal(cv.checkAuditFile(JSON.parse(JSON.stringify(audit))).tracker, ballot.tracker);
  });
}

test("the wire format: compact, keys in order, hex everywhere", () => {
  const ctx = context(MOTION);
  const { wire } = cv.encrypt(ctx, motion("yes"));
  assert.match(
    wire,
    /^\{"questions":\[\[(\{"alpha":"[0-9a-f]{64}","beta":"[0-9a-f]{64}","proof":\[\["[0-9a-f]{64}","[0-9a-f]{64}"\],\["[0-9a-f]{64}","[0-9a-f]{64}"\]\]\},?){3}\]\],"sums":\[\[\["[0-9a-f]{64}","[0-9a-f]{64}"\]\]\]\}$/,
  );
});

test("choices outside the poll's rules cannot be encrypted", () => {
  refuses(() => cv.encrypt(context(MOTION), [[1, 1, 0]]), /outside the allowed range/);
  refuses(() => cv.encrypt(context(MOTION), [[0, 0, 0]]), /outside the allowed range/);
  refuses(() => cv.encrypt(context(CHOOSE), [[1, 1, 1, 0, 0]]), /outside the allowed range/);
  refuses(() => cv.encrypt(context(CHOOSE), [[1, 0, 0, 0, 1]]), /outside the allowed range/);
  refuses(() => cv.encrypt(context(MOTION), [[1, 0]]), /do not fit/);
  refuses(() => cv.encrypt(context(MOTION), [[2, 0, -1]]), /do not fit/);
});

test("two encryptions of the same choice differ", () => {
  const ctx = context(MOTION);
  const a = cv.encrypt(ctx, motion("yes"));
  const b = cv.encrypt(ctx, motion("yes"));
  assert.notEqual(a.wire, b.wire);
  assert.notEqual(a.tracker, b.tracker);
  assert.notDeepEqual(a.randomness, b.randomness);
});

test("a byte of any proof changed is refused", () => {
  const ctx = context(YNA);
  const { wire } = cv.encrypt(ctx, [
    [1, 0, 0],
    [0, 1, 0],
    [0, 0, 1],
  ]);
  for (const [q, o, j, k] of [
    [0, 0, 0, 0],
    [1, 2, 1, 1],
    [2, 1, 0, 1],
  ]) {
    const bad = edit(
      wire,
      (b) => (b.questions[q][o].proof[j][k] = flipHex(b.questions[q][o].proof[j][k], 10)),
    );
    refuses(() => cv.checkBallot(ctx, bad), new RegExp(`option ${q}.${o}`));
  }
  for (const s of [0, 2]) {
    const bad = edit(wire, (b) => (b.sums[s][0][1] = flipHex(b.sums[s][0][1], 3)));
    refuses(() => cv.checkBallot(ctx, bad), new RegExp(`sum ${s}`));
  }
});

test("swapped ciphertexts and moved proofs are refused", () => {
  const ctx = context(MOTION);
  const { wire } = cv.encrypt(ctx, motion("yes"));
  const swapOptions = edit(wire, (b) => b.questions[0].reverse());
  refuses(() => cv.checkBallot(ctx, swapOptions), /proof does not verify/);
  const swapAlphaBeta = edit(wire, (b) => {
    const c = b.questions[0][1];
    [c.alpha, c.beta] = [c.beta, c.alpha];
  });
  refuses(() => cv.checkBallot(ctx, swapAlphaBeta), /proof does not verify/);
  const moveProof = edit(wire, (b) => {
    const [x, y] = b.questions[0];
    [x.proof, y.proof] = [y.proof, x.proof];
  });
  refuses(() => cv.checkBallot(ctx, moveProof), /option 0.0: proof does not verify/);
  const other = JSON.parse(cv.encrypt(ctx, motion("yes")).wire);
  const fromOther = edit(wire, (b) => (b.questions[0][0].proof = other.questions[0][0].proof));
  refuses(() => cv.checkBallot(ctx, fromOther), /option 0.0: proof does not verify/);
  // the whole option (ciphertext and its proof) copied from another ballot
  const optionCopied = edit(wire, (b) => (b.questions[0][2] = other.questions[0][2]));
  refuses(() => cv.checkBallot(ctx, optionCopied), /proof does not verify/);
});

test("a candidate's group copied into another ballot is refused", () => {
  const ctx = context(YNA);
  const a = JSON.parse(
    cv.encrypt(ctx, [
      [1, 0, 0],
      [1, 0, 0],
      [1, 0, 0],
    ]).wire,
  );
  const { wire } = cv.encrypt(ctx, [
    [0, 1, 0],
    [0, 1, 0],
    [0, 1, 0],
  ]);
  const copied = edit(wire, (b) => {
    b.questions[1] = a.questions[1];
    b.sums[1] = a.sums[1];
  });
  refuses(() => cv.checkBallot(ctx, copied), /proof does not verify/);
});

test("a proof checked under another poll, assembly, ceremony or key is refused", () => {
  const ctx = context(MOTION);
  const { wire } = cv.encrypt(ctx, motion("no"));
  const others = [
    { ...ctx, poll: "b1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d" },
    { ...ctx, assembly: "6f0c3a52-3b0e-4d43-9d2e-0b8f8a3c1e01" },
    { ...ctx, ceremony: "cer-2" },
    { ...ctx, Y: somePoint() },
    {
      ...ctx,
      definition: CHOOSE.questions[0] === 3 ? CHOOSE : cv.definition("CHOOSE_UP_TO_N", 2, 1),
    },
  ];
  for (const other of others) refuses(() => cv.checkBallot(other, wire), /does not|fit/);
});

test("an option encrypting −1 is refused although its question sums to 1", () => {
  // yes 1, no 1, abstain −1: the question's sum is 1 and provable; only abstain's own 0/1
  // proof can stop it, and an honest-looking prover cannot make one.
  const ctx = context(MOTION);
  const p = core.prepare(ctx);
  const ms = [1n, 1n, -1n];
  const rs = ms.map(() => core.randomScalar());
  const cts = [
    ms.map((m, o) => {
      const alpha = core.G.multiply(rs[o]);
      const mB = m === 1n ? core.G : m === -1n ? core.G.negate() : core.O;
      return [alpha, p.Y.multiply(rs[o]).add(mB)];
    }),
  ];
  const forged = cheatingBallot(p, cts, rs, ms);
  refuses(() => cv.checkBallot(ctx, forged), /option 0.2: proof does not verify/);
});

// A prover that runs the honest algorithm for the branch it claims, whatever the truth.
function cheatingBallot(p, cts, rs, ms, override = {}) {
  const block = core.ciphertextBlock(cts);
  const prove = (tag, ids, values, alpha, beta, r, i) => {
    const T = new core.Transcript(tag).field(p.hp).raw(block);
    ids.forEach((v) => T.int(v));
    T.int(values.length);
    values.forEach((v) => T.int(v));
    const w = core.randomScalar();
    const cs = values.map(() => core.randomScalar());
    const ss = values.map(() => core.randomScalar());
    values.forEach((m, j) => {
      if (j === i) return T.point(core.G.multiply(w)).point(p.Y.multiply(w));
      const shifted = m === 0n ? beta : beta.subtract(core.G.multiply(m));
      T.point(core.G.multiply(ss[j]).subtract(alpha.multiply(cs[j])));
      T.point(p.Y.multiply(ss[j]).subtract(shifted.multiply(cs[j])));
    });
    cs[i] = core.mod(T.challenge() - cs.reduce((a, c, j) => (j === i ? a : a + c), 0n));
    ss[i] = core.mod(w + cs[i] * r);
    return cs.map((c, j) => [core.sHex(c), core.sHex(ss[j])]);
  };
  const questions = [
    cts[0].map(([alpha, beta], o) => ({
      alpha: core.pHex(alpha),
      beta: core.pHex(beta),
      proof:
        override[o] ??
        prove("zero-one", [0, o], [0n, 1n], alpha, beta, rs[o], ms[o] === 1n ? 1 : 0),
    })),
  ];
  const alpha = cts[0].reduce((a, c) => a.add(c[0]), core.O);
  const beta = cts[0].reduce((a, c) => a.add(c[1]), core.O);
  const r = core.mod(rs.reduce((a, b) => a + b, 0n));
  const sums = [prove("question", [0], [1n], alpha, beta, r, 0)];
  return JSON.stringify({ questions, sums });
}

test("the cheating prover makes valid ballots when it tells the truth (the test can fail)", () => {
  const ctx = context(MOTION);
  const p = core.prepare(ctx);
  const ms = [0n, 1n, 0n];
  const rs = ms.map(() => core.randomScalar());
  const cts = [
    ms.map((m, o) => {
      const beta = p.Y.multiply(rs[o]);
      return [core.G.multiply(rs[o]), m ? beta.add(core.G) : beta];
    }),
  ];
  assert.match(cv.checkBallot(ctx, cheatingBallot(p, cts, rs, ms)).tracker, /^[0-9a-f]{32}$/);
});

test("small-order points, the identity and non-canonical encodings are refused as α or β", () => {
  const ctx = context(MOTION);
  const { wire } = cv.encrypt(ctx, motion("yes"));
  const P = Point.fromHex(JSON.parse(wire).questions[0][0].alpha);
  const T4 = Point.fromHex(smallOrder()[2]);
  const bad = [
    ...smallOrder(),
    P.add(T4).toHex(), // P + T: on the curve, not in the subgroup
    "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f", // y = p
    "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f", // y = p + 1 (the identity)
    "0100000000000000000000000000000000000000000000000000000000000080", // x = 0 with the sign bit
    "0200000000000000000000000000000000000000000000000000000000000000", // not on the curve
    P.toHex().toUpperCase(),
    P.toHex().slice(2),
  ];
  for (const h of bad) {
    for (const field of ["alpha", "beta"]) {
      const forged = edit(wire, (b) => (b.questions[0][1][field] = h));
      refuses(() => cv.checkBallot(ctx, forged), /ballot [αβ]0\.1: /);
    }
  }
});

test("scalars ≥ ℓ and 0 are refused, never reduced", () => {
  const ctx = context(MOTION);
  const { wire } = cv.encrypt(ctx, motion("abstain"));
  const obj = JSON.parse(wire);
  const s = obj.questions[0][0].proof[0][1];
  const plusEll = scalarHex(hexScalar(s) + cv.ELL);
  refuses(
    () =>
      cv.checkBallot(
        ctx,
        edit(wire, (b) => (b.questions[0][0].proof[0][1] = plusEll)),
      ),
    /not below ℓ/,
  );
  const c = obj.sums[0][0][0];
  refuses(
    () =>
      cv.checkBallot(
        ctx,
        edit(wire, (b) => (b.sums[0][0][0] = scalarHex(hexScalar(c) + cv.ELL))),
      ),
    /not below ℓ/,
  );
  const zero = "00".repeat(32);
  refuses(
    () =>
      cv.checkBallot(
        ctx,
        edit(wire, (b) => (b.questions[0][2].proof[1][0] = zero)),
      ),
    /is 0/,
  );
  refuses(
    () =>
      cv.checkBallot(
        ctx,
        edit(wire, (b) => (b.questions[0][2].proof[1][1] = zero)),
      ),
    /is 0/,
  );
  refuses(
    () =>
      cv.checkBallot(
        ctx,
        edit(wire, (b) => (b.questions[0][2].proof[1][1] = "ff".repeat(32))),
      ),
    /not below ℓ/,
  );
});

test("non-canonical wire text and wrong shapes are refused", () => {
  const ctx = context(MOTION);
  const { wire } = cv.encrypt(ctx, motion("yes"));
  refuses(() => cv.checkBallot(ctx, wire.replace(",", ", ")), /canonical/);
  refuses(() => cv.checkBallot(ctx, wire + "\n"), /canonical/);
  const reordered = edit(wire, (b) => {
    const { alpha, beta, proof } = b.questions[0][0];
    b.questions[0][0] = { beta, alpha, proof };
  });
  refuses(() => cv.checkBallot(ctx, reordered), /does not fit/);
  refuses(
    () =>
      cv.checkBallot(
        ctx,
        edit(wire, (b) => b.questions[0].pop()),
      ),
    /does not fit/,
  );
  refuses(
    () =>
      cv.checkBallot(
        ctx,
        edit(wire, (b) => (b.extra = 1)),
      ),
    /does not fit/,
  );
  refuses(
    () =>
      cv.checkBallot(
        ctx,
        edit(wire, (b) => b.sums[0].push(b.sums[0][0])),
      ),
    /wrong length/,
  );
  refuses(() => cv.checkBallot(ctx, "not json"), /not JSON/);
});

test("the audit file refuses a choice or randomness that was not encrypted", () => {
  const ctx = context(MOTION);
  const audit = cv.encrypt(ctx, motion("yes")).auditFile();
  const lie = { ...audit, choices: motion("no") };
  refuses(() => cv.checkAuditFile(lie), /does not encrypt the stated choice/);
  const r = audit.randomness.map((row) => row.slice());
  r[0][1] = r[0][0];
  refuses(() => cv.checkAuditFile({ ...audit, randomness: r }), /does not encrypt/);
  refuses(() => cv.checkAuditFile({ ...audit, h_poll: "00".repeat(32) }), /h_poll/);
  refuses(() => cv.checkAuditFile({ ...audit, tracker: "00".repeat(16) }), /tracker/);
  refuses(
    () => cv.checkAuditFile({ ...audit, poll: POLL.replace("a1", "b1") }),
    /h_poll|does not verify/,
  );
  assert.equal(cv.checkAuditFile(audit, ctx).tracker, audit.tracker);
  refuses(
    () => cv.checkAuditFile(audit, { ...ctx, poll: POLL.replace("a1", "b1") }),
    /another poll or key/,
  );
  refuses(() => cv.checkAuditFile(audit, { ...ctx, Y: somePoint() }), /another poll or key/);
});

test("a definition that is not one of the three shapes is refused", () => {
  const odd = [
    { ...MOTION, questions: [4] },
    { ...MOTION, sums: [{ ...MOTION.sums[0], max: 2 }] },
    { ...CHOOSE, sums: [{ ...CHOOSE.sums[0], min: 0 }] },
    { ...YNA, sums: YNA.sums.slice(1) },
    { ...MOTION, kind: "RANKED" },
    cv.definition("YES_NO_ABSTAIN_PER_CANDIDATE", 22),
  ];
  for (const definition of odd) {
    refuses(
      () =>
        cv.encrypt(
          context(definition),
          definition.questions.map((k) => Array(k).fill(0)),
        ),
      /poll definition|too many/,
    );
  }
  const reordered = { sums: MOTION.sums, questions: [3], kind: "MOTION" };
  assert.ok(cv.encrypt(context(reordered), motion("yes")).wire);
});

test("two options sharing their α are refused", () => {
  const ctx = context(MOTION);
  const { wire } = cv.encrypt(ctx, motion("yes"));
  const same = edit(wire, (b) => (b.questions[0][1].alpha = b.questions[0][0].alpha));
  refuses(() => cv.checkBallot(ctx, same), /share their α/);
});

// --- weak Fiat–Shamir (Bernhard, Pereira, Warinschi 2012): hash only the commitments ---------

const pow = (b, e) => {
  let [r, x] = [1n, core.mod(b)];
  for (; e > 0n; e >>= 1n, x = (x * x) % cv.ELL) if (e & 1n) r = (r * x) % cv.ELL;
  return r;
};

// A square root mod ℓ (ℓ ≡ 5 mod 8: Atkin's formula), or null.
function sqrt(a) {
  const v = pow(2n * a, (cv.ELL - 5n) / 8n);
  const i = core.mod(2n * a * v * v);
  const x = core.mod(a * v * (i - 1n));
  return core.mod(x * x) === core.mod(a) ? x : null;
}

/**
 * A 0/1 proof for a ciphertext chosen after the challenge: commitments A_j = a_j·B,
 * B_j = b_j·B + a_j·Y, c = H(commitments only); then v (the plaintext) solves
 * c·v² + (b_0 + b_1 − c)·v − b_0 = 0, c_0 = −b_0/v, and (α, β) = (u·B, v·B + u·Y).
 */
function weakForgery(Y) {
  for (;;) {
    const [a0, a1, b0, b1, u] = [0, 1, 2, 3, 4].map(() => core.randomScalar());
    const A = [core.G.multiply(a0), core.G.multiply(a1)];
    const Bs = [core.G.multiply(b0).add(Y.multiply(a0)), core.G.multiply(b1).add(Y.multiply(a1))];
    const weak = new core.Transcript("zero-one");
    [0, 1].forEach((j) => weak.point(A[j]).point(Bs[j]));
    const c = weak.challenge();
    const [qa, qb, qc] = [c, core.mod(b0 + b1 - c), core.mod(-b0)];
    const root = sqrt(core.mod(qb * qb - 4n * qa * qc));
    if (root === null) continue;
    const v = core.mod((root - qb) * core.inverse(2n * qa));
    if (v === 0n || v === 1n) continue;
    const c0 = core.mod(-b0 * core.inverse(v));
    const cs = [c0, core.mod(c - c0)];
    const ss = [core.mod(a0 + cs[0] * u), core.mod(a1 + cs[1] * u)];
    const alpha = core.G.multiply(u);
    const beta = core.G.multiply(v).add(Y.multiply(u));
    return { u, v, alpha, beta, proof: cs.map((cj, j) => [core.sHex(cj), core.sHex(ss[j])]) };
  }
}

test("the weak Fiat–Shamir forgery: accepted by a weak verifier, refused by coopvote", () => {
  const ctx = context(MOTION);
  const Y = Point.fromHex(ctx.Y);
  const f = weakForgery(Y);
  // The weak verifier (commitments only in the hash) accepts an encryption of v ∉ {0, 1} …
  const weak = new core.Transcript("zero-one");
  const total = [0n, 1n].reduce((sum, m, j) => {
    const [c, s] = f.proof[j].map(hexScalar);
    const shifted = m === 0n ? f.beta : f.beta.subtract(core.G);
    weak.point(core.G.multiply(s).subtract(f.alpha.multiply(c)));
    weak.point(Y.multiply(s).subtract(shifted.multiply(c)));
    return sum + c;
  }, 0n);
  assert.equal(core.mod(total), weak.challenge());
  // (α, β) = (u·B, v·B + u·Y) encrypts v, which is neither 0 nor 1
  assert.ok(f.beta.subtract(Y.multiply(f.u)).equals(core.G.multiply(f.v)));
  assert.ok(f.v > 1n);
  // … coopvote's transcript holds H_poll and every ciphertext: the same proof fails, in a ballot
  // whose other options are proven correctly over the transcript with the forged ciphertext.
  const p = core.prepare(ctx);
  const rs = [core.randomScalar(), f.u, core.randomScalar()];
  const cts = [
    [
      [core.G.multiply(rs[0]), p.Y.multiply(rs[0]).add(core.G)],
      [f.alpha, f.beta],
      [core.G.multiply(rs[2]), p.Y.multiply(rs[2])],
    ],
  ];
  const forged = cheatingBallot(p, cts, rs, [1n, 0n, 0n], { 1: f.proof });
  refuses(() => cv.checkBallot(ctx, forged), /option 0.1: proof does not verify/);
  // (and without the forged option the same construction checks: the test can fail)
  const honest = cheatingBallot(
    p,
    [[cts[0][0], [core.G.multiply(f.u), p.Y.multiply(f.u)], cts[0][2]]],
    rs,
    [1n, 0n, 0n],
  );
  assert.ok(cv.checkBallot(ctx, honest));
});
