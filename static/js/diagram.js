// The animated diagram of a live run: nodes, edges and a token per message in flight. It hears
// the run through the root's `msglab:*` events and talks back with `msglab:action` (faults) and
// `msglab:select` (inspect a node or message), so it knows nothing about the socket or the page.

import { KINDS, TOKEN_PATHS, drawScene, showNodeState, svg } from "./diagram-draw.js";
import { FaultMenu } from "./diagram-menu.js";
import { Tokens } from "./diagram-tokens.js";

const FAULT_KEYS = { d: "down", u: "up", f: "fail_next" };
let diagrams = 0; // marker ids must be unique in the page

export class Diagram {
  constructor(container, root) {
    this.container = container;
    this.root = root;
    this.prefix = `diagram${++diagrams}`;
    this.stage = document.createElement("div"); // the drawing; the legend and menu go beside it
    this.stage.className = "diagram-stage";
    this.views = new Map();
    this.live = false;
    this.selected = null;
    this.tokens = new Tokens();
    this.menu = new FaultMenu(container, (node, op) => this.fault(node, op));

    container.setAttribute("role", "group");
    // the template names it after the scenario; each snapshot names it again
    if (!container.hasAttribute("aria-label")) container.setAttribute("aria-label", "Diagram");
    container.append(this.stage, legend());
    this.motion = matchMedia("(prefers-reduced-motion: reduce)");
    this.motion.addEventListener("change", () => this.setMotion());
    this.setMotion();

    const on = (name, handler) => root.addEventListener(`msglab:${name}`, (e) => handler(e.detail));
    on("snapshot", (frame) => this.snapshot(frame));
    on("hops", (frame) => this.hops(frame));
    on("state", (frame) => this.tokens.sync(frame));
    on("status", (detail) => this.setLive(detail.status === "live"));
    on("select", (detail) => this.mark(detail));
    container.addEventListener("click", (e) => this.click(e));
    container.addEventListener("keydown", (e) => this.key(e));
    container.addEventListener("contextmenu", (e) => this.contextMenu(e));
  }

  // ---- frames ----------------------------------------------------------------------------------

  snapshot(frame) {
    const focused = this.container.contains(document.activeElement)
      ? document.activeElement.closest("[data-node]")?.dataset.node
      : null;
    this.menu.close({ refocus: false });
    const name = frame.topology?.name || frame.scenario || "the run";
    this.container.setAttribute("aria-label", `Diagram of ${name}`);
    const scene = drawScene(this.stage, frame, this.prefix);
    this.views = scene.views;
    this.showNodes(frame.state?.nodes ?? {});
    this.tokens.reset(scene.tokenLayer, scene.segment, (f) => this.describe(f), frame);
    this.mark(this.selected);
    // a Step back or Reset redraws everything: keep a keyboard user on the node they were on
    if (focused) this.views.get(focused)?.g.focus();
  }

  hops(frame) {
    this.tokens.add(frame.flights?.scheduled);
    this.tokens.land(frame.flights?.landed);
    this.tokens.sync(frame);
    this.showNodes(frame.nodes ?? {});
  }

  showNodes(states) {
    for (const view of this.views.values()) {
      const state = states[view.id];
      if (!state && view.ariaLabel) continue; // nothing new about it
      const label = showNodeState(view, state);
      // screen readers re-announce a changed name: only touch it when it really changed
      if (label !== view.ariaLabel) {
        view.ariaLabel = label;
        view.g.setAttribute("aria-label", label);
      }
    }
  }

  describe(flight) {
    const message = flight.message ?? {};
    const label = (id) => this.views.get(id)?.label ?? id;
    const name = message.id ? `${message.type} ${message.id}` : message.type;
    return `${name}, ${message.kind}, from ${label(flight.from)} to ${label(flight.to)}`;
  }

  setLive(live) {
    this.live = live;
    this.menu.setEnabled(live);
  }

