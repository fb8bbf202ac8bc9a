// The animated diagram of a live run: nodes, edges and a token per message in flight. It hears
// the run through the root's `msglab:*` events and talks back with `msglab:action` (faults) and
// `msglab:select` (inspect a node or message), so it knows nothing about the socket or the page.
//
// The editor (editor.js) uses the same picture: in `edit` mode (`msglab:mode`) it draws the
// document it is sent (`msglab:document`), and turns dragging a node, dragging from a node's
// port to another node, the arrow keys and Delete into `msglab:edit` requests. It never
// changes the document itself: the editor decides, and sends the new document back.
//
// In a room (classroom mode) it also draws the presenter's spotlight, from `msglab:spotlight`
// and the snapshot's `room.spotlight`; a student's diagram is `readonly`: no faults.
//
// A run's breakpoints (`msglab:breakpoints`, the snapshot's `breakpoints`) are stop signs on
// their nodes; the node where Play stopped at one (a `state` frame's `hit`) says "paused here".

import {
  KINDS,
  TOKEN_PATHS,
  drawBreakpoint,
  drawScene,
  drawSpotlight,
  eitherOf,
  showNodeState,
  svg,
} from "./diagram-draw.js";
import { FaultMenu } from "./diagram-menu.js";
import { Tokens } from "./diagram-tokens.js";

const FAULT_KEYS = { d: "down", u: "up", f: "fail_next" };
const NUDGE = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };
const STEP = 10; // canvas units per arrow key; Shift moves five times as far
const DRAG_START = 4; // canvas units a pointer moves before a press becomes a drag
let diagrams = 0; // marker ids must be unique in the page

export class Diagram {
  constructor(container, root, { readonly = false } = {}) {
    this.container = container;
    this.root = root;
    this.readonly = readonly; // a room's student: inspecting only, no faults
    this.spotlight = null; // a room's spotlight: {node: id}, {message: id} or null
    this.breakpoints = []; // [{type, node}]: the run pauses when that type arrives there
    this.hit = null; // the breakpoint Play stopped at, until the run moves on
    this.prefix = `diagram${++diagrams}`;
    this.stage = document.createElement("div"); // the drawing; the legend and menu go beside it
    this.stage.className = "diagram-stage";
    this.views = new Map();
    this.live = false;
    this.selected = null;
    this.tokens = new Tokens();
    this.menu = new FaultMenu(container, (node, op) => this.fault(node, op));
    this.editing = false;
    this.document = null; // while editing: the document shown, and its problems by node id
    this.problems = new Map();
    this.gesture = null; // a drag in progress: of a node, or of a wire from a port
    this.canvas = container.dataset.canvas === "fixed"; // the editor's page: one fixed frame
    // a diagram in half a page (the contrast page's lanes) may zoom a small topology further
    this.minWidth = Number(container.dataset.minWidth) || undefined;

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
    on("state", (frame) => {
      this.tokens.sync(frame);
      if (frame.hit) this.setHit(frame.hit);
      else if (frame.playing && this.hit) this.setHit(null); // the run has moved on
    });
    on("breakpoints", (frame) => this.setBreakpoints(frame.items));
    on("status", (detail) => this.setLive(detail.status === "live"));
    on("select", (detail) => this.mark(detail));
    on("spotlight", (frame) => this.setSpotlight(frame.target));
    on("mode", (detail) => this.setMode(detail.mode));
    on("document", (detail) => this.showDocument(detail));
    container.addEventListener("click", (e) => this.click(e));
    this.stage.addEventListener("pointerdown", (e) => this.pointerDown(e));
    this.stage.addEventListener("pointermove", (e) => this.pointerMove(e));
    this.stage.addEventListener("pointerup", (e) => this.pointerUp(e));
    this.stage.addEventListener("pointercancel", () => this.cancelGesture());
    container.addEventListener("keydown", (e) => this.key(e));
    container.addEventListener("contextmenu", (e) => this.contextMenu(e));
  }

  // ---- frames ----------------------------------------------------------------------------------

  snapshot(frame) {
    if (this.editing) return; // a run's last frames after Edit was pressed
    if (frame.room) this.spotlight = frame.room.spotlight ?? null;
    this.breakpoints = frame.breakpoints ?? [];
    this.hit = null;
    this.draw(frame);
    this.showNodes(frame.state?.nodes ?? {});
  }

