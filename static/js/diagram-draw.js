// Draws a run's topology as SVG: node shapes, the static edges between them and the segment a
// token travels on. Everything here runs once per snapshot, so it may measure text; the token
// animation (diagram-tokens.js) only reads the segments computed here. Labels come from
// user-written topologies: they go in with textContent, never as markup.

const NS = "http://www.w3.org/2000/svg";
export const KINDS = ["command", "event", "reply", "query", "document"];

// Token shapes, centred on 0 0, so one path per token can change kind by changing `d`.
export const TOKEN_PATHS = {
  command: "M-7 -7H7V7H-7Z",
  event: "M-7.5 0A7.5 7.5 0 1 0 7.5 0A7.5 7.5 0 1 0 -7.5 0Z",
  reply: "M0 -9.5L9.5 0L0 9.5L-9.5 0Z",
  query: "M0 -9L9 7H-9Z",
  document: "M-9 0L-4.5 -7.5H4.5L9 0L4.5 7.5H-4.5Z",
};

const FONT = 14; // user units; the viewBox is about 1000 wide, so ~14px at 1000px
const LINE = 17;
const MARGIN = 28;
const MIN_WIDTH = 900; // a small topology is not blown up to fill a projector
const PAIR_OFFSET = 7; // opposite edges between the same two nodes sit this far apart
// Which line style an edge gets when several kinds travel it: the first one found here.
const STYLE_ORDER = ["command", "query", "document", "event", "reply"];

export function svg(name, attrs = {}, parent = null) {
  const node = document.createElementNS(NS, name);
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, value);
  parent?.append(node);
  return node;
}

function text(parent, lines, x, y, cls) {
  const node = svg("text", { class: cls, x, y }, parent);
  lines.forEach((line, i) => {
    const span = svg("tspan", { x, y: y + (i - (lines.length - 1) / 2) * LINE }, node);
    // the space keeps the words apart in the text that assistive technology reads
    span.textContent = i < lines.length - 1 ? `${line} ` : line;
  });
  return node;
}

// Widest line in user units; the estimate covers a container that is not rendered yet.
function measure(node) {
  let widest = 0;
  for (const span of node.children) {
    const length = span.getComputedTextLength?.() || span.textContent.length * FONT * 0.58;
    widest = Math.max(widest, length);
  }
  return widest;
}

function wrap(label, max = 16) {
  const lines = [];
  for (const word of label.split(/\s+/).filter(Boolean)) {
    const last = lines.at(-1);
    if (last !== undefined && lines.length < 2 && (last + " " + word).length <= max) {
      lines[lines.length - 1] = `${last} ${word}`;
    } else if (lines.length === 2) lines[1] += ` ${word}`;
    else lines.push(word);
  }
  return lines.length ? lines : [label];
}

function badge(parent, cls, label) {
  const g = svg("g", { class: `node-badge ${cls}`, display: "none" }, parent);
  const rect = svg("rect", { rx: 9, height: 18 }, g);
  const caption = svg("text", { y: 0 }, g);
  caption.textContent = label;
  return { g, rect, caption, shown: false };
}

// Badges are sized and placed each time their text changes, which is rare.
function placeBadge(b, x, y, align = "middle") {
  const width = Math.max(30, b.caption.textContent.length * 7 + 14);
  const left = align === "start" ? x : align === "end" ? x - width : x - width / 2;
  b.rect.setAttribute("x", left);
  b.rect.setAttribute("y", y - 9);
  b.rect.setAttribute("width", width);
  b.caption.setAttribute("x", left + width / 2);
  b.caption.setAttribute("y", y);
}

function drawService(g, view) {
  const { x, y } = view;
  const label = text(g, wrap(view.label), x, y, "node-label");
  const w = Math.max(112, measure(label) + 28);
  const h = Math.max(52, label.children.length * LINE + 26);
  const [left, top] = [x - w / 2, y - h / 2];
  g.prepend(svg("rect", { class: "node-shape", x: left, y: top, width: w, height: h, rx: 10 }));
  Object.assign(view, { hw: w / 2, hh: h / 2, top: top - 10, bottom: top + h + 10 });
  view.down = badge(view.over, "node-badge--down", "down");
  view.busy = badge(view.over, "node-badge--busy", "handling");
  view.wait = badge(view.over, "node-badge--wait", "0 waiting");
  placeBadge(view.down, Math.min(left + 6, x - 46), top, "start");
  placeBusy(view);
}

