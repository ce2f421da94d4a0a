// A module Web Worker that runs coopvote off the page's thread (phones are slow):
//   new Worker(".../coopvote-worker.js", {type: "module"})
//   postMessage({id, ctx})           -> {id, ready: true}   (checks ctx, precomputes Y's table)
//   postMessage({id, ctx, choices})  -> {id, wire, tracker, randomness, choices, auditFile}
//   postMessage({id, op: "sums", definition, wires})
//                                    -> {id, sums}  (a teller's page: ballotSums of the sealed
//                                       ballots, every point checked; null without ballots)
//   on any failure                   -> {id, error: message, teller?}
// Y's table is built once per context and kept while the worker lives; nothing is stored.
import { ballotSums, encrypt, prepareKey } from "./coopvote.js";

function answer(id, { op, ctx, choices, definition, wires }) {
  if (op === "sums") return { id, sums: ballotSums(definition, wires) };
  if (choices === undefined) {
    prepareKey(ctx);
    return { id, ready: true };
  }
  const ballot = encrypt(ctx, choices);
  return {
    id,
    wire: ballot.wire,
    tracker: ballot.tracker,
    randomness: ballot.randomness,
    choices: ballot.choices,
    auditFile: ballot.auditFile(),
  };
}

self.onmessage = (event) => {
  const data = event.data || {};
  try {
    self.postMessage(answer(data.id, data));
  } catch (err) {
    const error = String((err && err.message) || err);
    self.postMessage(
      err && err.teller ? { id: data.id, error, teller: err.teller } : { id: data.id, error },
    );
  }
};