  // Draws the topology of `frame` (a snapshot, or a document while editing) and its tokens.
  draw(frame) {
    const focused = this.container.contains(document.activeElement)
      ? document.activeElement.closest("[data-node]")?.dataset.node
      : null;
    this.menu.close({ refocus: false });
    const name = frame.topology?.name || frame.scenario || "the run";
    this.container.setAttribute("aria-label", `Diagram of ${name}`);
    const scene = drawScene(this.stage, frame, this.prefix, {
      canvas: this.canvas,
      minWidth: this.minWidth,
    });
    this.svg = scene.svg;
    this.views = scene.views;
    this.tokens.reset(scene.tokenLayer, scene.segment, (f) => this.describe(f), frame);
    if (this.readonly) for (const view of this.views.values()) inspectOnly(view);
    this.mark(this.selected);
    this.showSpotlight();
    this.showBreakpoints();
    // a Step back or Reset redraws everything: keep a keyboard user on the node they were on
    if (focused) this.views.get(focused)?.g.focus();
  }

  // ---- editing ---------------------------------------------------------------------------------

  setMode(mode) {
    this.editing = mode === "edit";
    this.container.dataset.mode = mode;
    this.cancelGesture();
    this.menu.close({ refocus: false });
    this.menu.setEnabled(this.live && !this.editing && !this.readonly);
  }

  showDocument({ document: doc, problems = new Map() }) {
    if (!this.editing) return;
    this.document = doc;
    this.problems = problems;
    // a check answered mid-drag: the drop draws the new document, the drag goes on
    if (!this.gesture) this.render(doc);
  }

  // Draws a document: its nodes, edges, problem marks and ports (no tokens: nothing runs).
  render(doc) {
    this.draw({ topology: doc, state: { t: 0, in_flight: [], nodes: {} } });
    for (const view of this.views.values()) {
      const found = this.problems.get(view.id) ?? [];
      view.g.classList.toggle("has-problems", found.length > 0);
      const issues = found.length ? `, ${found.length} problem${found.length > 1 ? "s" : ""}` : "";
      view.ariaLabel = `${view.label}, ${view.kind}${issues}`;
      view.g.setAttribute("aria-label", view.ariaLabel);
      view.g.setAttribute("aria-keyshortcuts", "ArrowLeft ArrowRight ArrowUp ArrowDown C Delete");
      view.g.querySelector("title").textContent =
        `${view.label}: drag it, or move it with the arrow keys (Shift: further); ` +
        "drag from its port, or press C, to wire it; Delete removes it.";
      if (found.length) drawProblemMark(view);
      drawPort(view, this.svg);
    }
  }

  edit(detail) {
    this.root.dispatchEvent(new CustomEvent("msglab:edit", { detail, bubbles: true }));
  }

  // Canvas coordinates of a pointer event.
  point(event) {
    const matrix = this.svg.getScreenCTM().inverse();
    const p = new DOMPoint(event.clientX, event.clientY).matrixTransform(matrix);
    return { x: p.x, y: p.y };
  }

  pointerDown(event) {
    if (!this.editing || event.button !== 0 || !this.document) return;
    const port = event.target.closest?.("[data-port]");
    const hit = port ? null : event.target.closest?.("[data-node]");
    const id = port?.dataset.port ?? hit?.dataset.node;
    if (!id) return;
    const at = this.point(event);
    this.stage.setPointerCapture(event.pointerId);
    event.preventDefault(); // no text selection, no scrolling by touch (and no focus: below)
    this.views.get(id)?.g.focus();
    const node = this.document.nodes.find((n) => n.id === id);
    this.gesture = { kind: port ? "wire" : "move", id, at, from: { ...node.position }, moved: false };
    if (port) this.gesture.line = wireLine(this.svg, this.views.get(id), at);
  }

  pointerMove(event) {
    const g = this.gesture;
    if (!g) return;
    const at = this.point(event);
    const [dx, dy] = [at.x - g.at.x, at.y - g.at.y];
    if (!g.moved && Math.hypot(dx, dy) < DRAG_START) return;
    g.moved = true;
    if (g.kind === "wire") {
      g.line.setAttribute("x2", at.x);
      g.line.setAttribute("y2", at.y);
      const over = this.nodeAt(event);
      for (const view of this.views.values()) {
        view.g.classList.toggle("is-drop-target", view.id === over && over !== g.id);
      }
      return;
    }
    // Redraw with the node where the pointer is, once a frame: the edges follow it. The
    // document itself changes only when the pointer lets go (one step to undo).
    g.to = { x: g.from.x + dx, y: g.from.y + dy };
    g.frame ??= requestAnimationFrame(() => {
      g.frame = null;
      if (this.gesture !== g) return;
      const nodes = this.document.nodes.map((n) => (n.id === g.id ? { ...n, position: g.to } : n));
      this.render({ ...this.document, nodes });
    });
  }

