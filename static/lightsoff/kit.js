// The kit: copy a ready message, print the letter.

async function copyText(text) {
  if (navigator.clipboard && window.isSecureContext) {
    await navigator.clipboard.writeText(text);
    return;
  }
  const area = document.createElement("textarea");
  area.value = text;
  area.setAttribute("readonly", "");
  area.style.position = "fixed";
  area.style.opacity = "0";
  document.body.append(area);
  area.select();
  document.execCommand("copy");
  area.remove();
}

for (const button of document.querySelectorAll(".copy-button")) {
  const label = button.textContent;
  button.addEventListener("click", async () => {
    const source = document.getElementById(button.dataset.copyTarget);
    try {
      await copyText(source.textContent.trim());
      button.textContent = button.dataset.copiedLabel;
      button.dataset.copied = "true";
    } catch {
      const range = document.createRange();
      range.selectNodeContents(source);
      window.getSelection().removeAllRanges();
      window.getSelection().addRange(range);
    }
    setTimeout(() => {
      button.textContent = label;
    }, 2500);
  });
}

document.getElementById("print-letter")?.addEventListener("click", () => window.print());
