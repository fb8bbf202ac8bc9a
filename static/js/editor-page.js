// The editor's page (/sim/): the editor on the diagram, and its runs (editor-embed.js).

import { embedEditor } from "./editor-embed.js";

const root = document.querySelector(".editor");
embedEditor(root, JSON.parse(document.getElementById("editor-start").textContent));
