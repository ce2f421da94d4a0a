// Randomness: only crypto.getRandomValues (or a generator a test injects through _testing).
import assert from "node:assert/strict";
import { test } from "node:test";
import { context, cv, drbg, motion } from "./helpers.mjs";

const ctx = context(cv.definition("MOTION"));

test("an injected generator makes encryption reproducible; without it, fresh every time", () => {
  cv._testing.random(drbg("seed-1"));
  const a = cv.encrypt(ctx, motion("yes"));
  cv._testing.random(drbg("seed-1"));
  const b = cv.encrypt(ctx, motion("yes"));
  cv._testing.random(null);
  assert.equal(a.wire, b.wire);
  assert.notEqual(cv.encrypt(ctx, motion("yes")).wire, a.wire);
});

test("encrypt has no seed parameter: extra arguments change nothing", () => {
  const a = cv.encrypt(ctx, motion("no"), { random: drbg("x") }, 42);
  const b = cv.encrypt(ctx, motion("no"), { random: drbg("x") }, 42);
  assert.notEqual(a.wire, b.wire);
});

test("a drawn 0 is drawn again (64 zero bytes, then real bytes)", () => {
  const real = drbg("after-zero");
  let calls = 0;
  cv._testing.random((n) => (calls++ === 0 ? new Uint8Array(n) : real(n)));
  try {
    const ballot = cv.encrypt(ctx, motion("abstain"));
    assert.ok(ballot.randomness[0].every((r) => r !== "00".repeat(32)));
    assert.ok(cv.checkBallot(ctx, ballot.wire));
  } finally {
    cv._testing.random(null);
  }
});

test("without crypto.getRandomValues there is no ballot", () => {
  const saved = Object.getOwnPropertyDescriptor(globalThis, "crypto");
  Object.defineProperty(globalThis, "crypto", { value: undefined, configurable: true });
  try {
    assert.throws(() => cv.encrypt(ctx, motion("yes")), /no crypto.getRandomValues/);
    assert.throws(() => cv.round1("c", 1, 2), /no crypto.getRandomValues/);
  } finally {
    Object.defineProperty(globalThis, "crypto", saved);
  }
  assert.ok(cv.encrypt(ctx, motion("yes")).wire);
});

test("the module never calls Math.random", () => {
  const saved = Math.random;
  Math.random = () => {
    throw new Error("Math.random called");
  };
  try {
    const c2 = cv.round1("c", 1, 2);
    assert.ok(c2.entry);
    assert.ok(cv.encrypt(ctx, motion("yes")).wire);
  } finally {
    Math.random = saved;
  }
});
