// The causation graph of a live run: one node per message, an arrow from each message to the
// messages its handling sent ("caused": the child's causation_id), and one box per conversation
// (a correlation id), headed by its first message: "Order A123: PlaceOrderCommand". In a box,
// messages are rows in the order they first appeared, indented by how far down the chain of
// causes they are. A message that failed, was dead-lettered or dropped says so in a badge, and
// the messages sent because of a failure (a handler's `on_failure`, and what they caused in
// turn) are the failure branch: a red arrow and a badge, so a saga's compensation reads as one.
//
// A node's shape follows its kind, with the diagram's token shape and line style beside it
// (commands solid, events dashed, replies dotted). Clicking a node, or Enter on it, selects
// its message. Drawn only while shown, at most four times a second; only the latest
// conversations are drawn. run-views.js creates it and feeds it the run's records.

import { TOKEN_PATHS, svg } from "./diagram-draw.js";

const NODE_W = 264; // at most; narrower on a phone
const MIN_NODE_W = 200;
const NODE_H = 44;
const ROW = 58; // a node and the gap under it (where the next node's badges sit)
const INDENT = 38; // per step down the chain of causes; 22 on a phone
const PAD = 10;
const GROUP_CHROME = 32; // a group box's padding and border, both sides
const EDGE = 8; // kept above a followed box, room allowing
const DRAW_EVERY_MS = 250;
const SHOWN_GROUPS = 24; // the latest conversations drawn
const KEPT_GROUPS = 400; // the conversations kept (a long run drops its oldest)
const KINDS = ["command", "event", "reply", "query", "document"];
const CHAR_W = 8.4; // a character of a type at 13px bold, about: a longer type is cut, with "…"
let graphs = 0;

export class Causation {
  constructor(box, root) {
    this.box = box;
    this.root = root;
    this.prefix = `cause${++graphs}`;
    this.messages = new Map(); // id → what the records say about the message
    this.groups = new Map(); // correlation id → {id, ids, section, dirty}, oldest first
    this.labels = new Map(); // node id → label
    this.run = null;
    this.selected = null;
    this.stop = null; // the message id in the Tab order
    this.pinned = false;
    this.visible = false;
    this.timer = null;
    this.drawnAt = -Infinity;
    this.shown = []; // the groups drawn, in order
    this.following = true;
    this.size = { nodeW: NODE_W, indent: INDENT, width: 0 };
    this.build();
  }

  build() {
    this.box.classList.add("cause");
    const note = document.createElement("p");
    note.className = "cause-note";
    note.textContent =
      "One box per conversation (correlation id). An arrow goes from a message to each message " +
      "its handler sent in turn: the messages it caused.";
    this.more = document.createElement("p");
    this.more.className = "cause-more";
    this.more.hidden = true;
    this.scroller = document.createElement("div");
    this.scroller.className = "cause-scroller";
    this.list = document.createElement("div");
    this.list.className = "cause-groups";
    this.scroller.append(this.list);
    this.empty = document.createElement("p");
    this.empty.className = "cause-empty";
    this.empty.textContent = "No messages yet: press Play or Step, and each message appears here.";
    this.defs = svg("svg", { class: "cause-defs", width: 0, height: 0, "aria-hidden": "true" });
    const defs = svg("defs", {}, this.defs);
    for (const name of ["arrow", "arrow-failure"]) {
      const marker = svg("marker", {
        id: `${this.prefix}-${name}`,
        class: `cause-${name}`,
        viewBox: "0 0 10 10",
        refX: 9,
        refY: 5,
        markerWidth: 9,
        markerHeight: 9,
        markerUnits: "userSpaceOnUse",
        orient: "auto",
      }, defs);
      svg("path", { d: "M0 0L10 5L0 10Z" }, marker);
    }
    this.box.append(this.defs, note, this.more, this.scroller, this.empty);

    this.scroller.addEventListener(
      "scroll",
      () => {
        const s = this.scroller;
        this.following = s.scrollHeight - s.scrollTop - s.clientHeight < 40;
      },
      { passive: true },
    );
    this.list.addEventListener("click", (event) => this.activate(event.target));
    this.list.addEventListener("keydown", (event) => this.key(event));
    this.list.addEventListener("focusin", (event) => {
      const node = event.target.closest?.("[data-message]");
      if (!node) return;
      this.pinned = true;
      this.setStop(node.dataset.message);
    });
    this.root.addEventListener("msglab:select", ({ detail }) => this.select(detail));
    new ResizeObserver(([entry]) => {
      if (Math.abs(entry.contentRect.width - this.size.width) > 1) this.schedule({ now: true });
    }).observe(this.scroller);
  }

