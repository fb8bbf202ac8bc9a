// The starter-code page (templates/simulator/code.html): a Copy button per listing. The buttons
// come hidden and appear only here, so a page without scripts shows none that cannot work.
// Where the clipboard cannot be written (a page not served over HTTPS or from localhost, or a
// refusal), the listing is selected instead, for Ctrl+C.

function selectAll(element) {
  const range = document.createRange();
  range.selectNodeContents(element);
  const selection = window.getSelection();
  selection.removeAllRanges();
  selection.addRange(range);
}

for (const button of document.querySelectorAll("button[data-copy]")) {
  const listing = document.getElementById(button.dataset.copy);
  const status = document.querySelector(`[data-copied="${button.dataset.copy}"]`);
  if (!listing) continue;
  const say = (text) => {
    if (status) status.textContent = text;
  };
  button.hidden = false;
  button.addEventListener("click", async () => {
    const text = listing.textContent;
    try {
      if (!navigator.clipboard) throw new Error("no clipboard here");
      await navigator.clipboard.writeText(text);
      say("Copied.");
    } catch {
      selectAll(listing);
      listing.focus();
      say("Selected: press Ctrl+C (⌘C) to copy.");
    }
  });
}
