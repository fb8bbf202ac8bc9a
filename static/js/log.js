// The message log: one entry per trace record, newest last, with filters by message kind and by
// node. Each entry is a button that selects its message (or its node) for the inspector. Only
// one entry is in the Tab order (a roving tabindex; arrows move between entries), so Tab does
// not have to walk through 500 of them. In a room, the entries of the message the presenter
// spotlights are marked too (`msglab:spotlight`, and the snapshot's `room.spotlight`).

const MAX_ITEMS = 500; // as many as a snapshot carries
// A played run brings a hops frame every 1/60 s; nobody reads that fast, and each append costs
// a layout, so new entries go in at most this often.
const APPEND_EVERY_MS = 150;

export class MessageLog {
  constructor(box, root) {
    this.root = root;
    this.scroller = box.querySelector('[data-sim="log"]'); // the role=log box that scrolls
    this.list = this.scroller.querySelector("ol");
    this.kindFilter = box.querySelector('[data-sim="filter-kind"]');
    this.nodeFilter = box.querySelector('[data-sim="filter-node"]');
    this.records = new WeakMap(); // li → its record, for the select event
    this.stop = null; // the li whose button is in the Tab order
    this.pinned = false; // the learner has been in the log: the stop stays where they left it
    this.selected = null; // the selected message id, to mark its entries
    this.spotlit = null; // a room's spotlit message id, to mark its entries
    this.run = null;
    this.pending = []; // records waiting for the next append
    this.appendTimer = null;
    this.appendedAt = -Infinity;
    // Follow the newest entry unless the learner has scrolled up to read an older one; kept up
    // to date on scroll, so that an append need not measure the box before changing it.
    this.following = true;
    this.scroller.addEventListener(
      "scroll",
      () => {
        const s = this.scroller;
        this.following = s.scrollHeight - s.scrollTop - s.clientHeight < 40;
      },
      { passive: true },
    );

    for (const filter of [this.kindFilter, this.nodeFilter]) {
      filter.addEventListener("change", () => this.refilter());
    }
    this.list.addEventListener("click", (event) => this.activate(event));
    this.list.addEventListener("keydown", (event) => this.move(event));
    this.list.addEventListener("focusin", (event) => {
      this.pinned = true;
      this.setStop(event.target.closest("li"));
    });
    root.addEventListener("msglab:snapshot", ({ detail }) => this.reload(detail));
    root.addEventListener("msglab:hops", ({ detail }) => this.queue(detail.items));
    root.addEventListener("msglab:select", ({ detail }) => this.mark(detail));
    root.addEventListener("msglab:spotlight", ({ detail }) => this.spotlight(detail.target));
  }

  reload(snap) {
    if (snap.run !== this.run) this.selected = null; // a new run: the old ids mean other things
    this.run = snap.run;
    if (snap.room) this.spotlit = snap.room.spotlight?.message ?? null;
    this.fillNodeFilter(snap.topology.nodes);
    clearTimeout(this.appendTimer);
    this.appendTimer = null;
    this.pending = [];
    this.append(snap.trace, { replace: true });
  }

  queue(records) {
    if (records.length === 0) return;
    this.pending.push(...records);
    if (this.pending.length > MAX_ITEMS) this.pending.splice(0, this.pending.length - MAX_ITEMS);
    if (this.appendTimer !== null) return;
    const wait = this.appendedAt + APPEND_EVERY_MS - performance.now();
    if (wait <= 0) this.flush();
    else this.appendTimer = setTimeout(() => this.flush(), wait);
  }

  flush() {
    this.appendTimer = null;
    this.appendedAt = performance.now();
    const records = this.pending;
    this.pending = [];
    this.append(records);
  }

  fillNodeFilter(nodes) {
    const chosen = this.nodeFilter.value;
    const options = nodes.map((node) => new Option(node.label ?? node.id, node.id));
    this.nodeFilter.replaceChildren(new Option("All nodes", ""), ...options);
    // A snapshot after Step back keeps the learner's filter; a node that is gone falls back.
    this.nodeFilter.value = nodes.some((node) => node.id === chosen) ? chosen : "";
  }

  item(record) {
    const item = document.createElement("li");
    const message = record.message;
    item.dataset.event = record.event;
    item.dataset.kind = message?.kind ?? "";
    item.dataset.nodes = [record.from, record.to].filter(Boolean).join(" ");
    if (message?.id) item.dataset.message = message.id;
    if (message?.id && message.id === this.selected) item.classList.add("is-selected");
    if (message?.id && message.id === this.spotlit) item.dataset.spotlight = "message";
    const button = document.createElement("button");
    button.type = "button";
    button.tabIndex = -1;
    const time = document.createElement("span");
    time.className = "sim-log-t";
    time.textContent = `${record.t} ms`;
    button.append(time, " ", record.text);
    item.append(button);
    item.hidden = !this.matches(item);
    this.records.set(item, record);
    return item;
  }

