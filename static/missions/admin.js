// The coordinators' admin: gives select2's search box (autocomplete fields) the name of
// its field. select2 draws that box without a label and draws it again after each
// choice, so every new box is named as it appears.
(() => {
  function fieldLabel(box) {
    const container = box.closest(".select2-container");
    const select = container?.previousElementSibling;
    const owner = select?.tagName === "SELECT" ? select : document.querySelector(".select2-hidden-accessible[aria-expanded='true']");
    if (!owner?.id) return "";
    const label = document.querySelector(`label[for="${owner.id}"]`);
    return label ? label.textContent.replace(/\s*:\s*$/, "").trim() : "";
  }

  function nameBoxes(root) {
    for (const box of root.querySelectorAll(".select2-search__field:not([aria-label])")) {
      const name = fieldLabel(box);
      if (name) box.setAttribute("aria-label", name);
    }
  }

  function start() {
    nameBoxes(document);
    new MutationObserver((changes) => {
      for (const change of changes) {
        for (const node of change.addedNodes) {
          if (node.nodeType === Node.ELEMENT_NODE) nameBoxes(node.parentElement || node);
        }
      }
    }).observe(document.body, { childList: true, subtree: true });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
