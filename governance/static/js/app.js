// Progressive enhancement only; every page works without JavaScript.
document.addEventListener("submit", (event) => {
  const button = event.submitter;
  const question = button && button.dataset.confirm;
  if (question && !window.confirm(question)) {
    event.preventDefault();
  }
});

// A search field that filters a list as one types (the server filters the same on submit):
// data-filter names the list, whose items carry data-search; data-filter-none the "no match".
document.querySelectorAll("input[data-filter]").forEach((input) => {
  const list = document.getElementById(input.dataset.filter);
  const none = document.getElementById(input.dataset.filterNone || "");
  if (!list) {
    return;
  }
  input.addEventListener("input", () => {
    const words = input.value.toLowerCase().split(/\s+/).filter(Boolean);
    let shown = 0;
    list.querySelectorAll("li[data-search]").forEach((item) => {
      const hit = words.every((word) => item.dataset.search.includes(word));
      item.hidden = !hit;
      shown += hit ? 1 : 0;
    });
    if (none) {
      none.hidden = shown > 0;
    }
  });
});
