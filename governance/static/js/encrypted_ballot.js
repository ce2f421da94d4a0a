// Voting in a secret poll with a key (docs/coopvote.md): the choice is encrypted in this page,
// in a Web Worker (coopvote-worker.js), and only the encrypted ballot with its proofs is sent.
// Before casting, the voter sees the ballot's tracker and may check the ballot instead
// (Benaloh): the page then reveals what that ballot contained, offers its check file for
// software that does not come from this server (verify_bundle.py audit FILE), never sends it,
// and encrypts a new ballot with fresh randomness.
// Used by the live page's ballot (live_ballot.js, loaded after this file) and by the ballot
// page (#encrypted-ballot, set up at the end). Texts come from the page (data-labels).
// Nothing is stored in the browser: no storage APIs, no randomness outside the worker.
"use strict";

window.encryptedBallot = (function () {
  const CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

  // The tracker as the receipt and the ballot box show it (ballots/trackers.py): 16 bytes in
  // Crockford's base32, 26 digits in groups of four.
  function formatTracker(hex) {
    let value = BigInt("0x" + hex) << 2n;
    let digits = "";
    for (let i = 0; i < 26; i += 1) {
      digits = CROCKFORD[Number(value & 31n)] + digits;
      value >>= 5n;
    }
    return digits.match(/.{1,4}/g).join("-");
  }

  // The choice (encoded as in ballots/choices.py) as 0/1 per option of each question of the
  // poll's coopvote definition (ballots/encryption.py, definition_for): options in their order.
  // desc: {kind, mode, options: [ids in position order] or [{id}], seats}.
  function vectors(desc, choice) {
    const ids = (desc.options || []).map((o) => (typeof o === "object" ? o.id : o));
    if (desc.kind === "MOTION") {
      return [["YES", "NO", "ABSTAIN"].map((c) => (c === choice ? 1 : 0))];
    }
    if (desc.mode === "YES_NO_ABSTAIN_PER_CANDIDATE") {
      const answers = new Map(
        choice.split(";").map((part) => {
          const [id, answer] = part.split("=");
          return [Number(id), answer];
        }),
      );
      return ids.map((id) => ["Y", "N", "A"].map((a) => (answers.get(id) === a ? 1 : 0)));
    }
    if (choice === "ABSTAIN") {
      return [ids.map(() => 0).concat([1])];
    }
    const chosen = new Set(choice.split(",").map(Number));
    return [ids.map((id) => (chosen.has(id) ? 1 : 0)).concat([0])];
  }

  function make(tag, attrs, text) {
    const node = document.createElement(tag);
    Object.entries(attrs || {}).forEach(([k, v]) => node.setAttribute(k, v));
    if (text !== undefined) {
      node.textContent = text;
    }
    return node;
  }

  // The confirmation step of an encrypted vote: encrypts `count` ballots of one choice in the
  // worker, shows their trackers, and on "check" reveals them and encrypts anew.
  // opts: {crypto: {ctx, worker_url}, labels, box, castButton, prefix, fail(message)}
  function Caster(opts) {
    const L = opts.labels;
    const key = opts.crypto.ctx;
    const ctx = {
      ceremony: key.ceremony,
      Y: key.Y,
      assembly: key.assembly,
      poll: key.poll,
      definition: key.definition,
    };
    let worker = null;
    let seq = 0;
    const waiting = new Map();
    let ballots = [];
    let choices = null;
    let count = 1;
    let words = "";
    let round = 0; // a newer preparation makes an older one's results void

    function start() {
      if (worker) {
        return;
      }
      if (!window.Worker || !window.crypto || !window.crypto.getRandomValues) {
        throw new Error(L.no_crypto);
      }
      worker = new Worker(opts.crypto.worker_url, { type: "module" });
      worker.onmessage = (event) => {
        const data = event.data || {};
        const pending = waiting.get(data.id);
        waiting.delete(data.id);
        if (pending) {
          if (data.error) {
            pending.reject(new Error(data.error));
          } else {
            pending.resolve(data);
          }
        }
      };
      worker.onerror = () => {
        waiting.forEach((pending) => pending.reject(new Error(L.encrypt_failed)));
        waiting.clear();
      };
    }

    function call(message) {
      return new Promise((resolve, reject) => {
        seq += 1;
        waiting.set(seq, { resolve, reject });
        worker.postMessage(Object.assign({ id: seq }, message));
      });
    }

    function trackersPart() {
      const part = make("div", { id: opts.prefix + "-encrypted" });
      part.appendChild(make("p", {}, L.pre_tracker));
      const list = make("ul", { class: "trackers", id: opts.prefix + "-pretrackers" });
      ballots.forEach((b) => {
        const item = make("li");
        item.appendChild(make("code", { class: "tracker" }, formatTracker(b.tracker)));
        list.appendChild(item);
      });
      part.appendChild(list);
      const check = make("button", { type: "button", class: "button", id: opts.prefix + "-check" }, L.check);
      check.addEventListener("click", () => checkBallots());
      part.appendChild(check);
      return part;
    }

    async function encryptAll() {
      const mine = ++round;
      opts.castButton.disabled = true;
      const old = document.getElementById(opts.prefix + "-encrypted");
      const busy = make("p", { id: opts.prefix + "-encrypted", role: "status" }, L.encrypting);
      if (old) {
        old.replaceWith(busy);
      } else {
        opts.box.appendChild(busy);
      }
      try {
        start();
        const made = [];
        for (let i = 0; i < count; i += 1) {
          made.push(await call({ ctx, choices }));
        }
        if (mine !== round) {
          return;
        }
        ballots = made;
        busy.replaceWith(trackersPart());
        opts.castButton.disabled = false;
      } catch (error) {
        if (mine === round) {
          busy.remove();
          opts.fail(error && error.message === L.no_crypto ? L.no_crypto : L.encrypt_failed);
        }
      }
    }

    // Benaloh's check: reveal the ballots shown (never sent), offer their check files, and
    // encrypt new ones with fresh randomness.
    function checkBallots() {
      const shown = ballots;
      ballots = [];
      const audit = make("div", { id: opts.prefix + "-audit", class: "card" });
      audit.appendChild(make("p", {}, String(L.checked).replace("%(choice)s", words)));
      const list = make("ul");
      shown.forEach((b) => {
        const file = new Blob([JSON.stringify(b.auditFile, null, 1)], { type: "application/json" });
        const link = make("a", {
          href: URL.createObjectURL(file),
          download: "coopvote-check-" + b.tracker + ".json",
          class: "button",
        }, L.download + " (" + formatTracker(b.tracker) + ")");
        const item = make("li");
        item.appendChild(link);
        list.appendChild(item);
      });
      audit.appendChild(list);
      const old = document.getElementById(opts.prefix + "-audit");
      if (old) {
        old.replaceWith(audit);
      } else {
        opts.box.prepend(audit);
      }
      return encryptAll();
    }

    return {
      // Encrypt `n` ballots of this choice (one per vote) and show their trackers.
      prepare(vectorsOfChoice, n, inWords) {
        choices = vectorsOfChoice;
        count = n;
        words = inWords;
        ballots = [];
        opts.box.replaceChildren();
        return encryptAll();
      },
      check: checkBallots,
      // The wire ballots to send; empty while encrypting.
      wires() {
        return ballots.map((b) => b.wire);
      },
      // After the cast: nothing of the ballots stays in the page.
      clear() {
        round += 1;
        ballots = [];
        opts.box.replaceChildren();
      },
      // Another poll is shown: end this one's worker.
      dispose() {
        round += 1;
        ballots = [];
        if (worker) {
          worker.terminate();
          worker = null;
        }
      },
    };
  }

  // One POST (form-encoded, CSRF token in the body, JSON answer), as live_ballot.js casts.
  function castBody(csrf, voter, wires) {
    const body = new URLSearchParams({ csrf_token: csrf, voter: String(voter) });
    wires.forEach((w) => body.append("ballot", w));
    return body;
  }

  return { formatTracker, vectors, Caster, castBody, make };
})();