  // ---- the records -----------------------------------------------------------------------------

  reset(snapshot, records) {
    if (snapshot.run !== this.run) {
      this.selected = null;
      this.pinned = false;
    }
    this.run = snapshot.run;
    this.labels = new Map((snapshot.topology?.nodes ?? []).map((n) => [n.id, n.label || n.id]));
    this.messages.clear();
    for (const group of this.groups.values()) group.section?.remove();
    this.groups.clear();
    this.shown = [];
    this.following = true;
    for (const record of records) this.ingest(record);
    this.schedule({ now: true });
  }

  append(records) {
    let changed = false;
    for (const record of records) changed = this.ingest(record) || changed;
    if (!changed) return;
    while (this.groups.size > KEPT_GROUPS) this.forget(this.groups.values().next().value);
    this.schedule();
  }

  ingest(record) {
    const m = record.message;
    if (!m?.id) return false; // a client's send is numbered only when it arrives
    let message = this.messages.get(m.id);
    if (!message) {
      message = {
        id: m.id,
        type: m.type,
        kind: KINDS.includes(m.kind) ? m.kind : "command",
        correlation: m.correlation_id ?? m.id,
        cause: m.causation_id ?? null,
        source: m.headers?.source ?? null,
        payload: m.payload ?? {},
        envelope: m, // for the inspector, which may no longer keep an old one
        failedAt: new Set(), // where its handling failed
        failures: 0,
        deadLettered: false,
        dropped: false,
        handled: 0,
      };
      this.messages.set(m.id, message);
      let group = this.groups.get(message.correlation);
      if (!group) {
        group = { id: message.correlation, ids: [], section: null, dirty: true };
        this.groups.set(group.id, group);
      }
      group.ids.push(m.id);
    }
    if (record.event === "failed") {
      message.failures += 1;
      message.failedAt.add(record.to ?? record.from);
    } else if (record.event === "dead_lettered") message.deadLettered = true;
    else if (record.event === "dropped") message.dropped = true;
    else if (record.event === "handled") message.handled += 1;
    else if (record.event !== "hop") return false; // retry, waiting: nothing new to draw
    this.groups.get(message.correlation).dirty = true;
    return true;
  }

  forget(group) {
    for (const id of group.ids) this.messages.delete(id);
    group.section?.remove();
    this.groups.delete(group.id);
  }

  // ---- showing ---------------------------------------------------------------------------------

  show() {
    this.visible = true;
    this.schedule({ now: true });
  }

  hide() {
    this.visible = false;
    clearTimeout(this.timer);
    this.timer = null;
  }

  schedule({ now = false } = {}) {
    if (!this.visible) return;
    if (now) {
      clearTimeout(this.timer);
      this.timer = null;
      this.render();
      return;
    }
    if (this.timer !== null) return;
    const wait = Math.max(0, this.drawnAt + DRAW_EVERY_MS - performance.now());
    this.timer = setTimeout(() => requestAnimationFrame(() => this.render()), wait);
  }

  render() {
    this.timer = null;
    if (!this.visible) return;
    this.drawnAt = performance.now();
    const focused = this.list.contains(document.activeElement)
      ? document.activeElement.dataset?.message
      : null;
    const all = [...this.groups.values()];
    const shown = all.slice(-SHOWN_GROUPS);
    this.fit();
    this.keepStop(shown);
    for (const group of shown) {
      if (group.dirty || !group.section) this.draw(group);
    }
    if (shown.length !== this.shown.length || shown.some((g, i) => g !== this.shown[i])) {
      this.list.replaceChildren(...shown.map((g) => g.section));
      this.shown = shown;
    }
    this.more.hidden = all.length <= shown.length;
    this.more.textContent = `Showing the latest ${shown.length} of ${all.length} conversations.`;
    this.empty.hidden = all.length > 0;
    this.box.dataset.messages = this.messages.size;
    this.box.dataset.groups = this.groups.size;
    this.mark();
    if (focused) this.nodeFor(focused)?.focus({ preventScroll: true });
    if (this.following) this.follow();
  }

