// The room's figures: the list of speakers, and on the cockpit and the screen the open poll's
// turnout against the members present. With data-url the page asks for its state itself
// (cockpit.json, screen.json, live.json); on the live page it follows live.js ("live:state").
// When the item, the poll or the result changes the page reloads: the server renders it anew.
// Progressive enhancement: every page shows the same without scripts. No inline script (CSP).
(function () {
  "use strict";
  const root = document.getElementById("room");
  if (!root) {
    return;
  }
  const labels = root.dataset.labels ? JSON.parse(root.dataset.labels) : {};
  const keyFields = (root.dataset.keyFields || "").split(" ").filter(Boolean);
  const SECONDS = 5;

  function fill(template, values) {
    return Object.keys(values).reduce(
      (text, name) => text.split("%(" + name + ")d").join(String(values[name])),
      String(template || ""),
    );
  }

  function setText(id, text) {
    const el = document.getElementById(id);
    if (el && el.textContent !== text) {
      el.textContent = text;
    }
  }

  function describe(speaker) {
    let text = speaker.name;
    if (speaker.kind === "POINT_OF_ORDER") {
      text += " (" + labels.POINT_OF_ORDER + ")";
    }
    return text;
  }

  function showSpeakers(floor) {
    if (!floor) {
      return;
    }
    const current = floor.current;
    let text = labels.nobody || "-";
    if (current) {
      text = describe(current);
      if (current.speaking_time_s) {
        text += " · " + fill(labels.minutes, { n: Math.floor(current.speaking_time_s / 60) });
      }
    }
    setText("room-speaker", text);
    const list = document.getElementById("room-queue");
    if (!list || list.querySelector("form")) {
      return; // the chair's list has buttons: it changes with a reload
    }
    const names = floor.queue.map(describe);
    const shown = Array.from(list.children).map((li) => li.textContent.trim());
    const wanted = names.length ? names : [list.dataset.empty || ""];
    if (shown.join("\n") === wanted.join("\n")) {
      return;
    }
    list.replaceChildren(
      ...wanted.map((name) => {
        const li = document.createElement("li");
        li.textContent = name;
        if (!names.length) {
          li.className = "muted";
        }
        return li;
      }),
    );
  }

  function showTurnout(turnout) {
    if (!turnout) {
      return;
    }
    setText("room-turnout", fill(labels.turnout, { cast: turnout.cast, present: turnout.present }));
    setText("room-proxy", fill(labels.by_proxy, { n: turnout.by_proxy }));
  }

  function floorKey(floor) {
    if (!floor) {
      return "";
    }
    return (floor.current ? floor.current.id : "") + "-" + floor.queue.map((s) => s.id).join(".");
  }

  function keyOf(data) {
    const parts = {
      state: data.state,
      item: data.item ? data.item.id : "",
      poll: data.poll ? data.poll.id : "",
      result: data.result ? data.result.id : "",
      floor: floorKey(data.speakers),
    };
    return keyFields.map((name) => parts[name]).join(":");
  }

  function render(data) {
    if (keyFields.length && keyOf(data) !== root.dataset.key) {
      window.location.reload();
      return;
    }
    showSpeakers(data.speakers);
    showTurnout(data.turnout);
  }

  document.addEventListener("live:state", (event) => render(event.detail));

  if (!root.dataset.url) {
    return;
  }
  async function follow() {
    try {
      const response = await fetch(root.dataset.url, { credentials: "same-origin" });
      if (response.status === 200) {
        render(await response.json());
      }
    } catch (_error) {
      // offline for a moment: try again at the next tick
    }
    window.setTimeout(follow, SECONDS * 1000);
  }
  window.setTimeout(follow, SECONDS * 1000);
})();
