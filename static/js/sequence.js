// The sequence diagram of a live run: a lifeline per node, left to right as on the diagram, and
// a row per trace record, oldest at the top: an arrow for each hop (commands solid, events
// dashed, replies dotted, each starting with its kind's token shape, as in the diagram's
// legend), and a mark with words on the lifeline where a message failed, was retried,
// dead-lettered or dropped. Clicking a row, or Enter on it, selects its message.
//
// Windowed, so that 3000 records cost what 40 do: the rows are data, laid out at a fixed
// height, and only those in the scroll viewport (and a margin) are in the SVG. Updates are
// drawn at most once an animation frame, and not at all while the view is hidden. Only one row
// is in the Tab order (a roving tabindex, as in the message log); the arrow keys move it.
// run-views.js creates it and feeds it the run's records.

import { TOKEN_PATHS, svg } from "./diagram-draw.js";

const ROW = 32; // px per row
const PAD = 10; // above the first row and below the last
const GUTTER = 76; // the record number and its time, left of the first lifeline
const MIN_COLUMN = 112;
const MAX_COLUMN = 210;
const MARGIN_ROWS = 12; // drawn above and below the viewport
const MAX_ROWS = 3000; // as run-views.js keeps records
const FOLLOW_SLACK = 40; // px from the bottom that still counts as "at the newest row"
const KINDS = ["command", "event", "reply", "query", "document"];
const KIND_WORDS = {
  command: "Command: square, solid line",
  event: "Event: circle, dashed line",
  reply: "Reply: diamond, dotted line",
  query: "Query: triangle, solid line",
  document: "Document: hexagon, dash-dot line",
};
// The records drawn as a mark on a lifeline, what the mark says, and where it goes.
const MARKS = {
  failed: { word: "failed", at: (r) => r.to ?? r.from },
  retry: { word: "retry", at: (r) => r.to ?? r.from },
  dead_lettered: { word: "dead-lettered", at: (r) => r.from ?? r.to },
  dropped: { word: "dropped", at: (r) => r.from ?? r.to },
  halted: { word: "halted", at: (r) => r.from ?? r.to },
};
const MARK_PATHS = {
  failed: "M-6 -6L6 6M6 -6L-6 6",
  retry: "M5.2 3A6 6 0 1 1 5.2 -3M7 -7.5L5.2 -3L0.8 -4.6",
  dead_lettered: "M-6 -6H6V6H-6Z",
  dropped: "M-6 0A6 6 0 1 0 6 0A6 6 0 1 0 -6 0ZM-4.2 4.2L4.2 -4.2",
  halted: "M-2.5 -6H2.5L6 -2.5V2.5L2.5 6H-2.5L-6 2.5V-2.5Z",
};
let sequences = 0; // marker ids must be unique in the page

export class Sequence {
  constructor(box, root) {
    this.box = box;
    this.root = root;
    this.prefix = `seq${++sequences}`;
    this.rows = []; // the records drawn: hops and marks, oldest first
    this.columns = new Map(); // node id → {x, label}
    this.nodes = []; // topology nodes, in lifeline order
    this.labels = new Map(); // node id → label
    this.name = "the run";
    this.run = null;
    this.selected = null; // the selected message id
    this.drawn = new Map(); // seq → its row's button <g>, for the rows in the SVG
    this.stop = null; // the seq of the row in the Tab order
    this.pinned = false; // the learner has been in the rows: the stop stays where they left it
    this.following = true;
    this.visible = false;
    this.frame = null;
    this.relayout = true; // the columns must be laid out again (new topology, new width)
    this.width = 0; // of the viewport, as last laid out
    this.viewport = { width: 0, height: 0 };
    this.headHeight = 0;
    this.top = 0; // the scroll position, as the last scroll event found it
    this.arrows = 0; // hop rows
    this.shownName = null;
    this.refocus = false; // a snapshot took the focused row away: focus the new stop
    this.build();
  }