function drawQueue(g, view, isDlq) {
  const { x, y } = view;
  const [hw, hh, cap] = [44, 16, 9];
  const [left, right] = [x - hw + cap, x + hw - cap]; // where the rounded ends begin
  const end = `A${cap} ${hh} 0 0 1`;
  const d = `M${left} ${y - hh}H${right}${end} ${right} ${y + hh}H${left}${end} ${left} ${y - hh}Z`;
  svg("path", { class: "node-shape", d }, g);
  // the open mouth on the right: messages leave the pipe that way
  svg("ellipse", { class: "queue-mouth", cx: right, cy: y, rx: cap, ry: hh }, g);
  view.depth = svg("text", { class: "queue-depth", x: x - 4, y }, view.over);
  view.depth.textContent = "empty";
  const label = labelBelow(g, view, y + hh);
  Object.assign(view, { hw, hh, top: y - hh - 10, bottom: y + hh + 12 + label.lines * LINE });
  view.labelHalf = label.half;
  if (isDlq) {
    const tag = badge(view.over, "node-tag", "DLQ");
    tag.g.removeAttribute("display");
    placeBadge(tag, x + hw - 2, y - hh, "end"); // right: edges into a DLQ come from the left
  }
}

function drawTopic(g, view) {
  const { x, y } = view;
  const r = 22;
  svg("circle", { class: "node-shape", cx: x, cy: y, r }, g);
  // fan strokes on the right: one message in, a copy out to every subscriber
  for (const angle of [-0.6, 0, 0.6]) {
    const [c, s] = [Math.cos(angle), Math.sin(angle)];
    const [near, far] = [r + 3, r + 13];
    const fan = { x1: x + c * near, y1: y + s * near, x2: x + c * far, y2: y + s * far };
    svg("line", { class: "topic-fan", ...fan }, g);
  }
  const label = labelBelow(g, view, y + r);
  Object.assign(view, { hw: r, hh: r, r, top: y - r, bottom: y + r + 12 + label.lines * LINE });
  view.labelHalf = Math.max(r + 13, label.half);
}

// A queue's or topic's name, under its shape (it is usually wider than the shape).
function labelBelow(g, view, bottom) {
  const lines = wrap(view.label, 20);
  const label = text(g, lines, view.x, bottom + 8 + LINE / 2, "node-label node-label--below");
  label.setAttribute("transform", `translate(0 ${((lines.length - 1) * LINE) / 2})`);
  return { lines: lines.length, half: measure(label) / 2 };
}

function drawClient(g, view) {
  const { x, y } = view;
  const label = text(g, wrap(view.label, 10), x, y, "node-label");
  const w = Math.max(96, measure(label) + 50);
  const h = Math.max(48, label.children.length * LINE + 22);
  const [left, top] = [x - w / 2, y - h / 2];
  g.prepend(
    svg("rect", { class: "node-shape", x: left, y: top, width: w, height: h, rx: 6 }),
    svg("rect", { class: "client-inner", x: left + 4, y: top + 4, width: w - 8, height: h - 8 }),
  );
  // a person glyph: head and shoulders
  const px = left + 19;
  svg("circle", { class: "client-glyph", cx: px, cy: y - 6, r: 5 }, g);
  svg("path", { class: "client-glyph", d: `M${px - 9} ${y + 11}a9 8 0 0 1 18 0Z` }, g);
  const middle = left + 32 + (w - 36) / 2; // centred in the room right of the glyph
  for (const span of [label, ...label.children]) span.setAttribute("x", middle);
  Object.assign(view, { hw: w / 2, hh: h / 2, top, bottom: y + h / 2 });
}

// Badges and counters go in `overlays`, outside the node's button: a button's visible text has
// to be part of its accessible name, and the name already says what they show, in words.
function drawNode(layer, overlays, node, pos, isDlq) {
  const { id, kind } = node;
  const view = { id, kind, label: node.label || id, x: pos.x, y: pos.y, isDlq };
  const g = svg("g", { class: `node node--${kind}`, role: "button", tabindex: 0, "data-node": id });
  layer.append(g);
  view.g = g;
  view.over = svg("g", { class: `node-overlay node-overlay--${kind}`, "data-for": id }, overlays);
  // a tooltip for the mouse; the name and aria-keyshortcuts already tell assistive technology
  const title = svg("title", { "aria-hidden": "true" }, g);
  if (node.kind === "service") drawService(g, view);
  else if (node.kind === "queue") drawQueue(g, view, isDlq);
  else if (node.kind === "topic") drawTopic(g, view);
  else drawClient(g, view);
  view.labelHalf = Math.max(view.labelHalf ?? 0, view.hw);
  const how = "Click or press Enter to inspect";
  if (node.kind === "service") {
    g.setAttribute("aria-haspopup", "menu");
    g.setAttribute("aria-keyshortcuts", "D U F Shift+F10");
    g.setAttribute("data-status", "up");
    title.textContent =
      `${view.label}: ${how}. Faults: D takes it down, U brings it up, F makes it fail ` +
      "its next handling; right-click or Shift+F10 opens the fault menu.";
  } else title.textContent = `${view.label}: ${how}.`;
  return view;
}