  pointerUp(event) {
    const g = this.gesture;
    if (!g) return;
    this.gesture = null;
    if (g.frame) cancelAnimationFrame(g.frame);
    g.line?.remove();
    for (const view of this.views.values()) view.g.classList.remove("is-drop-target");
    if (!g.moved) {
      if (g.kind === "move") this.select({ type: "node", id: g.id });
      this.render(this.document); // whatever arrived while the pointer was down
      return;
    }
    this.suppressClick = true; // the click that ends a drag is not a selection
    if (g.kind === "wire") {
      const to = this.nodeAt(event);
      this.render(this.document);
      if (to && to !== g.id) this.edit({ op: "connect", from: g.id, to });
    } else {
      const at = this.point(event);
      this.edit({ op: "move", id: g.id, x: g.from.x + at.x - g.at.x, y: g.from.y + at.y - g.at.y });
    }
  }

  cancelGesture() {
    const g = this.gesture;
    this.gesture = null;
    if (!g) return;
    if (g.frame) cancelAnimationFrame(g.frame);
    g.line?.remove();
    if (g.moved && g.kind === "move" && this.editing) this.render(this.document);
  }

  nodeAt(event) {
    const hit = document.elementFromPoint(event.clientX, event.clientY)?.closest?.("[data-node]");
    return hit && this.stage.contains(hit) ? hit.dataset.node : null;
  }

  hops(frame) {
    if (frame.items.length && this.hit) this.setHit(null); // the run has moved on
    this.tokens.add(frame.flights?.scheduled);
    this.tokens.land(frame.flights?.landed);
    this.tokens.sync(frame);
    this.showNodes(frame.nodes ?? {});
  }

  showNodes(states) {
    for (const view of this.views.values()) {
      const state = states[view.id];
      if (!state && view.ariaLabel) continue; // nothing new about it
      view.stateLabel = showNodeState(view, state);
      this.name(view);
    }
  }

