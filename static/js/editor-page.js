// The editor's page (/sim/): the editor on the diagram, and, from the first Run on, the same
// run controls and islands as a scenario's page. Those are loaded only then: a class that
// only edits never downloads them.

import { Diagram } from "./diagram.js";
import { Editor } from "./editor.js";

const root = document.querySelector(".editor");
const part = (name) => root.querySelector(`[data-sim="${name}"]`);
const start = JSON.parse(document.getElementById("editor-start").textContent);

// What Run and Edit drive: a RunPanel, once it exists (editor.js calls start and stop).
const runs = {
  panel: null,
  async start(url) {
    if (!this.panel) {
      const [{ RunPanel }, { Inspector }, { MessageLog }] = await Promise.all([
        import("./run-panel.js"),
        import("./inspector.js"),
        import("./log.js"),
      ]);
      // the islands listen before the connection opens, so that they hear its first snapshot
      this.panel = new RunPanel(root);
      new Inspector(part("inspector"), root);
      new MessageLog(part("log-box"), root);
    }
    this.panel.start(url);
  },
  stop() {
    this.panel?.stop();
  },
};

new Diagram(part("diagram"), root);
new Editor(root, runs, start);