// Shows a node's live state (from a snapshot or hops frame) and returns its accessible name.
export function showNodeState(view, state = {}) {
  const { label } = view;
  if (view.kind === "queue") {
    const depth = state.depth ?? 0;
    const words = depth ? `${depth} waiting` : "empty";
    if (view.depth.textContent !== words) view.depth.textContent = words;
    return `${label}, queue, ${depth} waiting${view.isDlq ? ", dead-letter queue" : ""}`;
  }
  if (view.kind !== "service") return `${label}, ${view.kind}`;
  const down = state.status === "down";
  const [busy, inbox] = [state.busy ?? 0, state.inbox ?? 0];
  view.g.classList.toggle("is-down", down);
  view.g.classList.toggle("is-busy", busy > 0);
  const status = down ? "down" : "up";
  if (view.g.dataset.status !== status) view.g.dataset.status = status;
  show(view.down, down);
  show(view.busy, busy > 0, busy > 1 ? `handling ${busy}` : "handling", () => placeBusy(view));
  show(view.wait, inbox > 0, `${inbox} waiting`, (b) => placeBadge(b, view.x, view.y + view.hh));
  const doing = busy > 0 ? `, handling ${busy === 1 ? "a message" : `${busy} messages`}` : "";
  return `${label}, service, ${status}, ${inbox} waiting${doing}`;
}

function placeBusy(view) {
  placeBadge(view.busy, Math.max(view.x + view.hw - 6, view.x + 74), view.y - view.hh, "end");
}

function show(b, visible, words = null, place = null) {
  if (visible !== b.shown) {
    b.shown = visible;
    b.g.setAttribute("display", visible ? "inline" : "none");
  }
  if (visible && words !== null && b.caption.textContent !== words) {
    b.caption.textContent = words;
    place(b);
  }
}

// ---- edges -------------------------------------------------------------------------------------

// Everything a service's handlers send, on success and on failure.
function emits(node) {
  return Object.values(node.handles ?? {}).flatMap((h) => [
    ...(h.emit ?? []),
    ...(h.on_failure?.emit ?? []),
  ]);
}

function topologyEdges(nodes) {
  const edges = new Map();
  const add = (from, to, kinds) => {
    if (from === to) return;
    const key = `${from}>${to}`;
    if (!edges.has(key)) edges.set(key, { from, to, kinds: new Set() });
    for (const kind of kinds) edges.get(key).kinds.add(kind);
  };
  // what goes into each queue or topic, so its outgoing edges can be drawn in the same style
  const into = new Map(nodes.map((n) => [n.id, new Set()]));
  const sent = (to, kind) => into.get(to)?.add(kind);
  for (const n of nodes) {
    for (const send of n.sends ?? []) sent(send.to, send.message?.kind ?? "command");
    for (const e of emits(n)) sent(e.to, e.kind);
  }
  for (const n of nodes) if (n.dead_letter) for (const k of into.get(n.id)) sent(n.dead_letter, k);
  const channel = (id, fallback) => (into.get(id)?.size ? into.get(id) : [fallback]);
  const byId = new Map(nodes.map((n) => [n.id, n]));
  // a question sent straight to a service that answers it: the answer comes back the same way
  const asked = (from, to, type) => {
    if (byId.get(to)?.handles?.[type]?.reply) add(to, from, ["reply"]);
  };
  for (const n of nodes) {
    for (const send of n.sends ?? []) {
      add(n.id, send.to, [send.message?.kind ?? "command"]);
      asked(n.id, send.to, send.message?.type);
    }
    for (const q of n.consumes ?? []) add(q, n.id, channel(q, "command"));
    for (const topic of n.subscribes ?? []) add(topic, n.id, channel(topic, "event"));
    for (const e of emits(n)) {
      add(n.id, e.to, [e.kind]);
      asked(n.id, e.to, e.type);
    }
    if (n.dead_letter) add(n.id, n.dead_letter, channel(n.id, "command"));
  }
  return [...edges.values()];
}

