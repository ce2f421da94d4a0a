// The live page: polls the small live-state JSON (with its ETag) and, for remote members,
// sends a heartbeat so they count as present online. No inline script (CSP).
(function () {
  "use strict";
  const root = document.getElementById("live");
  if (!root) {
    return;
  }
  const none = root.dataset.labelNone || "-";
  const stateEl = document.getElementById("live-state");
  const labels = stateEl && stateEl.dataset.labels ? JSON.parse(stateEl.dataset.labels) : {};
  let etag = null;
  // The watch pass (assemblies/watch.py) spares the server a full login check per request;
  // answers renew it when it gets old.
  let watchPass = root.dataset.watchPass || "";

  function renew(response) {
    const fresh = response.headers.get("X-Watch-Pass");
    if (fresh) {
      watchPass = fresh;
    }
  }

  function setText(id, text) {
    const el = document.getElementById(id);
    if (el && el.textContent !== text) {
      el.textContent = text;
    }
  }

  function render(data) {
    // The list of speakers follows the same state (static/js/room.js).
    document.dispatchEvent(new CustomEvent("live:state", { detail: data }));
    if (window.liveBallot) {
      window.liveBallot.show(data.poll); // static/js/live_ballot.js
    }
    setText("live-state", labels[data.state] || data.state);
    setText("live-item", data.item ? "TOP " + data.item.number + " · " + data.item.title : none);
    setText("live-poll", data.poll ? data.poll.title : none);
    const vote = document.getElementById("live-vote");
    if (vote) {
      if (data.poll && data.poll.vote_url) {
        vote.href = data.poll.vote_url;
        // One call to action: where the ballot is on this page, the link to its page goes.
        vote.hidden = Boolean(window.liveBallot && window.liveBallot.covers(data.poll));
      } else {
        vote.removeAttribute("href");
        vote.hidden = true;
      }
    }
    showResult(data.result);
    setText("live-turnout", turnoutOf(data.poll));
    setText("live-present", data.present.total + " / " + data.roll);
    document.querySelectorAll(".agenda-item.current").forEach((el) => el.classList.remove("current"));
    if (data.item) {
      const current = document.getElementById("live-top-" + data.item.id);
      if (current) {
        current.classList.add("current");
      }
    }
  }

  // Votes cast so far never go down while a poll is open: the cached state may be a few
  // seconds behind this member's own vote (counted in at once, "live:cast").
  const turnoutEl = document.getElementById("live-turnout");
  let floor = {
    poll: turnoutEl && turnoutEl.dataset.poll ? Number(turnoutEl.dataset.poll) : null,
    votes: turnoutEl ? Number(turnoutEl.dataset.votes || 0) : 0,
  };

  function turnoutOf(poll) {
    if (!poll || poll.turnout === null || poll.turnout === undefined) {
      return "–";
    }
    if (floor.poll !== poll.id) {
      floor = { poll: poll.id, votes: 0 };
    }
    floor.votes = Math.max(floor.votes, Number(poll.turnout));
    return String(floor.votes);
  }

  document.addEventListener("live:cast", (event) => {
    if (floor.poll === event.detail.poll) {
      floor.votes += event.detail.votes;
      setText("live-turnout", String(floor.votes));
    }
  });

  // The result published last: its title (linked to the results page) and outcome.
  function showResult(result) {
    const el = document.getElementById("live-result");
    if (!el) {
      return;
    }
    const words = el.dataset.labels ? JSON.parse(el.dataset.labels) : {};
    const key = result ? result.id + ":" + result.outcome : "";
    if (el.dataset.shown === key) {
      return;
    }
    el.dataset.shown = key;
    if (!result) {
      el.textContent = none;
      return;
    }
    let outcome = words[result.outcome] || result.outcome;
    if (result.outcome === "ELECTED") {
      outcome = String(words.ELECTED).replace("%(names)s", result.elected.join(", "));
    } else if (result.outcome === "REJECTED" && result.kind === "ELECTION") {
      outcome = words.NOBODY;
    }
    const link = document.createElement("a");
    link.href = result.url;
    link.textContent = result.title;
    const strong = document.createElement("strong");
    strong.textContent = outcome;
    el.replaceChildren(link, ": ", strong);
  }

  async function poll() {
    try {
      const headers = { "X-Watch-Pass": watchPass };
      if (etag) {
        headers["If-None-Match"] = etag;
      }
      const response = await fetch(root.dataset.url, { headers, credentials: "same-origin" });
      renew(response);
      if (response.status === 200) {
        etag = response.headers.get("ETag");
        const data = await response.json();
        render(data);
        if (data.poll_seconds) {
          pollSeconds = Number(data.poll_seconds);
        }
      }
    } catch (_error) {
      // offline for a moment: try again at the next tick
    }
  }

  // A failed beat is retried after RETRY seconds; presence lasts 120 seconds (attendance.py).
  const RETRY = 10;

  // The server says when to beat next: later while it is busy (governance/pressure.py).
  let beatSeconds = Number(root.dataset.heartbeatSeconds || 45);

  async function heartbeat() {
    let ok = false;
    try {
      const response = await fetch(root.dataset.heartbeatUrl, {
        method: "POST",
        credentials: "same-origin",
        headers: { "X-CSRFToken": root.dataset.csrf, "X-Watch-Pass": watchPass },
      });
      renew(response);
      ok = response.ok;
      if (ok) {
        const data = await response.json();
        if (data.beat_seconds) {
          beatSeconds = Number(data.beat_seconds);
        }
      }
    } catch (_error) {
      // offline for a moment
    }
    return ok;
  }

  // Every wait is stretched or shortened by up to a fifth at random: pages that were answered
  // together (after the server was slow for a moment, or when a poll opened) would otherwise
  // ask together again, wave after wave. The mean stays the interval the server told; the
  // longest beat (80 s × 1.2) stays within the 120 seconds of presence.
  const JITTER = 0.2;
  function spread(seconds) {
    return seconds * 1000 * (1 - JITTER + 2 * JITTER * Math.random());
  }

  async function beat() {
    const ok = await heartbeat();
    window.setTimeout(beat, spread(ok ? beatSeconds : RETRY));
  }

  // The server says when to ask next: later with a large audience (assemblies/live.py).
  let pollSeconds = Number(root.dataset.pollSeconds || 5);

  async function follow() {
    await poll();
    window.setTimeout(follow, spread(pollSeconds));
  }

  window.setTimeout(follow, spread(pollSeconds));
  if (root.dataset.heartbeatUrl) {
    beat();
  }
})();
