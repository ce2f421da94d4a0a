// The teller's page of the key ceremony (governance/tellers/views_teller.py): round 1, the
// fingerprint the tellers compare with each other, the boxed shares, the key file, the
// confirmation — every computation by coopvote.js in this page, every check done here, never
// trusting a value because the server sent it. The polynomial and the transport key live in
// this module's memory only (never local/session storage or IndexedDB): closing or reloading
// the page loses them, and the ceremony starts again. makeShares erases the polynomial.
// Texts come from the page (data-labels); no inline script (CSP).
import * as coopvote from "./coopvote.js";

const root = document.getElementById("teller");
const L = JSON.parse(root.dataset.labels);
const POLL_MS = 2500;

let st = null; // the server's state.json (ordered below)
let secret = null; // {coeffs, transport, …} from coopvote.round1: memory only
let myEntry = null; // what this page posted in round 1
let entries = null; // the round-1 entries this page checked and fingerprinted
let fingerprint = null; // computed here, compared by the tellers
let keyFile = null;
let busy = false;
let reported = false;

const $ = (id) => document.getElementById(id);

function fmt(text, values) {
  return text.replace(/%\((\w+)\)[sd]/g, (_m, key) => String(values[key]));
}

function group4(hex) {
  return hex.match(/.{1,4}/g).join(" ");
}

function show(step) {
  root.querySelectorAll("[data-step]").forEach((el) => {
    el.hidden = el.dataset.step !== step;
  });
}

function showError(text) {
  const el = $("error");
  el.textContent = text || "";
  el.hidden = !text;
}

async function post(name, body) {
  const response = await fetch(root.dataset[`${name}Url`], {
    method: "POST",
    credentials: "same-origin",
    headers: {
      "Content-Type": "application/json",
      Accept: "application/json",
      "X-CSRFToken": root.dataset.csrf,
    },
    body: JSON.stringify({ ceremony: st.ceremony, ...body }),
  });
  const data = await response.json().catch(() => ({}));
  if (!response.ok) {
    throw Object.assign(new Error(data.error || String(response.status)), { server: true });
  }
  return data;
}

// The server's JSON sorts object keys; coopvote expects the fields in the order of
// docs/coopvote.md. Only the order is restored: a missing or extra field stays and is refused.
function inOrder(obj, keys) {
  const exact =
    obj && typeof obj === "object" && Object.keys(obj).sort().join() === [...keys].sort().join();
  return exact ? Object.fromEntries(keys.map((k) => [k, obj[k]])) : obj;
}

function ordered(data) {
  const out = { ...data };
  if (data.entries) {
    out.entries = Object.fromEntries(
      Object.entries(data.entries).map(([i, e]) => [i, inOrder(e, ["T", "A", "c", "s"])]),
    );
  }
  if (Array.isArray(data.boxes)) {
    out.boxes = data.boxes.map((b) => inOrder(b, ["from", "to", "nonce", "box"]));
  }
  return out;
}

async function refresh() {
  try {
    const response = await fetch(root.dataset.stateUrl, {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
      cache: "no-store",
    });
    if (!response.ok) {
      throw new Error(String(response.status));
    }
    const data = await response.json();
    if (data.ceremony !== st.ceremony && secret) {
      // a new ceremony: this page's key part belongs to the old one
      secret = myEntry = entries = fingerprint = keyFile = null;
    }
    st = ordered(data);
    showError("");
  } catch (_error) {
    showError(L.offline);
  }
}

// A failed check: the ceremony is void, naming whose step failed (err.teller from coopvote).
async function report(step, err) {
  if (reported) {
    return;
  }
  reported = true;
  const culprit = Number.isInteger(err.teller) ? err.teller : undefined;
  showError(fmt(L.failed, { reason: err.message }));
  try {
    await post("failure", { step, reason: String(err.message).slice(0, 1900), culprit });
  } catch (postError) {
    showError(fmt(L.error, { reason: postError.message }));
  }
  await refresh();
}

// Run one step of the ceremony; a thrown check (not a refusal by the server) is reported.
async function run(step, fn) {
  if (busy) {
    return;
  }
  busy = true;
  root.setAttribute("aria-busy", "true");
  try {
    await fn();
    await refresh();
  } catch (err) {
    if (err.server) {
      showError(fmt(L.error, { reason: err.message }));
      await refresh();
    } else {
      await report(step, err);
    }
  } finally {
    busy = false;
    root.removeAttribute("aria-busy");
    render();
  }
}

function waiting(label, done) {
  $("wait-text").textContent = fmt(label, { n: done.length, m: st.n });
  show("wait");
}

function lost(step) {
  $("lost-text").textContent = L.lost;
  $("lost-button").dataset.reportStep = step;
  show("lost");
}

// Round-1 entries compared field by field (the server's JSON may order keys differently).
const canonical = (e) => (e ? JSON.stringify([e.T, e.A, e.c, e.s]) : "");
const sameEntry = (a, b) => canonical(a) === canonical(b);
const sameEntries = (a, b) =>
  Object.keys(a).length === Object.keys(b).length &&
  Object.keys(a).every((i) => sameEntry(a[i], b[i]));