// Where the line from the centre towards (dx, dy) leaves the node's shape.
function boundary(view, dx, dy) {
  const len = Math.hypot(dx, dy) || 1;
  const scale = view.r
    ? view.r / len
    : Math.min(view.hw / (Math.abs(dx) || 1e-9), view.hh / (Math.abs(dy) || 1e-9));
  return [dx * scale, dy * scale];
}

function segmentBetween(a, b, offset) {
  const [dx, dy] = [b.x - a.x, b.y - a.y];
  const len = Math.hypot(dx, dy);
  if (len === 0) return { x1: a.x, y1: a.y, dx: 0, dy: 0 };
  // offset to the right of the direction of travel, so A→B and B→A do not cover each other
  const [ox, oy] = [(-dy / len) * offset, (dx / len) * offset];
  const [sx, sy] = boundary(a, dx, dy);
  const [ex, ey] = boundary(b, -dx, -dy);
  const [x1, y1, x2, y2] = [a.x + sx + ox, a.y + sy + oy, b.x + ex + ox, b.y + ey + oy];
  return { x1, y1, dx: x2 - x1, dy: y2 - y1 };
}

function arrowMarkers(defs, prefix) {
  for (const kind of KINDS) {
    const marker = svg("marker", {
      id: `${prefix}-arrow-${kind}`,
      class: `edge-arrow edge-arrow--${kind}`,
      viewBox: "0 0 10 10",
      refX: 9,
      refY: 5,
      markerWidth: 13,
      markerHeight: 13,
      markerUnits: "userSpaceOnUse", // the same size whatever the line's width
      orient: "auto",
    }, defs);
    svg("path", { d: "M0 0L10 5L0 10Z" }, marker);
  }
}

function drawEdges(layer, edges, segment, prefix) {
  for (const edge of edges) {
    const seg = segment(edge.from, edge.to);
    if (!seg) continue;
    const kind = STYLE_ORDER.find((k) => edge.kinds.has(k)) ?? "command";
    const d = [seg.x1, seg.y1, seg.dx, seg.dy].map((n) => n.toFixed(1));
    svg("path", {
      class: `edge edge--${kind}`,
      "data-from": edge.from,
      "data-to": edge.to,
      "data-kind": kind,
      "data-kinds": [...edge.kinds].join(" "),
      "marker-end": `url(#${prefix}-arrow-${kind})`,
      d: `M${d[0]} ${d[1]}l${d[2]} ${d[3]}`,
    }, layer);
  }
}

// The drawing's frame: fitted to what is drawn, or (on the editor's page, `canvas`) the whole
// canvas the format promises, so that editing and running show one picture that does not
// shift or zoom while a node is dragged or added.
function fitViewBox(root, views, canvas, minWidth) {
  let [x0, y0, x1, y1] = canvas ? [MARGIN, MARGIN, 1000 - MARGIN, 600 - MARGIN] : [Infinity, Infinity, -Infinity, -Infinity];
  for (const v of views) {
    x0 = Math.min(x0, v.x - v.labelHalf);
    x1 = Math.max(x1, v.x + v.labelHalf);
    y0 = Math.min(y0, v.top);
    y1 = Math.max(y1, v.bottom);
  }
  if (!views.length && !canvas) [x0, y0, x1, y1] = [0, 0, minWidth, 200];
  [x0, y0, x1, y1] = [x0 - MARGIN, y0 - MARGIN, x1 + MARGIN, y1 + MARGIN];
  const extra = Math.max(0, minWidth - (x1 - x0)) / 2;
  const box = [x0 - extra, y0, x1 - x0 + 2 * extra, y1 - y0].map((n) => Math.round(n));
  root.setAttribute("viewBox", box.join(" "));
}