  build() {
    this.box.classList.add("seq");
    this.scroller = document.createElement("div");
    this.scroller.className = "seq-scroller";
    this.head = document.createElement("ol");
    this.head.className = "seq-head";
    this.head.setAttribute("aria-label", "Lifelines, left to right");
    this.body = svg("svg", { class: "seq-body", role: "group", "aria-label": "Sequence diagram" });
    this.markers(svg("defs", {}, this.body));
    this.lifelines = svg("g", { class: "seq-lifelines", "aria-hidden": "true" }, this.body);
    this.layer = svg("g", { class: "seq-rows" }, this.body);
    this.empty = document.createElement("p");
    this.empty.className = "seq-empty";
    this.empty.textContent =
      "No messages yet: press Play or Step, and each hop appears here as an arrow.";
    this.scroller.append(this.head, this.body);
    this.box.append(this.scroller, this.empty, legend());

    this.scroller.addEventListener("scroll", () => this.scrolled(), { passive: true });
    this.body.addEventListener("click", (event) => this.activate(event.target));
    this.body.addEventListener("keydown", (event) => this.key(event));
    this.body.addEventListener("focusin", (event) => {
      const row = event.target.closest?.("[data-seq]");
      if (!row) return;
      this.pinned = true;
      this.setStop(Number(row.dataset.seq));
    });
    new ResizeObserver(([entry]) => {
      const { width, height } = entry.contentRect;
      this.viewport = { width, height };
      if (Math.abs(width - this.width) > 1) this.relayout = true;
      this.schedule();
    }).observe(this.scroller);
    this.root.addEventListener("msglab:select", ({ detail }) => this.select(detail));
  }

  markers(defs) {
    for (const kind of KINDS) {
      const common = { markerUnits: "userSpaceOnUse", orient: "auto" };
      const start = svg("marker", {
        id: `${this.prefix}-start-${kind}`,
        class: `seq-start seq-start--${kind}`,
        viewBox: "-10 -10 20 20",
        markerWidth: 11,
        markerHeight: 11,
        ...common,
      }, defs);
      svg("path", { d: TOKEN_PATHS[kind] }, start);
      const end = svg("marker", {
        id: `${this.prefix}-end-${kind}`,
        class: `seq-end seq-end--${kind}`,
        viewBox: "0 0 10 10",
        refX: 9,
        refY: 5,
        markerWidth: 10,
        markerHeight: 10,
        ...common,
      }, defs);
      svg("path", { d: "M0 0L10 5L0 10Z" }, end);
    }
  }

  // ---- the records -----------------------------------------------------------------------------

  reset(snapshot, records) {
    if (snapshot.run !== this.run) {
      this.selected = null; // a new run: the old ids mean other things
      this.pinned = false;
    }
    this.run = snapshot.run;
    this.name = snapshot.topology?.name || snapshot.scenario || "the run";
    this.setTopology(snapshot.topology?.nodes ?? [], snapshot.layout ?? {});
    this.rows = records.filter(drawn);
    this.arrows = this.rows.filter((r) => r.event === "hop").length;
    // Step back replaces every row: focus that was on one goes to the newest, not to <body>
    this.refocus ||= this.body.contains(document.activeElement);
    this.clear();
    this.following = true;
    if (!this.pinned) this.stop = null;
    // drawn now, not next frame: a snapshot (Step back) never shows an empty diagram
    if (!this.visible) return;
    if (this.frame !== null) cancelAnimationFrame(this.frame);
    this.render();
  }

  append(records) {
    let added = false;
    for (const record of records) {
      if (!drawn(record)) continue;
      this.rows.push(record);
      if (record.event === "hop") this.arrows += 1;
      added = true;
      for (const id of [record.from, record.to]) {
        if (id && !this.columns.has(id)) this.addColumn(id);
      }
    }
    if (!added) return;
    if (this.rows.length > MAX_ROWS + 500) {
      // every row moves up: drawn again from scratch, in chunks rather than every frame
      this.rows.splice(0, this.rows.length - MAX_ROWS);
      this.arrows = this.rows.filter((r) => r.event === "hop").length;
      this.clear();
    }
    this.schedule();
  }

  setTopology(nodes, layout) {
    const place = (node) => layout[node.id] ?? node.position ?? { x: 0, y: 0 };
    this.nodes = [...nodes].sort((a, b) => place(a).x - place(b).x || place(a).y - place(b).y);
    this.labels = new Map(nodes.map((node) => [node.id, node.label || node.id]));
    this.columns = new Map(this.nodes.map((node) => [node.id, { x: 0, node }]));
    this.relayout = true;
  }

  // A record names a node the topology does not (it cannot today): it gets a lifeline too.
  addColumn(id) {
    const node = { id, kind: "node", label: id };
    this.nodes.push(node);
    this.labels.set(id, id);
    this.columns.set(id, { x: 0, node });
    this.relayout = true;
  }

  clear() {
    for (const row of this.drawn.values()) row.parentNode.remove();
    this.drawn.clear();
  }

  // ---- showing ---------------------------------------------------------------------------------