  // Keep the newest conversations in view: their row of boxes whole, top edge included, when it
  // fits the scroller (a box a little taller than the space below it would otherwise lose its
  // top border and heading to the scroll); a taller row shows its newest messages at the bottom.
  follow() {
    const s = this.scroller;
    const end = s.scrollHeight - s.clientHeight;
    const newest = this.shown.at(-1)?.section;
    if (end <= 0 || !newest) {
      s.scrollTop = Math.max(0, end);
      return;
    }
    const origin = this.list.getBoundingClientRect().top; // scrolls with the boxes
    const top = newest.getBoundingClientRect().top;
    const row = this.shown
      .map((g) => g.section.getBoundingClientRect())
      .filter((box) => Math.abs(box.top - top) < 1);
    const height = Math.max(...row.map((box) => box.bottom)) - top;
    const room = s.clientHeight - height;
    s.scrollTop = room >= 0 ? Math.min(end, top - origin - Math.min(EDGE, room / 2)) : end;
  }

  // Nodes as wide as the view allows (a phone's is narrow), so a tree rarely scrolls sideways.
  fit() {
    const width = this.scroller.clientWidth;
    if (Math.abs(width - this.size.width) <= 1) return;
    const indent = width < 500 ? 22 : INDENT;
    // room for a chain of three causes beside the node; a deeper tree scrolls in its box
    const room = width - 2 * PAD - GROUP_CHROME - 3 * indent;
    const nodeW = Math.round(Math.max(MIN_NODE_W, Math.min(NODE_W, room)));
    this.size = { nodeW, indent, width };
    for (const group of this.groups.values()) group.dirty = true;
  }

  // One conversation's box: its heading and its tree.
  draw(group) {
    group.dirty = false;
    const placed = this.place(group);
    const section = group.section ?? document.createElement("section");
    group.section = section;
    section.className = "cause-group";
    section.dataset.correlation = group.id;
    const headingId = `${this.prefix}-${group.id}`.replace(/[^\w-]/g, "_");
    section.setAttribute("aria-labelledby", headingId);
    const root = placed[0].message;
    const heading = document.createElement("h4");
    heading.id = headingId;
    heading.textContent = `${subject(root)}: ${root.type}`;
    const failed = placed.filter((p) => isFailed(p.message)).length;
    const branch = placed.filter((p) => p.branch).length;
    const facts = [`correlation ${group.id}`, count(placed.length, "message")];
    if (failed) facts.push(`${failed} failed`);
    if (branch) facts.push(`${branch} on the failure branch`);
    const sub = document.createElement("p");
    sub.className = "cause-sub";
    sub.textContent = facts.join(" · ");
    section.classList.toggle("has-failure", failed > 0);
    section.replaceChildren(heading, sub, this.tree(placed, heading.textContent));
  }

  // Depth by causation, a row per message in order of first appearance; and the failure branch.
  place(group) {
    const placed = [];
    const byId = new Map();
    group.ids.forEach((id, row) => {
      const message = this.messages.get(id);
      const parent = message.cause && message.cause !== id ? byId.get(message.cause) : undefined;
      const failedParent = parent && parent.message.failedAt.size > 0;
      // sent by the node where its cause failed: the handler's on_failure (or what it caused)
      const onFailure = Boolean(
        failedParent && (!message.source || parent.message.failedAt.has(message.source)),
      );
      const p = {
        message,
        row,
        parent,
        depth: parent ? parent.depth + 1 : 0,
        onFailure,
        branch: onFailure || Boolean(parent?.branch),
      };
      placed.push(p);
      byId.set(id, p);
    });
    return placed;
  }

  tree(placed, name) {
    const { nodeW, indent } = this.size;
    const depth = Math.max(...placed.map((p) => p.depth));
    const width = 2 * PAD + depth * indent + nodeW;
    const height = 2 * PAD + (placed.length - 1) * ROW + NODE_H;
    const tree = svg("svg", {
      class: "cause-tree",
      width,
      height,
      viewBox: `0 0 ${width} ${height}`,
      role: "group",
      "aria-label": `Messages of ${name}`,
    });
    const edges = svg("g", { class: "cause-edges", "aria-hidden": "true" }, tree);
    const nodes = svg("g", { class: "cause-nodes" }, tree);
    for (const p of placed) {
      p.x = PAD + p.depth * indent;
      p.y = PAD + p.row * ROW;
      if (p.parent) this.edge(edges, p);
      nodes.append(this.node(p));
    }
    return tree;
  }

