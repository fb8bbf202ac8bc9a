// The canvas editor and, from its first Run on, the same run controls, islands and view tabs
// (Diagram, Sequence, Causation) as a scenario's page, in one root element: the editor page's,
// and a lesson's exercise. The run's islands are loaded only when a run is first shown: a class
// that only edits never downloads them.

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
        const [{ RunPanel }, { Inspector }, { MessageLog }, { RunViews }] = await Promise.all([
          import("./run-panel.js"),
          import("./inspector.js"),
          import("./log.js"),
          import("./run-views.js"),
        ]);
        // the islands listen before the connection opens, so that they hear its first snapshot
        this.panel = new RunPanel(root);
        new Inspector(part("inspector"), root);
        new MessageLog(part("log-box"), root);
        // the Sequence and Causation tabs, shown in Run mode only (their tablist is `data-when`);
        // a lesson's run cached before the tabs existed has none
        const views = part("views") && new RunViews(part("views"), root);
        // back in Edit mode the canvas is the diagram: show its panel again
        root.addEventListener("msglab:mode", ({ detail }) => {
          if (views && detail.mode === "edit") views.choose(views.tabs[0]);
        });
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
