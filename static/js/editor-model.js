// The editor's document is a topology v1 object (docs/topology.md), nothing more: what the
// page exports, saves and runs is exactly what it edits. These functions never change the
// document they are given; each returns a new one, so the undo stack can keep old ones as
// they are. The engine on the server stays the judge of what is valid: the rules here only
// refuse wires that the format cannot express, with a reason a learner can act on.

export const SCHEMA = "msglab/topology@1";
export const KINDS = ["command", "event", "query", "reply", "document"];
export const NODE_KINDS = ["service", "queue", "topic", "client"];
export const CANVAS = { width: 1000, height: 600, margin: 50 };

const NOUN = { service: "Service", queue: "Queue", topic: "Topic", client: "Client" };
// where a new node of each kind goes first: messages flow left to right
const COLUMN = { client: 90, queue: 300, service: 510, topic: 720 };
const SPACING = 110; // a free spot is this far from every node
const PLAIN_KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function emptyDocument() {
  return { schema: SCHEMA, name: "My system", nodes: [] };
}

const copy = (value) => structuredClone(value);

export function nodeIndex(doc, id) {
  return doc.nodes.findIndex((n) => n.id === id);
}

export function nodeById(doc, id) {
  return doc.nodes.find((n) => n.id === id) ?? null;
}

export function labelOf(node) {
  return node.label || node.id;
}

// ---- nodes ---------------------------------------------------------------------------------

export function addNode(doc, kind) {
  const taken = new Set(doc.nodes.map((n) => n.id));
  let n = 1;
  while (taken.has(`${kind}-${n}`)) n += 1;
  const id = `${kind}-${n}`;
  const node = { id, kind, label: `${NOUN[kind]} ${n}`, position: freeSpot(doc, kind) };
  const next = copy(doc);
  next.nodes.push(node);
  return { doc: next, id };
}

// The first spot in the kind's column (then the others) at least SPACING from every node.
export function freeSpot(doc, kind) {
  const points = doc.nodes.map((n) => n.position).filter(Boolean);
  const clear = (x, y) => points.every((p) => Math.hypot(p.x - x, p.y - y) >= SPACING);
  const columns = [COLUMN[kind], ...Object.values(COLUMN).filter((x) => x !== COLUMN[kind]), 900];
  for (const x of columns) {
    for (let y = 100; y <= CANVAS.height - 100; y += SPACING) if (clear(x, y)) return { x, y };
  }
  return { x: CANVAS.width / 2, y: CANVAS.height / 2 }; // a crowded canvas: the learner moves it
}

export function clampToCanvas(x, y) {
  const { width, height, margin } = CANVAS;
  const clamp = (v, hi) => Math.round(Math.min(hi - margin, Math.max(margin, v)));
  return { x: clamp(x, width), y: clamp(y, height) };
}

export function moveNode(doc, id, x, y) {
  const next = copy(doc);
  const node = nodeById(next, id);
  if (node) node.position = clampToCanvas(x, y);
  return next;
}

// Removes the node and every reference to it, so the rest stays valid.
export function deleteNode(doc, id) {
  const next = copy(doc);
  next.nodes = next.nodes.filter((n) => n.id !== id);
  const keep = (emit) => emit.to !== id;
  for (const node of next.nodes) {
    if (node.sends) node.sends = node.sends.filter(keep);
    if (node.consumes) node.consumes = node.consumes.filter((q) => q !== id);
    if (node.subscribes) node.subscribes = node.subscribes.filter((t) => t !== id);
    if (node.dead_letter === id) delete node.dead_letter;
    for (const handler of Object.values(node.handles ?? {})) {
      if (handler.emit) handler.emit = handler.emit.filter(keep);
      if (handler.on_failure?.emit) handler.on_failure.emit = handler.on_failure.emit.filter(keep);
    }
  }
  return next;
}

// ---- wires ---------------------------------------------------------------------------------

// Why a wire from a node of one kind to another cannot exist; null when it can.
function refusal(from, to) {
  if (from.id === to.id) return "a node cannot be wired to itself";
  if (to.kind === "client") {
    return "a client only sends: nothing is delivered to it (a reply finds its sender by itself)";
  }
  const rules = {
    "queue>queue": "a queue cannot feed another queue: a service takes the message and sends it on",
    "queue>topic": "a topic cannot consume from a queue: a service takes the message and publishes it",
    "topic>queue": "a queue cannot subscribe to a topic here: give a service the subscription",
    "topic>topic": "a topic cannot subscribe to a topic: a service hears the event and publishes it",
  };
  return rules[`${from.kind}>${to.kind}`] ?? null;
}

// What a wire from `from` to `to` means in the format, in words (for the announcement).
function meaning(from, to) {
  if (from.kind === "client") return `${labelOf(from)} sends to ${labelOf(to)}`;
  if (from.kind === "queue") return `${labelOf(to)} consumes ${labelOf(from)}`;
  if (from.kind === "topic") return `${labelOf(to)} subscribes to ${labelOf(from)}`;
  return `${labelOf(from)} emits to ${labelOf(to)}`;
}

