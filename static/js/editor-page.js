// The editor's page (/sim/): the editor, and the same run controls and islands as a scenario's
// page, which take over when the learner presses Run.

import { Diagram } from "./diagram.js";
import { Editor } from "./editor.js";
import { Inspector } from "./inspector.js";
import { MessageLog } from "./log.js";
import { RunPanel } from "./run-panel.js";

const root = document.querySelector(".editor");
const part = (name) => root.querySelector(`[data-sim="${name}"]`);
const start = JSON.parse(document.getElementById("editor-start").textContent);

const panel = new RunPanel(root);
new Diagram(part("diagram"), root);
new Inspector(part("inspector"), root);
new MessageLog(part("log-box"), root);
new Editor(root, panel, start);
