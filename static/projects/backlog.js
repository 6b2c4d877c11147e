// The backlog's filters are folded on a phone, so that the projects come first; on a
// wide screen, where they sit beside the list, they are shown unfolded.
const panel = document.querySelector("[data-testid='filters-panel']");
const wide = window.matchMedia("(min-width: 801px)"); // as site.css

if (panel && wide.matches) {
  panel.open = true;
}
