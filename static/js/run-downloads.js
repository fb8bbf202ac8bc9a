// The run's Download buttons (Mermaid, SVG, the trace as JSON Lines): the server writes the file
// from the whole run (simulator/exports/), and answers the asking viewer with an `export`
// frame; here it becomes a file the browser downloads. Nothing is fetched: the text comes over
// the run's own connection, and the object URL lives only as long as the click.

const WAIT_MS = 20_000; // no answer by then: say so, and let the learner try again

export class Downloads {
  constructor(box, root) {
    this.root = root;
    this.buttons = [...box.querySelectorAll("[data-export]")];
    this.said = box.querySelector('[data-sim="export-status"]');
    this.pending = null; // the format asked for
    this.timer = null;
    this.live = root.dataset.ws === "open";
    for (const button of this.buttons) {
      button.addEventListener("click", () => this.ask(button.dataset.export));
    }
    const on = (name, handler) => root.addEventListener(`msglab:${name}`, (e) => handler(e.detail));
    on("export", (frame) => this.save(frame));
    on("error", (frame) => this.refused(frame));
    on("status", (detail) => {
      this.live = detail.status === "live";
      this.render();
    });
    this.render();
  }

  ask(format) {
    if (this.pending || !this.live) return;
    this.pending = format;
    this.say("Preparing…");
    this.root.dispatchEvent(
      new CustomEvent("msglab:action", { detail: { action: "export", format }, bubbles: true }),
    );
    this.timer = setTimeout(() => this.done("The server did not answer: try again."), WAIT_MS);
    this.render();
  }

  save(frame) {
    if (!this.pending) return; // another tab of the page asked, or an answer after the time-out
    const blob = new Blob([frame.text ?? ""], { type: frame.media_type || "text/plain" });
    const url = URL.createObjectURL(blob);
    const link = document.createElement("a");
    link.href = url;
    link.download = frame.filename || `run.${frame.format ?? "txt"}`;
    link.hidden = true;
    document.body.append(link);
    link.click();
    link.remove();
    // the download has its own copy once it started; a moment later the URL can go
    setTimeout(() => URL.revokeObjectURL(url), 1000);
    const records = typeof frame.records === "number" ? `, ${frame.records} records` : "";
    this.done(`Downloaded ${link.download}${records}.`);
  }

  refused(frame) {
    if (!this.pending) return;
    const field = frame.field ? ` (${frame.field})` : "";
    this.done(`The download could not be made: ${frame.detail ?? frame.code}${field}`);
  }

  done(words) {
    clearTimeout(this.timer);
    this.timer = null;
    this.pending = null;
    this.say(words);
    this.render();
  }

  say(words) {
    this.said.textContent = words;
  }

  // A frame sent while not connected is dropped (live.js): the buttons wait for the run.
  render() {
    for (const button of this.buttons) {
      button.disabled = !this.live;
      button.setAttribute("aria-busy", String(this.pending === button.dataset.export));
    }
  }
}
