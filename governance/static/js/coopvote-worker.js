// A module Web Worker that encrypts ballots off the page's thread (phones are slow):
//   new Worker(".../coopvote-worker.js", {type: "module"})
//   postMessage({id, ctx})           -> {id, ready: true}   (checks ctx, precomputes Y's table)
//   postMessage({id, ctx, choices})  -> {id, wire, tracker, randomness, choices, auditFile}
//   on any failure                   -> {id, error: message}
// Y's table is built once per context and kept while the worker lives; nothing is stored.
import { encrypt, prepareKey } from "./coopvote.js";

self.onmessage = (event) => {
  const { id, ctx, choices } = event.data || {};
  try {
    if (choices === undefined) {
      prepareKey(ctx);
      self.postMessage({ id, ready: true });
      return;
    }
    const ballot = encrypt(ctx, choices);
    self.postMessage({
      id,
      wire: ballot.wire,
      tracker: ballot.tracker,
      randomness: ballot.randomness,
      choices: ballot.choices,
      auditFile: ballot.auditFile(),
    });
  } catch (err) {
    self.postMessage({ id, error: String((err && err.message) || err) });
  }
};