function newMessage(to) {
  return to.kind === "topic"
    ? { type: "NewEvent", kind: "event" }
    : { type: "NewCommand", kind: "command" };
}

// The message types that can reach a service: what is sent or emitted to it or to the queues
// and topics it takes from. A new handler is made for the first of them.
export function typesReaching(doc, id) {
  const node = nodeById(doc, id);
  const sources = new Set([id, ...(node?.consumes ?? []), ...(node?.subscribes ?? [])]);
  const types = [];
  const note = (to, type) => {
    if (sources.has(to) && type && !types.includes(type)) types.push(type);
  };
  for (const n of doc.nodes) {
    for (const send of n.sends ?? []) note(send.to, send.message?.type);
    for (const handler of Object.values(n.handles ?? {})) {
      for (const emit of [...(handler.emit ?? []), ...(handler.on_failure?.emit ?? [])]) {
        note(emit.to, emit.type);
      }
    }
  }
  return types;
}

// { doc, said } with the wire added, or { error } saying why it cannot be.
// `handler` is the message type whose handler gets a service's new emit.
export function connect(doc, fromId, toId, { handler = null } = {}) {
  const [from, to] = [nodeById(doc, fromId), nodeById(doc, toId)];
  if (!from || !to) return { error: "that node no longer exists" };
  const refused = refusal(from, to);
  if (refused) return { error: refused };
  const next = copy(doc);
  const source = nodeById(next, fromId);
  const target = nodeById(next, toId);
  const already = `${meaning(from, to)} already`;
  if (from.kind === "client") {
    source.sends ??= [];
    if (source.sends.some((s) => s.to === toId)) {
      return { error: `${already}: add another message in its properties instead` };
    }
    source.sends.push({ to: toId, message: newMessage(to) });
  } else if (from.kind === "queue" || from.kind === "topic") {
    const list = from.kind === "queue" ? "consumes" : "subscribes";
    target[list] ??= [];
    if (target[list].includes(fromId)) return { error: already };
    target[list].push(fromId);
  } else {
    source.handles ??= {};
    const type = handler && source.handles[handler] ? handler : Object.keys(source.handles)[0];
    const key = type ?? typesReaching(next, fromId)[0] ?? "NewCommand";
    source.handles[key] ??= {};
    const emits = (source.handles[key].emit ??= []);
    if (emits.some((e) => e.to === toId)) return { error: `${already} on ${key}` };
    emits.push({ ...newMessage(to), to: toId });
    return { doc: next, said: `${meaning(from, to)} when it handles ${key}` };
  }
  return { doc: next, said: meaning(from, to) };
}

// The nodes `id` can be wired to, with the reason for each one it cannot.
export function targets(doc, id) {
  const from = nodeById(doc, id);
  return doc.nodes
    .filter((n) => n.id !== id)
    .map((to) => ({ id: to.id, label: labelOf(to), kind: to.kind, refused: refusal(from, to) }));
}

// ---- fields --------------------------------------------------------------------------------

// A path as the engine writes it in its problems: nodes[2].handles.PlaceOrderCommand.emit[0].to
export function pathString(parts) {
  let out = "";
  for (const part of parts) {
    if (typeof part === "number") out += `[${part}]`;
    else if (PLAIN_KEY.test(part)) out += out ? `.${part}` : part;
    else out += `['${part}']`;
  }
  return out;
}

// Sets (or, with `undefined`, removes) the value at `parts`, making the objects on the way.
export function setPath(doc, parts, value) {
  const next = copy(doc);
  let at = next;
  for (const [i, part] of parts.slice(0, -1).entries()) {
    at[part] ??= typeof parts[i + 1] === "number" ? [] : {};
    at = at[part];
  }
  const last = parts.at(-1);
  if (value === undefined) {
    if (Array.isArray(at)) at.splice(last, 1);
    else delete at[last];
  } else at[last] = value;
  return next;
}

export function getPath(doc, parts) {
  return parts.reduce((at, part) => (at == null ? undefined : at[part]), doc);
}

// Renames a handler in place: keys keep their order, so the form does not jump.
export function renameHandler(doc, nodeId, from, to) {
  const next = copy(doc);
  const node = nodeById(next, nodeId);
  if (!node?.handles || !(from in node.handles) || (to !== from && to in node.handles)) return null;
  node.handles = Object.fromEntries(
    Object.entries(node.handles).map(([type, handler]) => [type === from ? to : type, handler]),
  );
  return next;
}

// The node a problem's path is about (nodes[3]... -> the fourth node's id), or null.
export function nodeOfPath(doc, path) {
  const match = /^nodes\[(\d+)\]/.exec(path ?? "");
  return match ? (doc.nodes[Number(match[1])]?.id ?? null) : null;
}
