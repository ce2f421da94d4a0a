// The tracker (Prüfcode) after a vote: copy it, save it as a text file, print it
// (templates/macros/tracker.html). The buttons appear only with this script. No inline script (CSP).
"use strict";

(function () {
  function trackers(tools) {
    const list = document.getElementById(tools.dataset.list);
    return list ? Array.from(list.querySelectorAll("code.tracker"), (c) => c.textContent.trim()) : [];
  }

  function title(tools) {
    const from = tools.dataset.titleFrom && document.getElementById(tools.dataset.titleFrom);
    return from ? from.textContent.trim() : tools.dataset.title;
  }

  // The text copied or saved: the poll, the tracker(s), what it is for.
  function text(tools, L) {
    const codes = trackers(tools);
    const heading = codes.length > 1 ? L.many : L.one;
    return [title(tools), "", heading, ...codes, "", L.why, ""].join("\n");
  }

  function say(tools, message) {
    tools.querySelector("[data-status]").textContent = message;
  }

  async function copy(tools, L) {
    try {
      await navigator.clipboard.writeText(trackers(tools).join("\n"));
      say(tools, L.copied);
    } catch (_error) {
      say(tools, L.copy_failed);
    }
  }

  function save(tools, L) {
    const blob = new Blob([text(tools, L)], { type: "text/plain;charset=utf-8" });
    const link = document.createElement("a");
    link.href = URL.createObjectURL(blob);
    link.download = L.filename + "-" + (trackers(tools)[0] || "").slice(0, 9) + ".txt";
    document.body.appendChild(link);
    link.click();
    link.remove();
    window.setTimeout(() => URL.revokeObjectURL(link.href), 10000);
  }

  // Prints the receipt alone (app.css: html.print-tracker).
  function print(tools) {
    const receipt = tools.closest(".tracker-receipt");
    if (receipt) {
      receipt.classList.add("printing");
      document.documentElement.classList.add("print-tracker");
    }
    window.print();
    document.documentElement.classList.remove("print-tracker");
    if (receipt) {
      receipt.classList.remove("printing");
    }
  }

  document.querySelectorAll(".tracker-tools").forEach((tools) => {
    const L = JSON.parse(tools.dataset.labels || "{}");
    tools.hidden = false;
    tools.addEventListener("click", (event) => {
      const button = event.target.closest("button[data-action]");
      if (!button) {
        return;
      }
      const action = button.dataset.action;
      if (action === "copy") {
        copy(tools, L);
      } else if (action === "save") {
        save(tools, L);
      } else if (action === "print") {
        print(tools);
      }
    });
  });
})();
