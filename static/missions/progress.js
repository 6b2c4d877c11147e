// Live counts of a call-up in the admin: polls the JSON endpoint and updates the page.
(function () {
  "use strict";
  const root = document.querySelector("[data-progress-url]");
  if (!root) return;
  const url = root.dataset.progressUrl;
  const INTERVAL_MS = 3000;

  function render(data) {
    root.querySelectorAll("[data-field]").forEach(function (el) {
      const value = data[el.dataset.field];
      el.textContent = value === null || value === undefined ? "—" : String(value);
    });
  }

  function poll() {
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) { if (data) render(data); })
      .catch(function () { /* offline for a moment: the next poll will catch up */ })
      .finally(function () { window.setTimeout(poll, INTERVAL_MS); });
  }
  window.setTimeout(poll, INTERVAL_MS);
})();
