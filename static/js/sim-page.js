// The simulator page of a scenario or a saved topology: the run's controls and the page's
// islands (the diagram, the inspector, the message log), all talking through `msglab:*` events
// on the root element.

import { Diagram } from "./diagram.js";
import { Inspector } from "./inspector.js";
import { MessageLog } from "./log.js";
import { RunPanel } from "./run-panel.js";

const root = document.querySelector("[data-ws-url]");
const part = (name) => root.querySelector(`[data-sim="${name}"]`);

// The islands listen before the connection opens, so that they all hear the first snapshot.
const panel = new RunPanel(root);
new Diagram(part("diagram"), root);
new Inspector(part("inspector"), root);
new MessageLog(part("log-box"), root);
panel.start(root.dataset.wsUrl);
