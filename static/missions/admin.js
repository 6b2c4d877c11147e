// The coordinators' admin: accessible names where Django's admin and its select2 leave
// none. select2 draws its boxes after the page has loaded and again after each choice,
// and inline rows are added by a click, so every new element is named as it appears.
(() => {
  function labelFor(field) {
    return field?.id ? document.querySelector(`label[for="${field.id}"]`) : null;
  }

  function labelText(label) {
    return label ? label.textContent.replace(/\s*:\s*$/, "").trim() : "";
  }

  // The <select> a select2 widget stands for: the element just before its container.
  function selectOf(node) {
    const container = node.closest(".select2-container");
    const select = container?.previousElementSibling;
    return select?.tagName === "SELECT" ? select : null;
  }

  function nameSelect2(root) {
    // The search box of a multiple select (skills…): named after the field.
    for (const box of root.querySelectorAll(".select2-search__field:not([aria-label])")) {
      const name = labelText(labelFor(selectOf(box)));
      if (name) box.setAttribute("aria-label", name);
    }
    // A single select's combobox is labelled by its current value only, empty when
    // nothing is chosen: the field's label is put first.
    for (const box of root.querySelectorAll(".select2-selection[role='combobox']")) {
      const label = labelFor(selectOf(box));
      if (!label) continue;
      label.id ||= `${label.htmlFor}-label`;
      const ids = (box.getAttribute("aria-labelledby") || "").split(/\s+/).filter(Boolean);
      if (!ids.includes(label.id)) {
        box.setAttribute("aria-labelledby", [label.id, ...ids].join(" "));
      }
    }
    // Its read-only text box (the value shown) is named the same way.
    for (const shown of root.querySelectorAll(".select2-selection__rendered[role='textbox']")) {
      const label = labelFor(selectOf(shown));
      if (label?.id && shown.id && !shown.hasAttribute("aria-labelledby")) {
        shown.setAttribute("aria-labelledby", `${label.id} ${shown.id}`);
      }
    }
    // "Remove all" is a mouse shortcut drawn inside the list of choices; each choice
    // has its own remove control, and Backspace removes the last one.
    for (const clear of root.querySelectorAll(".select2-selection__clear")) {
      clear.setAttribute("aria-hidden", "true");
    }
  }

  // Tabular inlines label their inputs by column headers only: each input gets the
  // header of its column as its name.
  function nameInlineInputs(root) {
    for (const table of root.querySelectorAll(".tabular table")) {
      const headers = Array.from(table.querySelectorAll("thead th"));
      for (const row of table.querySelectorAll("tbody tr")) {
        Array.from(row.children).forEach((cell, index) => {
          const name = headers[index]?.textContent.trim();
          if (!name) return;
          for (const input of cell.querySelectorAll("input:not([type=hidden]), select, textarea")) {
            if (!input.hasAttribute("aria-label") && !labelFor(input)) {
              input.setAttribute("aria-label", name);
            }
          }
        });
      }
    }
    // An inline group that scrolls sideways on a phone can be scrolled from the keyboard.
    for (const group of root.querySelectorAll(".inline-group:not([tabindex])")) {
      const heading = group.querySelector("h2");
      group.setAttribute("tabindex", "0");
      group.setAttribute("role", "region");
      if (heading) group.setAttribute("aria-label", heading.textContent.trim());
    }
  }

  function nameAll(root) {
    nameSelect2(root);
    nameInlineInputs(root);
  }

  function start() {
    nameAll(document);
    new MutationObserver((changes) => {
      if (changes.some((change) => change.addedNodes.length)) nameAll(document);
    }).observe(document.body, { childList: true, subtree: true });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