// The ballot page of an encrypted poll (ballots/vote.html).
(function () {
  const form = document.getElementById("encrypted-ballot");
  if (!form) {
    return;
  }
  const EB = window.encryptedBallot;
  const crypto = JSON.parse(form.dataset.crypto);
  const desc = JSON.parse(form.dataset.ballot);
  const L = crypto.labels;
  const confirmBox = document.getElementById("eb-confirm");
  const receipt = document.getElementById("eb-receipt");
  const error = document.getElementById("eb-error");
  const invalid = document.getElementById("eb-invalid");
  const castButton = document.getElementById("eb-cast");
  document.getElementById("eb-continue").hidden = false;

  function fail(message) {
    error.textContent = message;
    error.hidden = false;
  }

  const caster = EB.Caster({
    crypto,
    labels: L,
    box: document.getElementById("eb-box"),
    castButton,
    prefix: "eb",
    fail,
  });

  function checked(name) {
    return Array.from(form.querySelectorAll("input[name='" + name + "']:checked"));
  }

  function labelOf(input) {
    const label = form.querySelector("label[for='" + input.id + "']");
    return label ? label.textContent.trim() : input.value;
  }

  // [encoded choice, in words] or [null, null] when incomplete
  function encode() {
    if (desc.kind === "MOTION") {
      const one = checked("choice")[0];
      return one ? [one.value, labelOf(one)] : [null, null];
    }
    if (desc.mode === "YES_NO_ABSTAIN_PER_CANDIDATE") {
      const parts = desc.options.map((o) => [o, checked("c" + o.id)[0]]);
      if (parts.some(([, input]) => !input)) {
        return [null, null];
      }
      const words = parts.map(([o, input]) => o.label + ": " + labelOf(input));
      const sorted = parts.slice().sort((a, b) => a[0].id - b[0].id);
      return [sorted.map(([o, input]) => o.id + "=" + input.value).join(";"), words.join(", ")];
    }
    // "Abstain" is a box of its own (value 0, forms.py ABSTAIN_ID): ticked, never inferred.
    const chosen = checked("chosen");
    const abstain = chosen.some((input) => input.value === "0");
    if (chosen.length === 0 || (abstain && chosen.length > 1) || chosen.length > desc.seats) {
      return [null, null];
    }
    if (abstain) {
      return ["ABSTAIN", L.ABSTAIN];
    }
    const ids = chosen.map((input) => Number(input.value)).sort((a, b) => a - b);
    return [ids.join(","), chosen.map(labelOf).join(", ")];
  }

  function only(part) {
    [form, confirmBox, receipt].forEach((node) => {
      node.hidden = node !== part;
    });
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    error.hidden = true;
    const voter = checked("voter")[0];
    const [choice, words] = encode();
    if (!voter || choice === null) {
      invalid.textContent = L.required;
      invalid.hidden = false;
      return;
    }
    invalid.hidden = true;
    document.getElementById("eb-voter").textContent = labelOf(voter);
    document.getElementById("eb-choice").textContent = words;
    only(confirmBox);
    document.getElementById("eb-confirm-heading").focus();
    const count = crypto.ballots[voter.value] || 1;
    caster.prepare(EB.vectors(desc, choice), count, words);
  });

  document.getElementById("eb-change").addEventListener("click", () => {
    caster.clear();
    error.hidden = true;
    only(form);
  });

  castButton.addEventListener("click", async () => {
    const wires = caster.wires();
    if (!wires.length) {
      return;
    }
    castButton.disabled = true;
    const voter = checked("voter")[0];
    try {
      const response = await fetch(crypto.cast_url, {
        method: "POST",
        credentials: "same-origin",
        headers: { Accept: "application/json" },
        body: EB.castBody(form.dataset.csrf, voter.value, wires),
      });
      const type = response.headers.get("Content-Type") || "";
      const answer = type.includes("application/json") ? await response.json() : {};
      if (response.ok && answer.trackers) {
        caster.clear();
        const list = document.getElementById("trackers");
        list.replaceChildren();
        answer.trackers.forEach((t) => {
          const item = EB.make("li");
          item.appendChild(EB.make("code", { class: "tracker" }, t));
          list.appendChild(item);
        });
        const label = document.getElementById("eb-tracker-label");
        label.textContent = answer.trackers.length > 1 ? label.dataset.many : label.dataset.one;
        only(receipt);
        document.getElementById("eb-receipt-heading").focus();
      } else {
        fail(answer.error || L.encrypt_failed);
        castButton.disabled = false;
      }
    } catch (_error) {
      fail(L.encrypt_failed);
      castButton.disabled = false;
    }
  });
})();