  // A node's accessible name: its state, and its breakpoints, which the stop sign shows.
  name(view) {
    const label = (view.stateLabel ?? `${view.label}, ${view.kind}`) + (view.pauses ?? "");
    // screen readers re-announce a changed name: only touch it when it really changed
    if (label !== view.ariaLabel) {
      view.ariaLabel = label;
      view.g.setAttribute("aria-label", label);
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
    this.menu.setEnabled(live && !this.editing && !this.readonly);
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

  // ---- a room's spotlight ----------------------------------------------------------------------

  setSpotlight(target) {
    this.spotlight = target ?? null;
    if (!this.editing) this.showSpotlight();
  }

  // A ring drawn round the node, or round each token of the message (the log marks its
  // entries): a thick dashed outline and the word "Spotlight", never a colour alone.
  showSpotlight() {
    const node = this.spotlight?.node ?? null;
    this.svg?.querySelector(".spotlight")?.remove();
    for (const view of this.views.values()) {
      const on = view.id === node;
      view.g.classList.toggle("is-spotlit", on);
      if (on) drawSpotlight(this.svg, view);
    }
    const message = this.spotlight?.message ?? null;
    // what is spotlit, for a page or a test to read: "node:billing", "message:m3", or none
    const spotlit = node ? `node:${node}` : message ? `message:${message}` : null;
    if (spotlit) this.container.dataset.spotlit = spotlit;
    else delete this.container.dataset.spotlit;
    this.tokens.spotlight(message);
  }

  // ---- breakpoints -----------------------------------------------------------------------------

  setBreakpoints(items) {
    this.breakpoints = items ?? [];
    this.showBreakpoints();
  }

  setHit(hit) {
    this.hit = hit;
    this.showBreakpoints();
  }

  // A stop sign on each node with a breakpoint (none while editing: they belong to a run).
  showBreakpoints() {
    if (!this.svg || this.editing) return;
    this.svg.querySelector(".breakpoints")?.remove();
    const layer = svg("g", { class: "breakpoints" }, this.svg);
    const types = new Map();
    for (const { type, node } of this.breakpoints) {
      if (!types.has(node)) types.set(node, []);
      types.get(node).push(type);
    }
    for (const view of this.views.values()) {
      const here = types.get(view.id) ?? [];
      const hit = here.length > 0 && this.hit?.node === view.id;
      view.g.classList.toggle("has-breakpoint", here.length > 0);
      view.g.classList.toggle("is-hit", hit);
      view.pauses = here.length ? `, breakpoint: pauses when ${eitherOf(here)} arrives` : "";
      if (hit) view.pauses += ", paused here";
      if (view.ariaLabel) this.name(view);
      if (here.length) drawBreakpoint(layer, view, here, hit);
    }
    // which nodes have one, for a page or a test to read: "billing inventory", or none
    const nodes = [...types.keys()].filter((id) => this.views.has(id)).sort().join(" ");
    if (nodes) this.container.dataset.breakpoints = nodes;
    else delete this.container.dataset.breakpoints;
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
    if (this.suppressClick || this.editing) {
      this.suppressClick = false; // while editing, a press selects (pointerDown/Up)
      return;
    }
    const hit = this.target(event);
    if (hit) this.activate(hit);
  }

  key(event) {
    const hit = this.target(event);
    if (!hit || event.target !== hit) return;
    const { key, shiftKey } = event;
    const plain = !event.ctrlKey && !event.metaKey && !event.altKey;
    const view = this.views.get(hit.dataset.node);
    if (this.editing && view) return this.editKey(event, view);
    const service = view?.kind === "service" && !this.readonly;
    const fault = plain && !shiftKey && FAULT_KEYS[key.toLowerCase()];
    const menu = key === "ContextMenu" || (key === "F10" && shiftKey);
    if ((key === "Enter" || key === " ") && plain) this.activate(hit);
    else if (service && menu) this.menu.open(view);
    else if (service && fault) this.fault(view.id, fault);
    else return;
    event.preventDefault(); // and the page's own shortcuts leave a key the diagram used alone
  }

  editKey(event, view) {
    const { key, shiftKey } = event;
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (NUDGE[key]) {
      const [dx, dy] = NUDGE[key].map((d) => d * STEP * (shiftKey ? 5 : 1));
      this.edit({ op: "nudge", id: view.id, dx, dy });
    } else if (key === "Delete" || key === "Backspace") {
      this.edit({ op: "delete", id: view.id });
    } else if (key.toLowerCase() === "c" && !shiftKey) {
      this.edit({ op: "connect-menu", id: view.id });
    } else if (key === "Enter" || key === " ") {
      this.select({ type: "node", id: view.id });
    } else return;
    event.preventDefault();
  }

  contextMenu(event) {
    // the ContextMenu key may fire this after its keydown opened our menu, at the menu itself
    if (this.menu.contains(event.target)) return event.preventDefault();
    if (this.editing) return; // faults belong to a run
    const hit = this.target(event);
    const view = hit && this.views.get(hit.dataset.node);
    if (view?.kind !== "service" || this.readonly) return; // the browser's own menu elsewhere
    event.preventDefault();
    view.g.focus();
    this.menu.open(view);
  }

  fault(node, op) {
    // a fault sent now would hit a run the learner no longer sees, or no run at all
    if (!this.live || this.editing || this.readonly) return;
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

// A student's diagram: a service offers its details, not faults, so it does not say it would.
function inspectOnly(view) {
  if (view.kind !== "service") return;
  view.g.removeAttribute("aria-haspopup");
  view.g.removeAttribute("aria-keyshortcuts");
  view.g.querySelector("title").textContent = `${view.label}: Click or press Enter to inspect.`;
}

// ---- the editor's marks ---------------------------------------------------------------------

// A node with problems wears a "!" mark: a shape, not only a colour (the name says it in words).
function drawProblemMark(view) {
  const g = svg("g", { class: "node-problem", "aria-hidden": "true" }, view.over);
  const [x, y] = [view.x - view.hw, view.y - view.hh - 6];
  svg("path", { d: `M${x} ${y - 14}L${x + 14} ${y + 10}H${x - 14}Z` }, g);
  const mark = svg("text", { x, y: y + 3 }, g);
  mark.textContent = "!";
}

// The handle a wire is dragged from, on the node's right, where messages leave it.
function drawPort(view, root) {
  const layer = root.querySelector(".ports") ?? svg("g", { class: "ports" }, root);
  svg("circle", {
    class: "node-port",
    cx: view.x + view.hw + 9,
    cy: view.y,
    r: 8,
    "data-port": view.id,
    "aria-hidden": "true", // the keyboard wires with "Connect to…"
  }, layer);
}

function wireLine(root, view, at) {
  const [x1, y1] = [view.x + view.hw + 9, view.y];
  return svg("line", { class: "wire-preview", x1, y1, x2: at.x, y2: at.y }, root);
}
