// Live counts and answers of a call-up in the admin: polls the JSON endpoint and updates
// the page. The answers come as the HTML the server renders for the first load, so the
// page never shows two versions of the same table.
(() => {
  const root = document.querySelector("[data-progress-url]");
  if (!root) return;
  const url = root.dataset.progressUrl;
  const INTERVAL_MS = 3000;
  const answers = root.querySelector("[data-answers]");
  let answersHtml = null;

  function render(data) {
    for (const el of root.querySelectorAll("[data-field]")) {
      const value = data[el.dataset.field];
      el.textContent = value === null || value === undefined ? "—" : String(value);
    }
    // Replaced only when it changed: a coordinator selecting a row keeps the selection.
    if (answers && typeof data.answers_html === "string" && data.answers_html !== answersHtml) {
      answers.innerHTML = data.answers_html;
      answersHtml = data.answers_html;
    }
  }

  function poll() {
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then((response) => (response.ok ? response.json() : null))
      .then((data) => {
        if (data) render(data);
      })
      .catch(() => {
        /* offline for a moment: the next poll will catch up */
      })
      .finally(() => window.setTimeout(poll, INTERVAL_MS));
  }
  window.setTimeout(poll, INTERVAL_MS);
})();
