// The simulator page of a scenario or a saved topology: one live run (sim-embed.js).

import { embedRun } from "./sim-embed.js";

embedRun(document.querySelector("[data-ws-url]"));