  show() {
    this.visible = true;
    this.relayout = true;
    this.schedule();
  }

  hide() {
    this.visible = false;
  }

  schedule() {
    if (!this.visible || this.frame !== null) return;
    this.frame = requestAnimationFrame(() => this.render());
  }

  scrolled() {
    const s = this.scroller;
    this.top = s.scrollTop;
    this.following = s.scrollHeight - s.scrollTop - s.clientHeight < FOLLOW_SLACK;
    this.schedule();
  }

  render() {
    this.frame = null;
    if (!this.visible) return;
    if (this.relayout) this.layOut();
    const rows = this.rows;
    const height = 2 * PAD + rows.length * ROW;
    this.setSize(height);
    this.empty.hidden = rows.length > 0;
    const arrows = this.arrows;
    const name = `Sequence diagram of ${this.name}: ${count(arrows, "arrow")}`;
    if (name !== this.shownName) {
      this.shownName = name;
      this.body.setAttribute("aria-label", name);
      this.box.dataset.arrows = arrows;
    }
    // What the viewport shows, in the body's coordinates (the sticky head covers its top). The
    // scroll position comes from the last scroll event: reading it here would make the browser
    // lay the page out again, after every island's changes of this frame.
    let top = this.top;
    const view = Math.max(ROW, this.viewport.height - this.headHeight);
    if (this.following) {
      top = Math.max(0, this.headHeight + height - this.viewport.height);
      if (top !== this.top) this.scroller.scrollTop = top;
      this.top = top;
    }
    const first = Math.max(0, Math.floor((top - PAD) / ROW) - MARGIN_ROWS);
    const last = Math.min(rows.length - 1, Math.ceil((top + view - PAD) / ROW) + MARGIN_ROWS);
    this.keepStop();
    const stopAt = this.stop === null ? -1 : this.indexOf(this.stop);
    const wanted = new Set();
    for (let i = first; i <= last; i++) wanted.add(rows[i].seq);
    if (stopAt >= 0) wanted.add(this.stop);
    for (const [seq, row] of this.drawn) {
      if (wanted.has(seq)) continue;
      if (row.contains(document.activeElement)) continue; // never pull the focus out
      row.parentNode.remove();
      this.drawn.delete(seq);
    }
    const fresh = [];
    const draw = (i) => {
      const record = rows[i];
      if (this.drawn.has(record.seq)) return;
      const row = this.row(record, i);
      this.drawn.set(record.seq, row);
      fresh.push(row.parentNode);
    };
    for (let i = first; i <= last; i++) draw(i);
    if (stopAt >= 0) draw(stopAt);
    if (fresh.length) this.layer.append(...fresh);
    if (this.refocus && stopAt >= 0) this.drawn.get(this.stop)?.focus({ preventScroll: true });
    this.refocus = false;
  }

  // Lifelines: one column per node, as wide as the view allows between two limits; wider than
  // the view, the sequence scrolls sideways inside itself, never the page.
  layOut() {
    this.relayout = false;
    this.width = this.viewport.width || this.scroller.clientWidth;
    const n = Math.max(1, this.nodes.length);
    const column = Math.max(MIN_COLUMN, Math.min(MAX_COLUMN, (this.width - GUTTER - 8) / n));
    this.columnWidth = column;
    this.totalWidth = Math.round(GUTTER + n * column);
    const items = this.nodes.map((node, i) => {
      const x = GUTTER + (i + 0.5) * column;
      this.columns.get(node.id).x = x;
      const item = document.createElement("li");
      item.dataset.lifeline = node.id;
      item.className = `seq-node seq-node--${node.kind}`;
      item.style.width = `${column}px`;
      const label = document.createElement("span");
      // "order.commands" may break after its dots, not in the middle of a word
      this.labels.get(node.id).split(/(?<=[._/-])/).forEach((part, j) => {
        if (j) label.append(document.createElement("wbr"));
        label.append(part);
      });
      item.append(label);
      return item;
    });
    this.head.replaceChildren(...items);
    this.head.style.paddingLeft = `${GUTTER}px`;
    this.head.style.width = `${this.totalWidth}px`;
    this.body.setAttribute("width", this.totalWidth);
    this.lines = this.nodes.map((node) => {
      const x = this.columns.get(node.id).x.toFixed(1);
      return svg("line", { class: "seq-lifeline", x1: x, x2: x, y1: 0, y2: 0 });
    });
    this.lifelines.replaceChildren(...this.lines);
    this.headHeight = this.head.offsetHeight;
    this.top = this.scroller.scrollTop; // a hidden view may have lost its scroll position
    this.shownHeight = -1;
    this.clear();
  }