// SHARES: check every entry and our own, then the fingerprint to compare (computed once).
async function prepareCompare() {
  const checked = {};
  for (const [i, entry] of Object.entries(st.entries)) {
    await coopvote.checkRound1(st.ceremony, Number(i), st.t, entry);
    checked[Number(i)] = entry;
  }
  if (!sameEntry(checked[st.index], myEntry)) {
    throw Object.assign(new Error(`ceremony: teller ${st.index}'s own entry was changed`), {
      teller: st.index,
    });
  }
  entries = checked;
  fingerprint = await coopvote.fingerprint(st.ceremony, st.n, st.t, entries);
  $("fingerprint").textContent = group4(fingerprint);
}

// CONFIRM: open and check every share sent to us; the key file.
async function openKey() {
  if (!sameEntries(st.entries, entries)) {
    throw new Error("ceremony: the round-1 entries changed after the fingerprint was compared");
  }
  keyFile = await coopvote.openShares(st.ceremony, secret, st.index, st.t, entries, st.boxes);
  if (keyFile.fingerprint !== fingerprint) {
    throw new Error("ceremony: the key file's fingerprint is not the one compared");
  }
  const text = JSON.stringify(keyFile, null, 2);
  const url = URL.createObjectURL(new Blob([text], { type: "application/json" }));
  const name = `teller-key-${root.dataset.assembly}-${st.index}.json`;
  for (const id of ["download", "download-again"]) {
    $(id).href = url;
    $(id).download = name;
  }
  $("key-file").textContent = text;
  const kf = group4(await coopvote.keyFingerprint(keyFile.Y));
  root.querySelectorAll(".key-fingerprint").forEach((el) => {
    el.textContent = kf;
  });
}

function renderSteps() {
  const me = st.index;
  if (st.state === "ROUND1") {
    if (!st.round1.includes(me)) {
      show("round1");
    } else if (secret) {
      waiting(L.waiting_round1, st.round1);
    } else {
      lost("round1");
    }
  } else if (st.state === "SHARES") {
    if (!secret) {
      return lost("shares");
    }
    if (st.shares.includes(me)) {
      return waiting(L.waiting_shares, st.shares);
    }
    if (!fingerprint) {
      return void run("shares", prepareCompare);
    }
    show("compare");
  } else if (st.state === "CONFIRM") {
    if (st.confirmed.includes(me)) {
      return waiting(L.waiting_confirm, st.confirmed);
    }
    if (!secret) {
      return lost("confirm");
    }
    if (!keyFile) {
      return void run("confirm", openKey);
    }
    show("key");
  }
}

function render() {
  if (busy) {
    return;
  }
  const badge = $("status").querySelector(".badge");
  if (badge) {
    badge.textContent = L[st.state] || st.state;
    badge.className = `badge ${{ READY: "ok", VOID: "err" }[st.state] || "warn"}`;
  }
  if (st.state === "VOID") {
    $("void-text").textContent = st.void_reason || "";
    show("void");
  } else if (st.state === "READY") {
    $("ready-fingerprint").textContent = st.key_fingerprint;
    $("ready-download").hidden = !keyFile;
    secret = null;
    show("ready");
  } else {
    renderSteps();
  }
}

$("round1-button").addEventListener("click", () =>
  run("round1", async () => {
    if (!globalThis.crypto || !crypto.getRandomValues) {
      throw new Error(L.no_crypto);
    }
    if (!secret) {
      const made = await coopvote.round1(st.ceremony, st.index, st.t);
      secret = made.secret;
      myEntry = made.entry;
    }
    await post("round1", { entry: JSON.stringify(myEntry) });
  }),
);

$("compared").addEventListener("change", (event) => {
  $("shares-button").disabled = !event.target.checked;
});

$("shares-button").addEventListener("click", () =>
  run("shares", async () => {
    const boxes = await coopvote.makeShares(st.ceremony, secret, st.index, entries);
    await post("shares", { fingerprint, boxes: JSON.stringify(boxes) });
  }),
);

$("differs-button").addEventListener("click", () =>
  report("shares", new Error("ceremony: the tellers' fingerprints differ")).then(render),
);

$("saved").addEventListener("change", (event) => {
  $("confirm-button").disabled = !event.target.checked;
});

$("confirm-button").addEventListener("click", () =>
  run("confirm", async () => {
    await post("confirm", { fingerprint });
  }),
);

$("print-button").addEventListener("click", () => {
  $("key-print").open = true;
  window.print();
});

$("lost-button").addEventListener("click", (event) =>
  report(event.target.dataset.reportStep || "round1", new Error(L.lost)).then(render),
);

async function tick() {
  if (!busy && st.state !== "VOID" && st.state !== "READY") {
    await refresh();
    render();
  }
  if (st.state !== "VOID" && st.state !== "READY") {
    window.setTimeout(tick, POLL_MS);
  }
}

st = ordered(JSON.parse(root.dataset.state));
render();
window.setTimeout(tick, POLL_MS);