  setMotion() {
    const reduced = this.motion.matches;
    this.container.dataset.motion = reduced ? "reduced" : "full";
    this.tokens.setReduced(reduced);
  }

  // ---- selection -------------------------------------------------------------------------------

  select(detail) {
    this.root.dispatchEvent(new CustomEvent("msglab:select", { detail, bubbles: true }));
  }

  mark(detail) {
    this.selected = detail ?? null;
    const node = detail?.type === "node" ? detail.id : null;
    for (const view of this.views.values()) {
      const on = view.id === node;
      if (view.g.getAttribute("aria-pressed") === String(on)) continue;
      view.g.classList.toggle("is-selected", on);
      view.g.setAttribute("aria-pressed", String(on));
    }
    this.tokens.select(detail?.type === "message" ? detail.id : null);
  }

  // ---- input -----------------------------------------------------------------------------------

  target(event) {
    const hit = event.target.closest?.(".token, [data-node]");
    return hit && this.stage.contains(hit) ? hit : null;
  }

  activate(hit) {
    if (hit.classList.contains("token")) {
      const message = this.tokens.flights.get(Number(hit.dataset.flight))?.flight.message;
      if (message) this.select({ type: "message", id: message.id ?? null, envelope: message });
    } else this.select({ type: "node", id: hit.dataset.node });
  }

  click(event) {
    const hit = this.target(event);
    if (hit) this.activate(hit);
  }

  key(event) {
    const hit = this.target(event);
    if (!hit || event.target !== hit) return;
    const { key, shiftKey } = event;
    const plain = !event.ctrlKey && !event.metaKey && !event.altKey;
    const view = this.views.get(hit.dataset.node);
    const service = view?.kind === "service";
    const fault = plain && !shiftKey && FAULT_KEYS[key.toLowerCase()];
    const menu = key === "ContextMenu" || (key === "F10" && shiftKey);
    if ((key === "Enter" || key === " ") && plain) this.activate(hit);
    else if (service && menu) this.menu.open(view);
    else if (service && fault) this.fault(view.id, fault);
    else return;
    event.preventDefault(); // and the page's own shortcuts leave a key the diagram used alone
  }

  contextMenu(event) {
    // the ContextMenu key may fire this after its keydown opened our menu, at the menu itself
    if (this.menu.contains(event.target)) return event.preventDefault();
    const hit = this.target(event);
    const view = hit && this.views.get(hit.dataset.node);
    if (view?.kind !== "service") return; // the browser's own menu elsewhere
    event.preventDefault();
    view.g.focus();
    this.menu.open(view);
  }

  fault(node, op) {
    if (!this.live) return; // a fault sent now would hit a run the learner no longer sees
    const frame = { action: "fault", op, node };
    this.root.dispatchEvent(new CustomEvent("msglab:action", { detail: frame, bubbles: true }));
  }
}

// The key to the pictures: a token's shape and a line's style each carry the kind on their own,
// colour only repeats it.
const LEGEND = {
  command: "Command: square, solid line",
  event: "Event: circle, dashed line",
  reply: "Reply: diamond, dotted line",
  query: "Query: triangle, solid line",
  document: "Document: hexagon, dash-dot line",
};

function legend() {
  const list = document.createElement("ul");
  list.className = "diagram-legend";
  list.setAttribute("aria-label", "Legend");
  for (const kind of KINDS) {
    const item = document.createElement("li");
    item.dataset.kind = kind;
    const size = { viewBox: "-12 -12 70 24", width: 70, height: 24 };
    const picture = svg("svg", { ...size, "aria-hidden": "true" });
    svg("path", { class: `legend-line legend-line--${kind}`, d: "M14 0H56" }, picture);
    svg("path", { class: `legend-token legend-token--${kind}`, d: TOKEN_PATHS[kind] }, picture);
    const words = document.createElement("span");
    words.textContent = LEGEND[kind];
    item.append(picture, words);
    list.append(item);
  }
  return list;
}