  append(records, { replace = false } = {}) {
    const list = this.list;
    const scroller = this.scroller;
    const following = this.following;
    const focused = list.contains(document.activeElement);
    const items = records.slice(-MAX_ITEMS).map((record) => this.item(record));
    if (replace) {
      list.replaceChildren(...items);
      this.pinned = false;
    } else list.append(...items);
    while (list.childElementCount > MAX_ITEMS) list.firstElementChild.remove();
    if (following || replace) scroller.scrollTop = scroller.scrollHeight;
    this.keepStop();
    this.sayIfNoneMatch();
    // Step back replaces every entry: focus that was on one goes to the newest, not to <body>.
    if (focused && !list.contains(document.activeElement)) this.stop?.firstElementChild.focus();
  }

  matches(item) {
    const kind = this.kindFilter.value;
    const node = this.nodeFilter.value;
    if (kind && item.dataset.kind !== kind) return false;
    return !node || item.dataset.nodes.split(" ").includes(node);
  }

  refilter() {
    for (const item of this.list.children) item.hidden = !this.matches(item);
    this.scroller.scrollTop = this.scroller.scrollHeight;
    this.keepStop();
    this.sayIfNoneMatch();
  }

  // after keepStop(), which leaves no stop only when no entry is visible
  sayIfNoneMatch() {
    this.list.toggleAttribute("data-none-match", this.list.childElementCount > 0 && !this.stop);
  }

  // ---- selection ---------------------------------------------------------------------------

  activate(event) {
    const item = event.target.closest("li");
    const record = item && this.records.get(item);
    if (!record) return;
    const detail = record.message
      ? { type: "message", id: record.message.id, envelope: record.message }
      : { type: "node", id: record.from || record.to };
    this.root.dispatchEvent(new CustomEvent("msglab:select", { detail, bubbles: true }));
  }

  mark(selection) {
    this.selected = selection.type === "message" ? selection.id : null;
    for (const item of this.list.querySelectorAll(".is-selected")) {
      item.classList.remove("is-selected");
    }
    if (!this.selected) return;
    const selector = `[data-message="${CSS.escape(this.selected)}"]`;
    for (const item of this.list.querySelectorAll(selector)) item.classList.add("is-selected");
  }

  // A thick dashed outline and the word "Spotlight" (room.css), set by a data attribute that a
  // page or a test can find.
  spotlight(target) {
    this.spotlit = target?.message ?? null;
    for (const item of this.list.querySelectorAll("[data-spotlight]")) {
      delete item.dataset.spotlight;
    }
    if (!this.spotlit) return;
    const selector = `[data-message="${CSS.escape(this.spotlit)}"]`;
    for (const item of this.list.querySelectorAll(selector)) item.dataset.spotlight = "message";
  }

  // ---- the roving tabindex -----------------------------------------------------------------

  setStop(item) {
    if (!item || item === this.stop) return;
    if (this.stop) this.stop.firstElementChild.tabIndex = -1;
    this.stop = item;
    item.firstElementChild.tabIndex = 0;
  }

  // The stop must stay a visible entry of the list, or the log drops out of the Tab order; until
  // the learner has been in the log it is the newest entry, where Tab should land.
  keepStop() {
    const stop = this.stop;
    if (this.pinned && stop?.isConnected && !stop.hidden) return;
    if (stop) stop.firstElementChild.tabIndex = -1;
    this.stop = null;
    const visible = [...this.list.children].findLast((item) => !item.hidden);
    if (visible) this.setStop(visible);
  }

  move(event) {
    const item = event.target.closest("li");
    if (!item || event.altKey || event.ctrlKey || event.metaKey) return;
    const visible = [...this.list.children].filter((entry) => !entry.hidden);
    const at = visible.indexOf(item);
    const to = {
      ArrowUp: at - 1,
      ArrowDown: at + 1,
      Home: 0,
      End: visible.length - 1,
      PageUp: at - 10,
      PageDown: at + 10,
    }[event.key];
    if (to === undefined) return;
    event.preventDefault();
    const next = visible[Math.max(0, Math.min(visible.length - 1, to))];
    this.setStop(next);
    next.firstElementChild.focus();
  }
}
