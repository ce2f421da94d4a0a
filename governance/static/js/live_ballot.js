// The ballot on the live page: built from the open poll's description in live.json,
// confirmed on the page, cast with one request (JSON answer), the tracker shown once.
// Encodings as in governance/ballots/choices.py; the server checks every choice.
// In a poll with a key the choice is encrypted in the page (encrypted_ballot.js, loaded before
// this file): the confirmation shows the ballot's tracker, offers to check it, and the cast
// sends only the encrypted ballots (one per vote).
// Loaded before live.js, which hands it every new live state. No inline script (CSP).
"use strict";

window.liveBallot = (function () {
  const el = document.getElementById("live-ballot");
  if (!el) {
    return { show() {}, covers: () => false };
  }
  const L = JSON.parse(el.dataset.labels || "{}");
  // The cooperative's time zone (GOVERNANCE_TIMEZONE), from the page; else the browser's.
  const timeZone = el.dataset.timeZone || undefined;
  const voted = new Set();
  if (el.dataset.votedPoll) {
    voted.add(Number(el.dataset.votedPoll));
  }
  const form = document.getElementById("live-ballot-form");
  const fields = document.getElementById("live-ballot-fields");
  const invalid = document.getElementById("live-ballot-invalid");
  const confirmBox = document.getElementById("live-ballot-confirm");
  const receipt = document.getElementById("live-ballot-receipt");
  const votedNote = document.getElementById("live-ballot-voted");
  const proxy = document.getElementById("live-ballot-proxy");
  const error = document.getElementById("live-ballot-error");
  const castButton = document.getElementById("live-ballot-cast");
  let current = null; // the open poll shown
  let pending = null; // the encoded choice awaiting confirmation
  let caster = null; // the encrypted poll's confirmation step (encrypted_ballot.js)

  function make(tag, attrs, text) {
    const node = document.createElement(tag);
    Object.entries(attrs || {}).forEach(([k, v]) => node.setAttribute(k, v));
    if (text !== undefined) {
      node.textContent = text;
    }
    return node;
  }

  function group(legend, name, type, choices, checked) {
    const set = make("fieldset");
    set.appendChild(make("legend", {}, legend));
    const list = make("ul", { class: "choices" });
    choices.forEach(([value, label], i) => {
      const id = "lb-" + name + "-" + i;
      const input = make("input", { type, name, value, id });
      input.checked = value === checked;
      const item = make("li");
      const row = make("label", { for: id }); // the whole row is tapped
      row.append(input, " ", make("span", {}, label));
      item.appendChild(row);
      list.appendChild(item);
    });
    set.appendChild(list);
    return set;
  }

  function build(b) {
    fields.replaceChildren();
    const answers = [["Y", L.Y], ["N", L.N], ["A", L.A]];
    if (b.kind === "MOTION") {
      const motion = [["YES", L.YES], ["NO", L.NO], ["ABSTAIN", L.ABSTAIN]];
      fields.appendChild(group(L.vote, "choice", "radio", motion, null));
    } else if (b.mode === "YES_NO_ABSTAIN_PER_CANDIDATE") {
      b.options.forEach((o) => {
        fields.appendChild(group(o.label, "c" + o.id, "radio", answers, "A"));
      });
    } else {
      const label = String(L.choose).replace("%(n)d", b.seats);
      // "Abstain" is a row of its own (value 0, as on the ballot page): ticked, never inferred.
      const list = b.options.map((o) => [String(o.id), o.label]).concat([["0", L.ABSTAIN]]);
      fields.appendChild(group(label, "chosen", "checkbox", list, null));
      fields.appendChild(make("p", { class: "hint" }, L.abstain_hint));
    }
  }

  function checked(name) {
    return Array.from(form.querySelectorAll("input[name='" + name + "']:checked"));
  }

  function labelOf(input) {
    const label = form.querySelector("label[for='" + input.id + "']");
    return label ? label.textContent.trim() : input.value;
  }

  // [encoded choice, in words] or [null, error]
  function encode(b) {
    if (b.kind === "MOTION") {
      const one = checked("choice")[0];
      return one ? [one.value, labelOf(one)] : [null, L.required];
    }
    const byId = b.options.slice().sort((x, y) => x.id - y.id);
    if (b.mode === "YES_NO_ABSTAIN_PER_CANDIDATE") {
      const parts = byId.map((o) => [o, checked("c" + o.id)[0]]);
      if (parts.some(([, input]) => !input)) {
        return [null, L.required];
      }
      const words = b.options.map((o) => o.label + ": " + labelOf(checked("c" + o.id)[0]));
      return [parts.map(([o, input]) => o.id + "=" + input.value).join(";"), words.join(", ")];
    }
    const chosen = checked("chosen").map((input) => Number(input.value));
    if (chosen.length === 0) {
      return [null, L.abstain_or_choose];
    }
    if (chosen.includes(0)) {
      return chosen.length > 1 ? [null, L.not_both] : ["ABSTAIN", L.ABSTAIN];
    }
    if (chosen.length > b.seats) {
      return [null, String(L.too_many).replace("%(n)d", b.seats)];
    }
    const words = b.options.filter((o) => chosen.includes(o.id)).map((o) => o.label);
    return [chosen.sort((x, y) => x - y).join(","), words.join(", ")];
  }

  function only(part) {
    [form, confirmBox, receipt, votedNote, error].forEach((node) => {
      node.hidden = node !== part;
    });
    if (proxy) {
      proxy.hidden = !(part === receipt || part === votedNote);
    }
  }

  // The poll's automatic close, in the page's language and the cooperative's time zone.
  function closing(iso) {
    const note = document.getElementById("live-ballot-closes");
    note.hidden = !iso;
    if (iso) {
      const lang = document.documentElement.lang || undefined;
      const time = new Date(iso).toLocaleString(lang, {
        dateStyle: "short",
        timeStyle: "short",
        timeZone,
      });
      note.textContent = L.closes + ": " + time;
    }
  }

  function fail(message) {
    error.textContent = message || L.failed;
    error.hidden = false;
  }

  function group4(hex) {
    return (hex || "").match(/.{1,4}/g).join(" ");
  }

  // How the poll's secrecy is protected: by the tellers' key, or by the server.
  function protection(b) {
    if (b.encrypted) {
      return String(L.encrypted).replace("%(fp)s", group4(b.encrypted.fingerprint));
    }
    return L.server;
  }

  function encrypted(poll) {
    if (!poll.ballot.encrypted || !window.encryptedBallot) {
      return null;
    }
    return window.encryptedBallot.Caster({
      crypto: { ctx: poll.ballot.encrypted, worker_url: el.dataset.worker },
      labels: L,
      box: document.getElementById("live-ballot-crypto"),
      castButton,
      prefix: "live-ballot",
      fail,
    });
  }

  function show(poll) {
    if (!poll || !poll.ballot || !poll.cast_url) {
      // The poll is over: a receipt stays readable, an unfinished ballot goes.
      if (current && receipt.hidden) {
        el.hidden = true;
      }
      current = null;
      return;
    }
    if (current && current.id === poll.id) {
      return;
    }
    current = poll;
    document.getElementById("live-ballot-title").textContent = poll.title;
    const note = document.getElementById("live-ballot-note");
    if (poll.ballot.secret) {
      note.replaceChildren(L.secret, make("br"), protection(poll.ballot));
    } else {
      note.textContent = L.named;
    }
    if (caster) {
      caster.dispose();
    }
    caster = encrypted(poll);
    closing(poll.closes_at);
    if (proxy) {
      proxy.querySelector("a").href = poll.vote_url;
    }
    // One call to action: the ballot here replaces the link to the ballot page (live.js).
    const link = document.getElementById("live-vote");
    if (link) {
      link.hidden = true;
    }
    if (voted.has(poll.id)) {
      only(votedNote);
    } else {
      build(poll.ballot);
      invalid.hidden = true;
      only(form);
    }
    el.hidden = false;
  }

  // A candidate and "Abstain" exclude each other: ticking one unticks the other.
  form.addEventListener("change", (event) => {
    const box = event.target;
    if (box.name !== "chosen" || !box.checked) {
      return;
    }
    checked("chosen").forEach((other) => {
      if (other !== box && (other.value === "0" || box.value === "0")) {
        other.checked = false;
      }
    });
  });

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const [choice, words] = encode(current.ballot);
    if (choice === null) {
      invalid.textContent = words;
      invalid.hidden = false;
      return;
    }
    invalid.hidden = true;
    pending = choice;
    document.getElementById("live-ballot-choice").textContent = words;
    error.hidden = true;
    only(confirmBox);
    document.getElementById("live-ballot-confirm-heading").focus();
    if (caster) {
      const votes = current.ballot.weighted ? Number(el.dataset.weight || 1) : 1;
      caster.prepare(window.encryptedBallot.vectors(current.ballot, choice), votes, words);
    }
  });

  document.getElementById("live-ballot-change").addEventListener("click", () => {
    if (caster) {
      caster.clear();
    }
    only(form);
    const first = form.querySelector("input");
    if (first) {
      first.focus();
    }
  });

  // A request that never reached the server (connection refused or reset while it is
  // overloaded) is sent again after a short random pause, up to TRIES times. If a lost answer
  // hides a cast that was stored, the next try is told so ("already cast"), never counted twice.
  const TRIES = 3;

  function pause() {
    return new Promise((resolve) => window.setTimeout(resolve, 1000 + Math.random() * 2000));
  }

  async function send(url, body) {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await fetch(url, {
          method: "POST",
          credentials: "same-origin",
          headers: { Accept: "application/json" },
          body,
        });
      } catch (error) {
        if (attempt >= TRIES) {
          throw error;
        }
        await pause();
      }
    }
  }

  function showTrackers(trackers) {
    const list = document.getElementById("live-trackers");
    list.replaceChildren();
    trackers.forEach((t) => {
      const item = make("li");
      item.appendChild(make("code", { class: "tracker" }, t));
      list.appendChild(item);
    });
    const label = trackers.length > 1 ? L.tracker_many : L.tracker_one;
    document.getElementById("live-ballot-tracker-label").textContent = label;
    only(receipt);
    document.getElementById("live-ballot-receipt-heading").focus();
  }

  // The cast's body: the encrypted ballots, or the choice padded to one length whatever it is
  // (sizes are visible on the network, even through TLS; encrypted ballots have one size).
  function castBody(poll) {
    if (caster) {
      return window.encryptedBallot.castBody(el.dataset.csrf, el.dataset.voter, caster.wires());
    }
    const body = new URLSearchParams({
      csrf_token: el.dataset.csrf,
      voter: el.dataset.voter,
      choice: pending,
    });
    const width = new URLSearchParams({ choice: pending }).toString().length - "choice=".length;
    body.append("pad", "x".repeat(Math.max(0, (poll.ballot.pad_to || 0) - width)));
    return body;
  }

  castButton.addEventListener("click", async () => {
    const poll = current;
    if (caster && !caster.wires().length) {
      return; // still encrypting
    }
    castButton.disabled = true;
    try {
      const response = await send(poll.cast_url, castBody(poll));
      const type = response.headers.get("Content-Type") || "";
      const answer = type.includes("application/json") ? await response.json() : {};
      if (response.ok && answer.trackers) {
        voted.add(poll.id);
        if (caster) {
          caster.clear();
        }
        showTrackers(answer.trackers);
        const detail = { poll: poll.id, votes: answer.trackers.length };
        document.dispatchEvent(new CustomEvent("live:cast", { detail })); // live.js's turnout
      } else if (answer.voted) {
        voted.add(poll.id); // cast already (e.g. the answer to an earlier try was lost)
        only(votedNote);
        fail(answer.error);
      } else {
        only(form);
        fail(answer.error);
      }
    } catch (_error) {
      only(confirmBox);
      fail(L.failed);
    } finally {
      castButton.disabled = false;
    }
  });

  // Whether the ballot on this page stands for the poll (then the ballot page's link goes).
  function covers(poll) {
    return Boolean(current && poll && current.id === poll.id);
  }

  const initial = el.dataset.poll ? JSON.parse(el.dataset.poll) : null;
  show(initial);
  return { show, covers };
})();
