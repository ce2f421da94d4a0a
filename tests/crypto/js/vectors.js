// The known-answer vectors: one function, no imports, run in Chromium (tests/crypto/
// test_browser.py, loaded from the app under its CSP) and in Node (vectors.test.mjs); with the
// same seed both must produce tests/crypto/vectors/browser-v1.json byte for byte, and Python
// (tests/crypto/test_vectors.py) verifies every value in it with governance.coopvote.
// The seed goes only through coopvote's _testing hook; the shipped API has none.
function makeVectors(cv, sha512, seed) {
  const drbg = (text) => {
    const prefix = new TextEncoder().encode(text);
    let counter = 0n;
    let pool = new Uint8Array(0);
    return (n) => {
      while (pool.length < n) {
        const block = new Uint8Array(prefix.length + 8);
        block.set(prefix);
        new DataView(block.buffer).setBigUint64(prefix.length, counter++);
        const next = new Uint8Array(pool.length + 64);
        next.set(pool);
        next.set(sha512(block), pool.length);
        pool = next;
      }
      const out = pool.slice(0, n);
      pool = pool.slice(n);
      return out;
    };
  };
  const copy = (v) => JSON.parse(JSON.stringify(v));
  cv._testing.random(drbg(seed));
  try {
    const id = "3f1e0c8a-9b7d-4e2f-8a61-5c4d3b2a1908";
    const [n, t] = [3, 2];
    const entries = {};
    const secrets = {};
    for (let i = 1; i <= n; i++) ({ entry: entries[i], secret: secrets[i] } = cv.round1(id, i, t));
    const shown = copy(secrets);
    const boxes = [];
    for (let i = 1; i <= n; i++) boxes.push(...cv.makeShares(id, secrets[i], i, entries));
    const keys = {};
    const publicShares = {};
    for (let j = 1; j <= n; j++) {
      keys[j] = cv.openShares(
        id,
        secrets[j],
        j,
        t,
        entries,
        boxes.filter((b) => b.to === j),
      );
      publicShares[j] = cv.publicShare(entries, j);
    }
    const Y = cv.pollKey(entries);
    const ceremony = {
      id,
      n,
      t,
      entries,
      secrets: shown,
      fingerprint: cv.fingerprint(id, n, t, entries),
      boxes,
      keys,
      public_shares: publicShares,
      Y,
      key_fingerprint: cv.keyFingerprint(Y),
    };
    const assembly = "0b7e4c1a-2d3f-4a5b-9c8d-7e6f5a4b3c2d";
    const polls = [
      [
        "9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a",
        cv.definition("MOTION"),
        [[[1, 0, 0]], [[0, 1, 0]], [[1, 0, 0]], [[0, 0, 1]], [[1, 0, 0]]],
      ],
      [
        "8c7b6a5f-4e3d-4c2b-9a1f-0e9d8c7b6a5f",
        cv.definition("CHOOSE_UP_TO_N", 4, 2),
        [[[1, 0, 0, 1, 0]], [[0, 0, 1, 0, 0]], [[0, 0, 0, 0, 1]], [[1, 1, 0, 0, 0]]],
      ],
      [
        "7b6a5f4e-3d2c-4b1a-8f0e-9d8c7b6a5f4e",
        cv.definition("YES_NO_ABSTAIN_PER_CANDIDATE", 3),
        [
          [
            [1, 0, 0],
            [0, 1, 0],
            [0, 0, 1],
          ],
          [
            [1, 0, 0],
            [1, 0, 0],
            [0, 1, 0],
          ],
        ],
      ],
    ].map(([poll, definition, choices]) => {
      const ctx = { ceremony: id, Y, assembly, poll, definition };
      const ballots = choices.map((ch) => {
        const b = cv.encrypt(ctx, ch);
        return { choices: ch, wire: b.wire, tracker: b.tracker, audit: b.auditFile() };
      });
      const sums = cv.ballotSums(
        definition,
        ballots.map((b) => b.wire),
      );
      const partials = {};
      const ds = {};
      for (let j = 1; j <= n; j++) {
        partials[j] = cv.partialDecrypt(ctx, keys[j], sums);
        ds[j] = cv.checkPartial(ctx, j, keys[j].Y_j, sums, partials[j]);
      }
      const result = cv.combine(sums, { 1: ds[1], 3: ds[3] }, ballots.length);
      const hPoll = cv.hPoll(id, Y, assembly, poll, definition);
      return { ctx, h_poll: hPoll, ballots, sums, partials, result };
    });
    return { format: "coopvote.vectors", version: 1, seed, ceremony, polls };
  } finally {
    cv._testing.random(null);
  }
}