// Builds the whole picture into `stage`: one <svg> for what stays put and, over it, one for the
// tokens. Moving tokens then repaint only their own layer, not every edge and label under them.
// `minWidth`: the narrowest frame, in canvas units (a half-width diagram may take a smaller one).
export function drawScene(stage, snapshot, prefix, { canvas = false, minWidth = MIN_WIDTH } = {}) {
  const topology = snapshot.topology ?? { nodes: [] };
  const layout = snapshot.layout ?? {};
  const root = svg("svg", { class: "diagram-svg", width: "100%" });
  const moving = svg("svg", { class: "diagram-tokens", width: "100%" });
  stage.replaceChildren(root, moving);
  arrowMarkers(svg("defs", {}, root), prefix);
  const edgeLayer = svg("g", { class: "edges" }, root);
  const nodeLayer = svg("g", { class: "nodes" }, root);
  const overlays = svg("g", { class: "node-overlays", "aria-hidden": "true" }, root);
  const tokenLayer = svg("g", { class: "tokens" }, moving);

  const dlqs = new Set(topology.nodes.map((n) => n.dead_letter).filter(Boolean));
  const views = new Map();
  for (const node of topology.nodes) {
    const pos = layout[node.id] ?? node.position ?? { x: 0, y: 0 };
    views.set(node.id, drawNode(nodeLayer, overlays, node, pos, dlqs.has(node.id)));
  }
  fitViewBox(root, [...views.values()], canvas, minWidth);
  moving.setAttribute("viewBox", root.getAttribute("viewBox"));

  const edges = topologyEdges(topology.nodes);
  const keys = new Set(edges.map((e) => `${e.from}>${e.to}`));
  const cache = new Map();
  const segment = (from, to) => {
    const key = `${from}>${to}`;
    if (!cache.has(key)) {
      const [a, b] = [views.get(from), views.get(to)];
      // traffic both ways between two nodes runs on two lines side by side
      const offset = keys.has(`${to}>${from}`) ? PAIR_OFFSET : 0;
      cache.set(key, a && b ? segmentBetween(a, b, offset) : null);
    }
    return cache.get(key);
  };
  drawEdges(edgeLayer, edges, segment, prefix);
  return { svg: root, views, tokenLayer, segment };
}

// A room's spotlight on a node: a thick dashed ring round the node and its label, and the word
// "Spotlight" on the ring, above the other marks. Drawn after the nodes, so it lies over them;
// hidden from assistive technology, which hears the room page's announcement instead.
export function drawSpotlight(root, view) {
  const pad = 8;
  const half = Math.max(view.hw, view.labelHalf ?? 0) + pad;
  const [top, bottom] = [view.top - pad, view.bottom + pad];
  const g = svg("g", {
    class: "spotlight",
    "data-spotlight": "node",
    "data-spotlight-target": view.id,
    "aria-hidden": "true",
  }, root);
  const ring = { x: view.x - half, y: top, width: 2 * half, height: bottom - top, rx: 14 };
  svg("rect", { class: "spotlight-ring", ...ring }, g);
  // on the ring's top edge, like a node's badges: it needs no room above the drawing
  const label = badge(g, "spotlight-label", "Spotlight");
  label.g.removeAttribute("display");
  placeBadge(label, view.x, top);
  return g;
}

// A breakpoint on a node: a stop sign (an octagon with a pause glyph) just above the node's
// top-left corner, where it covers neither the arrowheads that end at the corner nor the badges
// on the node's edge; named in words for assistive technology and, as a tooltip, for the mouse.
// Where Play stopped at one, a "paused here" badge beside it. A shape and words, never a colour
// alone.
const OCTAGON = "M-4.6 -11.1H4.6L11.1 -4.6V4.6L4.6 11.1H-4.6L-11.1 4.6V-4.6Z";
const PAUSE = "M-4.5 -5.5h3.2v11h-3.2ZM1.3 -5.5h3.2v11h-3.2Z";

export function drawBreakpoint(layer, view, types, hit) {
  const [cx, cy] = view.r
    ? [view.x - view.r, view.y - view.r - 8] // a topic is round: beside its top
    : [view.x - view.hw - 2, view.y - view.hh - 14];
  const words = `Breakpoint: pauses when ${eitherOf(types)} arrives at ${view.label}`;
  const g = svg("g", {
    class: hit ? "breakpoint is-hit" : "breakpoint",
    role: "img",
    "aria-label": hit ? `${words}; paused here` : words,
    "data-breakpoint": view.id,
    transform: `translate(${cx.toFixed(1)} ${cy.toFixed(1)})`,
  }, layer);
  svg("title", {}, g).textContent = words;
  svg("path", { class: "breakpoint-sign", d: OCTAGON }, g);
  svg("path", { class: "breakpoint-glyph", d: PAUSE }, g);
  if (hit) {
    const label = badge(g, "breakpoint-hit", "paused here");
    label.g.removeAttribute("display");
    placeBadge(label, 15, -5, "start"); // clear of the "handling" badge on the node's edge
  }
  return g;
}

// "A", "A or B", "A, B or C"
export function eitherOf(words) {
  if (words.length < 2) return words.join("");
  return `${words.slice(0, -1).join(", ")} or ${words.at(-1)}`;
}
