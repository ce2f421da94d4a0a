// A teller's decryption of a sealed encrypted poll (templates/ballots/decrypt.html).
//
// The page never decrypts a sum it is handed: it downloads the sealed ballots, recomputes the
// seal's Merkle root from them (governance/ballots/seal.py: leaf = SHA-256 of
// "v1|<poll id>|<tracker hex>|<cipher>", leaves sorted, node = SHA-256(0x01 | left | right),
// an odd last node carried up), checks the count of ballots and that every α is distinct,
// adds up the ciphertexts itself (coopvote.ballotSums) and only then decrypts those sums with
// the teller's key file (coopvote.partialDecrypt). The key file is read in the browser and
// never sent. Texts come from the page (data-labels).
import * as coopvote from "./coopvote.js";

const encoder = new TextEncoder();

function toHex(bytes) {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

async function sha256(bytes) {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
}

function compareBytes(a, b) {
  for (let i = 0; i < a.length; i += 1) {
    if (a[i] !== b[i]) {
      return a[i] - b[i];
    }
  }
  return 0;
}

/** The Merkle root (hex) of the ballots [[tracker hex, cipher], …] of poll `pollId`. */
export async function merkleRoot(pollId, ballots) {
  if (!ballots.length) {
    return toHex(await sha256(new Uint8Array(0)));
  }
  let level = await Promise.all(
    ballots.map(([tracker, cipher]) => sha256(encoder.encode(`v1|${pollId}|${tracker}|${cipher}`))),
  );
  level.sort(compareBytes);
  while (level.length > 1) {
    const pairs = [];
    for (let i = 0; i + 1 < level.length; i += 2) {
      const node = new Uint8Array(65);
      node[0] = 1;
      node.set(level[i], 1);
      node.set(level[i + 1], 33);
      pairs.push(sha256(node));
    }
    const next = await Promise.all(pairs);
    if (level.length % 2) {
      next.push(level[level.length - 1]);
    }
    level = next;
  }
  return toHex(level[0]);
}

/** Whether every α of every ballot is distinct (a copied ciphertext is refused). */
export function distinctAlphas(wires) {
  const seen = new Set();
  for (const wire of wires) {
    for (const question of JSON.parse(wire).questions) {
      for (const option of question) {
        if (seen.has(option.alpha)) {
          return false;
        }
        seen.add(option.alpha);
      }
    }
  }
  return true;
}

/** Check the downloaded box; its sums, or an Error whose message is the label to show. */
export async function checkBox(box, L) {
  const wires = box.ballots.map((b) => b[1]);
  if ((await merkleRoot(box.poll_id, box.ballots)) !== box.root) {
    throw new Error(L.root_bad);
  }
  if (box.ballots.length !== box.count) {
    throw new Error(L.count_bad);
  }
  if (!distinctAlphas(wires)) {
    throw new Error(L.alpha_bad);
  }
  return coopvote.ballotSums(box.ctx.definition, wires);
}

function keyMatches(key, box) {
  return (
    key &&
    key.format === "coopvote.teller-key" &&
    key.ceremony === box.ctx.ceremony &&
    key.index === box.teller &&
    key.Y === box.ctx.Y
  );
}

async function main(el) {
  const L = JSON.parse(el.dataset.labels);
  const status = document.getElementById("decrypt-status");
  const error = document.getElementById("decrypt-error");
  const form = document.getElementById("decrypt-form");
  const send = document.getElementById("decrypt-send");
  const fail = (message) => {
    error.textContent = message;
    error.hidden = false;
  };
  let box;
  let sums;
  try {
    const response = await fetch(el.dataset.box, {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    });
    box = await response.json();
    if (!response.ok) {
      throw new Error(box.error || L.failed);
    }
    status.textContent = L.checking;
    sums = await checkBox(box, L);
  } catch (err) {
    status.textContent = "";
    fail(err.message || L.failed);
    return;
  }
  document.getElementById("decrypt-title").textContent = box.title;
  document.getElementById("decrypt-checked").textContent = String(box.ballots.length);
  status.textContent = L.ready;
  form.hidden = false;
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.hidden = true;
    const file = document.getElementById("decrypt-key").files[0];
    let key;
    try {
      key = JSON.parse(await file.text());
    } catch (_err) {
      key = null;
    }
    if (!keyMatches(key, box)) {
      fail(L.key_bad);
      return;
    }
    send.disabled = true;
    status.textContent = L.working;
    try {
      const shares = coopvote.partialDecrypt(box.ctx, key, sums);
      const body = new URLSearchParams({
        csrf_token: el.dataset.csrf,
        shares: JSON.stringify(shares),
      });
      const response = await fetch(el.dataset.post, {
        method: "POST",
        credentials: "same-origin",
        headers: { Accept: "application/json" },
        body,
      });
      const answer = await response.json();
      if (!response.ok) {
        throw new Error(answer.error || L.failed);
      }
      status.textContent = L.done;
      form.hidden = true;
      const state = document.getElementById("decrypt-state");
      if (state) {
        state.textContent = answer.progress;
      }
    } catch (err) {
      status.textContent = "";
      fail(err.message || L.failed);
      send.disabled = false;
    }
  });
}

const root = document.getElementById("decrypt");
if (root) {
  main(root);
}