  setSize(height) {
    if (height === this.shownHeight) return;
    this.shownHeight = height;
    this.body.setAttribute("height", height);
    for (const line of this.lines) line.setAttribute("y2", height);
  }

  // A row: its record's number and time in the gutter, beside the button that is the arrow or
  // the mark (whose name says the number; the time is for the eyes, and the inspector).
  row(record, index) {
    const y = PAD + index * ROW + ROW / 2;
    const message = record.message;
    const slot = svg("g", { class: "seq-slot", transform: `translate(0 ${y})` });
    const g = svg("g", {
      class: "seq-row",
      role: "button",
      tabindex: record.seq === this.stop ? 0 : -1,
      "data-seq": record.seq,
      "data-event": record.event,
    }, slot);
    if (message?.id) g.dataset.message = message.id;
    if (message?.id && message.id === this.selected) g.classList.add("is-selected");
    svg("rect", { class: "seq-band", x: 0, y: -ROW / 2, width: this.totalWidth, height: ROW }, g);
    const gutter = svg("g", { class: "seq-gutter", "aria-hidden": "true" }, slot); // over the band
    const number = svg("text", { class: "seq-when seq-when--seq", x: 6, y: -3 }, gutter);
    number.textContent = `#${record.seq}`;
    const when = svg("text", { class: "seq-when", x: 6, y: 10 }, gutter);
    when.textContent = `${ms(record.t)} ms`;
    if (record.event === "hop") this.arrow(g, record);
    else this.mark(g, record);
    return g;
  }

  arrow(g, record) {
    const message = record.message ?? {};
    const kind = KINDS.includes(message.kind) ? message.kind : "command";
    const type = message.type ?? "message";
    const [x1, x2] = [this.x(record.from), this.x(record.to)];
    g.classList.add("seq-arrow", `seq-arrow--${kind}`);
    g.dataset.kind = kind;
    const from = this.labels.get(record.from) ?? record.from;
    const to = this.labels.get(record.to) ?? record.to;
    g.setAttribute("aria-label", `${type} from ${from} to ${to}, record ${record.seq}`);
    const ends = {
      "marker-start": `url(#${this.prefix}-start-${kind})`,
      "marker-end": `url(#${this.prefix}-end-${kind})`,
    };
    const line = 8; // the line runs under the label
    let d;
    let mid = (x1 + x2) / 2;
    if (Math.abs(x2 - x1) < 1) {
      d = `M${x1} ${line - 8}h26v8h-24`; // to itself: a small loop
      mid = x1 + 30;
    } else d = `M${x1.toFixed(1)} ${line}H${x2.toFixed(1)}`;
    svg("path", { class: `seq-line seq-line--${kind}`, d, ...ends }, g);
    const label = svg("text", { class: "seq-label", x: mid.toFixed(1), y: -2 }, g);
    label.textContent = type;
  }

  mark(g, record) {
    const mark = MARKS[record.event];
    const node = mark.at(record);
    const x = this.x(node);
    const type = record.message?.type;
    const attempt = record.event === "retry" && record.detail?.attempt;
    const word = attempt ? `${mark.word} ${attempt}` : mark.word;
    g.classList.add("seq-mark", `seq-mark--${record.event}`);
    const where = this.labels.get(node) ?? node ?? "the run";
    const what = type ? `${word}: ${type}` : word;
    g.setAttribute("aria-label", `${what} at ${where}, record ${record.seq}`);
    const at = `translate(${x.toFixed(1)} 0)`;
    svg("path", { class: "seq-mark-shape", d: MARK_PATHS[record.event], transform: at }, g);
    // the words go right of the mark, or left of it near the right edge
    const right = x + 160 < this.totalWidth;
    const label = svg("text", {
      class: "seq-mark-label",
      x: (right ? x + 12 : x - 12).toFixed(1),
      y: 4,
      "text-anchor": right ? "start" : "end",
    }, g);
    label.textContent = what;
  }

  x(id) {
    return this.columns.get(id)?.x ?? GUTTER / 2;
  }

  indexOf(seq) {
    // rows are in seq order: a binary search
    let [lo, hi] = [0, this.rows.length - 1];
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const at = this.rows[mid].seq;
      if (at === seq) return mid;
      if (at < seq) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }

  // ---- selection -----------------------------------------------------------------------------

