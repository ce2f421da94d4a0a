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

  // A live state arrived (from live.json or with a beat): show it, keep its ETag and the
  // interval it tells.
  function take(data, tag) {
    etag = tag || etag;
    render(data);
    if (data.poll_seconds) {
      pollSeconds = Number(data.poll_seconds);
    }
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
        take(await response.json(), response.headers.get("ETag"));
      }
    } catch (_error) {
      // offline for a moment: try again at the next tick
    }
  }

  // A failed beat is retried after RETRY seconds; presence lasts 120 seconds (attendance.py).
  const RETRY = 10;
  // The server tells at most 80 s between beats while it is busy (views_live.py), and the page
  // stretches that by up to a fifth (JITTER): a beat never comes later than this after the
  // last one answered, and a failed one is retried well within the 120 s of presence.
  const LATEST_BEAT = 96;

  // The server says when to beat next: later while it is busy (governance/pressure.py).
  let beatSeconds = Number(root.dataset.heartbeatSeconds || 45);

  // The beat's answer carries the live state too (unless the page holds it: its ETag).
  async function heartbeat() {
    let ok = false;
    try {
      const headers = { "X-CSRFToken": root.dataset.csrf, "X-Watch-Pass": watchPass };
      if (etag) {
        headers["X-Live-ETag"] = etag;
      }
      const response = await fetch(root.dataset.heartbeatUrl, {
        method: "POST",
        credentials: "same-origin",
        headers,
      });
      renew(response);
      ok = response.ok;
      if (ok) {
        const data = await response.json();
        if (data.beat_seconds) {
          beatSeconds = Number(data.beat_seconds);
        }
        if (data.live) {
          take(data.live, data.etag);
        }
      }
    } catch (_error) {
      // offline for a moment
    }
    return ok;
  }

  // Every wait is stretched or shortened by up to a fifth at random: pages that were answered
  // together (after the server was slow for a moment, or when a poll opened) would otherwise
  // ask together again, wave after wave. The mean stays the interval the server told.
  const JITTER = 0.2;
  function spread(seconds) {
    return seconds * 1000 * (1 - JITTER + 2 * JITTER * Math.random());
  }

  // The server says when to ask next: later with a large audience (assemblies/live.py).
  let pollSeconds = Number(root.dataset.pollSeconds || 5);

  // One request per tick: the live state (live.json), or, once a beat is due, the beat, whose
  // answer carries the state as well. So a member's presence costs no request of its own: the
  // beat takes the place of the first live-state request after its interval (45 s, told by
  // the server) has passed, and the tick is brought forward if that would be later than
  // LATEST_BEAT. The first tick, as the page opens, is a beat. A failed beat is followed by a
  // live-state request in the same tick (the page stays current) and retried after RETRY.
  const beats = Boolean(root.dataset.heartbeatUrl);
  let lastBeat = null; // when the last answered beat was sent (ms)
  let beatDue = 0; // when the next beat is due (ms)

  async function tick() {
    const now = Date.now();
    let retry = false;
    if (beats && (lastBeat === null || now >= beatDue)) {
      if (await heartbeat()) {
        lastBeat = now;
        beatDue = now + Math.min(spread(beatSeconds), LATEST_BEAT * 1000);
      } else {
        await poll();
        retry = true;
      }
    } else {
      await poll();
    }
    // The interval the answer told (a large audience asks less often: assemblies/live.py),
    // brought forward to the latest beat; a failed beat's retry is never brought forward.
    let wait = spread(retry ? Math.min(pollSeconds, RETRY) : pollSeconds);
    if (!retry && lastBeat !== null) {
      wait = Math.min(wait, Math.max(0, lastBeat + LATEST_BEAT * 1000 - Date.now()));
    }
    window.setTimeout(tick, wait);
  }

  if (beats) {
    tick();
  } else {
    window.setTimeout(tick, spread(pollSeconds));
  }
})();
