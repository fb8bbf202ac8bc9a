// A live run and its islands (the diagram, the inspector, the message log) in one root
// element, all talking through `msglab:*` events on it: the simulator page's, and a lesson's.

import { Diagram } from "./diagram.js";
import { Inspector } from "./inspector.js";
import { MessageLog } from "./log.js";
import { RunPanel } from "./run-panel.js";
import { RunViews } from "./run-views.js";

// `options` go to the RunPanel (a room's `readonly`, `presenter`, `liveText`); a read-only run's
// diagram offers no faults either, and its inspector shows breakpoints without setting them.
export function embedRun(root, options = {}) {
  const part = (name) => root.querySelector(`[data-sim="${name}"]`);
  // The islands listen before the connection opens, so that they all hear the first snapshot.
  const panel = new RunPanel(root, options);
  new Diagram(part("diagram"), root, { readonly: Boolean(options.readonly) });
  new Inspector(part("inspector"), root, { readonly: Boolean(options.readonly) });
  new MessageLog(part("log-box"), root);
  // the Sequence and Causation tabs; a run without them (a contrast page lane) shows the diagram
  if (part("views")) new RunViews(part("views"), root);
  panel.start(root.dataset.wsUrl);
  return panel;
}