  activate(target) {
    const row = target.closest?.("[data-seq]");
    if (!row) return;
    const record = this.rows[this.indexOf(Number(row.dataset.seq))];
    if (!record) return;
    const message = record.message;
    const detail = message?.id
      ? { type: "message", id: message.id, envelope: message }
      : { type: "node", id: record.from || record.to };
    this.root.dispatchEvent(new CustomEvent("msglab:select", { detail, bubbles: true }));
  }

  select(selection) {
    this.selected = selection?.type === "message" ? selection.id : null;
    for (const row of this.drawn.values()) {
      const on = this.selected !== null && row.dataset.message === this.selected;
      row.classList.toggle("is-selected", on);
    }
  }

  // ---- the keyboard: a roving tabindex over the rows -------------------------------------------

  setStop(seq) {
    if (seq === this.stop) return;
    const before = this.drawn.get(this.stop);
    if (before) before.tabIndex = -1;
    this.stop = seq;
    const row = this.drawn.get(seq);
    if (row) row.tabIndex = 0;
  }

  // Until the learner has been in the rows, the stop is the newest row, where Tab should land.
  keepStop() {
    if (this.rows.length === 0) {
      this.stop = null;
      return;
    }
    if (this.pinned && this.stop !== null && this.indexOf(this.stop) >= 0) return;
    this.setStop(this.rows.at(-1).seq);
  }

  key(event) {
    const row = event.target.closest?.("[data-seq]");
    if (!row || event.altKey || event.ctrlKey || event.metaKey) return;
    if (event.key === "Enter" || event.key === " ") {
      event.preventDefault(); // Space would scroll, and on a presenter's page play the run
      this.activate(row);
      return;
    }
    const at = this.indexOf(Number(row.dataset.seq));
    const page = Math.max(1, Math.floor((this.viewport.height - this.headHeight) / ROW) - 1);
    const to = {
      ArrowUp: at - 1,
      ArrowDown: at + 1,
      Home: 0,
      End: this.rows.length - 1,
      PageUp: at - page,
      PageDown: at + page,
    }[event.key];
    if (to === undefined) return;
    event.preventDefault();
    this.focusRow(Math.max(0, Math.min(this.rows.length - 1, to)));
  }

  focusRow(index) {
    const seq = this.rows[index].seq;
    this.pinned = true;
    this.setStop(seq);
    // bring it into view, then draw now: the row must exist to take the focus
    const y = PAD + index * ROW;
    const s = this.scroller;
    const view = this.viewport.height - this.headHeight;
    if (y < s.scrollTop) s.scrollTop = y;
    else if (y + ROW > s.scrollTop + view) s.scrollTop = y + ROW - view;
    this.top = s.scrollTop;
    this.following = index === this.rows.length - 1;
    if (this.frame !== null) cancelAnimationFrame(this.frame);
    this.render();
    this.drawn.get(seq)?.focus({ preventScroll: true });
  }
}

function drawn(record) {
  return record.event === "hop" || Object.hasOwn(MARKS, record.event);
}

function ms(t) {
  return Number.isInteger(t) ? String(t) : String(Math.round(t * 100) / 100);
}

function count(n, word) {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

// What the line styles and start shapes mean, and the marks: the diagram's legend, and more.
function legend() {
  const list = document.createElement("ul");
  list.className = "seq-legend";
  list.setAttribute("aria-label", "Legend");
  for (const kind of KINDS) {
    const size = { viewBox: "-12 -12 70 24", width: 70, height: 24 };
    const picture = svg("svg", { ...size, "aria-hidden": "true" });
    svg("path", { class: `seq-line seq-line--${kind}`, d: "M8 0H50" }, picture);
    svg("path", { d: TOKEN_PATHS[kind] }, svg("g", { class: `seq-start--${kind}` }, picture));
    svg("path", { d: "M48 -5L58 0L48 5Z" }, svg("g", { class: `seq-end--${kind}` }, picture));
    list.append(item(picture, KIND_WORDS[kind]));
  }
  for (const [event, { word }] of Object.entries(MARKS)) {
    const size = { viewBox: "-12 -12 24 24", width: 24, height: 24 };
    const picture = svg("svg", { ...size, "aria-hidden": "true" });
    const g = svg("g", { class: `seq-mark--${event}` }, picture);
    svg("path", { class: "seq-mark-shape", d: MARK_PATHS[event] }, g);
    list.append(item(picture, `Mark: ${word}`));
  }
  return list;
}

function item(picture, words) {
  const li = document.createElement("li");
  const span = document.createElement("span");
  span.textContent = words;
  li.append(picture, span);
  return li;
}
