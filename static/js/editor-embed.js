// The canvas editor and, from its first Run on, the same run controls and islands as a
// scenario's page, in one root element: the editor page's, and a lesson's exercise. The run's
// islands are loaded only when a run is first shown: a class that only edits never downloads
// them.

import { Diagram } from "./diagram.js";
import { Editor } from "./editor.js";

// `options` go to the Editor: `draftKey`, and `startRun`, a live stream URL to show first.
export function embedEditor(root, start, options = {}) {
  const part = (name) => root.querySelector(`[data-sim="${name}"]`);
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
  return new Editor(root, runs, start, options);
}