  edge(layer, p) {
    const from = p.parent;
    const [x0, y0] = [from.x + (this.size.indent > 30 ? 18 : 11), from.y + NODE_H];
    const y1 = p.y + NODE_H / 2;
    svg("path", {
      class: `cause-edge${p.branch ? " is-failure" : ""}`,
      "data-edge": `${from.message.id}>${p.message.id}`,
      d: `M${x0} ${y0}V${y1}H${p.x}`,
      "marker-end": `url(#${this.prefix}-${p.branch ? "arrow-failure" : "arrow"})`,
    }, layer);
  }

  node(p) {
    const m = p.message;
    const failed = isFailed(m);
    const classes = ["cause-node", `cause-node--${m.kind}`];
    if (failed) classes.push("is-failed");
    if (p.branch) classes.push("is-branch");
    if (m.id === this.selected) classes.push("is-selected");
    // The button is the outline; the words lie over it, hidden from assistive technology,
    // which hears the button's name: the same words, with what caused the message.
    const slot = svg("g", { class: "cause-slot", transform: `translate(${p.x} ${p.y})` });
    const g = svg("g", {
      class: classes.join(" "),
      role: "button",
      tabindex: m.id === this.stop ? 0 : -1,
      "data-message": m.id,
      "data-kind": m.kind,
    }, slot);
    const words = svg("g", { class: "cause-words", "aria-hidden": "true" }, slot);
    const badges = [];
    if (m.failures) {
      const where = [...m.failedAt].map((id) => this.labels.get(id) ?? id).join(" and ");
      const word = m.failures > 1 ? `failed ×${m.failures}` : "failed";
      badges.push({ word, says: `failed at ${where}`, cls: "failed" });
    }
    if (m.deadLettered) {
      badges.push({ word: "dead-lettered", says: "dead-lettered", cls: "failed" });
    }
    if (m.dropped) badges.push({ word: "dropped", says: "dropped", cls: "failed" });
    if (p.onFailure) {
      badges.push({ word: "on failure", says: "sent because its cause failed", cls: "branch" });
    } else if (p.branch) {
      badges.push({ word: "failure branch", says: "on the failure branch", cls: "branch" });
    }
    const cause = p.parent ? `, caused by ${p.parent.message.type} ${p.parent.message.id}` : "";
    const states = badges.map((b) => `, ${b.says}`).join("");
    g.setAttribute("aria-label", `${m.type} (${m.kind} ${m.id})${cause}${states}`);

    shape(g, m.kind, this.size.nodeW);
    const token = svg("g", {
      class: `cause-token cause-token--${m.kind}`,
      transform: "translate(20 22) scale(0.8)",
    }, words);
    svg("path", { d: TOKEN_PATHS[m.kind] }, token);
    const type = svg("text", { class: "cause-type", x: 36, y: 18 }, words);
    const fits = Math.floor((this.size.nodeW - 44) / CHAR_W);
    type.textContent = m.type.length > fits ? `${m.type.slice(0, fits - 1)}…` : m.type;
    const meta = svg("text", { class: "cause-meta", x: 36, y: 35 }, words);
    meta.textContent = `${m.kind} ${m.id}`;
    let right = this.size.nodeW - 6;
    for (const b of badges.slice(0, 2).reverse()) {
      const w = Math.round(b.word.length * 6.4 + 12);
      right -= w;
      // on the top edge, as the diagram's badges: clear of the words inside
      const badge = svg("g", {
        class: `cause-badge cause-badge--${b.cls}`,
        transform: `translate(${right} -7.5)`,
      }, words);
      svg("rect", { width: w, height: 15, rx: 7.5 }, badge);
      const word = svg("text", { x: w / 2, y: 8 }, badge);
      word.textContent = b.word;
      right -= 4;
    }
    return slot;
  }

  // ---- selection -----------------------------------------------------------------------------

  nodeFor(id) {
    return this.list.querySelector(`[data-message="${CSS.escape(id)}"]`);
  }

  activate(target) {
    const node = target.closest?.("[data-message]");
    const message = node && this.messages.get(node.dataset.message);
    if (!message) return;
    const detail = { type: "message", id: message.id, envelope: message.envelope };
    this.root.dispatchEvent(new CustomEvent("msglab:select", { detail, bubbles: true }));
  }

  select(selection) {
    this.selected = selection?.type === "message" ? selection.id : null;
    if (this.visible) this.mark();
  }

  mark() {
    for (const node of this.list.querySelectorAll(".cause-node.is-selected")) {
      node.classList.remove("is-selected");
    }
    if (this.selected) this.nodeFor(this.selected)?.classList.add("is-selected");
  }

  // ---- the keyboard: one node in the Tab order; arrows move, Left to the cause ---------------

  setStop(id) {
    if (id === this.stop) return;
    const before = this.stop && this.nodeFor(this.stop);
    if (before) before.tabIndex = -1;
    this.stop = id;
    const node = id && this.nodeFor(id);
    if (node) node.tabIndex = 0;
  }

  // The stop stays on a drawn node; until the learner has been in the graph, it is the first
  // message of the newest conversation.
  keepStop(shown) {
    const drawnIds = new Set(shown.flatMap((g) => g.ids));
    if (this.pinned && drawnIds.has(this.stop)) return;
    this.stop = shown.at(-1)?.ids[0] ?? null; // set before drawing: the new nodes take it
    for (const node of this.list.querySelectorAll('[data-message][tabindex="0"]')) {
      if (node.dataset.message !== this.stop) node.tabIndex = -1;
    }
    const node = this.stop && this.nodeFor(this.stop);
    if (node) node.tabIndex = 0;
  }

  key(event) {
    const node = event.target.closest?.("[data-message]");
    if (!node || event.altKey || event.ctrlKey || event.metaKey) return;
    if (event.key === "Enter" || event.key === " ") {
      event.preventDefault();
      this.activate(node);
      return;
    }
    const all = [...this.list.querySelectorAll(".cause-node")];
    const at = all.indexOf(node);
    const message = this.messages.get(node.dataset.message);
    let next;
    if (event.key === "ArrowDown") next = all[at + 1];
    else if (event.key === "ArrowUp") next = all[at - 1];
    else if (event.key === "Home") next = all[0];
    else if (event.key === "End") next = all.at(-1);
    else if (event.key === "ArrowLeft") next = message?.cause && this.nodeFor(message.cause);
    else if (event.key === "ArrowRight") {
      next = all.find((other) => this.messages.get(other.dataset.message)?.cause === message?.id);
    } else return;
    event.preventDefault();
    if (!next) return;
    this.pinned = true;
    this.setStop(next.dataset.message);
    next.focus();
  }
}

// A node's outline says its kind: a command is a rectangle, an event a pill, a reply a
// rectangle with a dotted border, a query one with cut corners, a document a rounded one.
function shape(g, kind, w) {
  const h = NODE_H;
  const attrs = { class: "cause-shape" };
  if (kind === "query") {
    const c = 8;
    const d = `M${c} 0H${w - c}L${w} ${c}V${h - c}L${w - c} ${h}H${c}L0 ${h - c}V${c}Z`;
    svg("path", { ...attrs, d }, g);
  } else {
    const rx = { event: h / 2, document: 10 }[kind] ?? 3;
    svg("rect", { ...attrs, width: w, height: h, rx }, g);
  }
}

function isFailed(message) {
  return message.failures > 0 || message.deadLettered || message.dropped;
}

// What a conversation is about, from its first message: "Order A123" from an `orderId` (the
// id its type names, as PlaceOrderCommand names the order, or the first id), or the first text
// field ("sku SKU-42"); otherwise its correlation id.
function subject(message) {
  const entries = Object.entries(message.payload ?? {}).filter(
    ([, value]) => typeof value === "string" || typeof value === "number",
  );
  const ids = entries.filter(([key]) => /^[a-z]+_?id$/i.test(key) && key.length > 2);
  const type = (message.type ?? "").toLowerCase();
  const named =
    ids.find(([key]) => type.includes(key.replace(/_?id$/i, "").toLowerCase())) ?? ids[0];
  if (named) {
    const word = named[0].replace(/_?id$/i, "");
    return `${word[0].toUpperCase()}${word.slice(1)} ${named[1]}`;
  }
  const text = entries.find(([, value]) => typeof value === "string");
  if (text) return `${text[0]} ${text[1]}`;
  return `Conversation ${message.correlation}`;
}

function count(n, word) {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}
