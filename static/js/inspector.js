// The inspector: the details of what the learner selected in the diagram or the log, a message
// (its envelope) or a node (its state, kept live). Topologies are user text, so every value goes
// in with textContent.
//
// It also sets the run's breakpoints ("pause when a message of type X arrives at node Y"): a
// selected node offers one checkbox per type that can arrive there (the snapshot's `arrivals`),
// a selected message a button for its type at its last destination, and a list under the
// details names every breakpoint of the run with a button that removes it. The server holds
// them (`breakpoint` action, `breakpoints` frame); a read-only run (a room's student) shows them
// without controls.

const KEEP_ENVELOPES = 1000; // about the 500 records a snapshot carries, and their flights
const NOT_SENT = "not yet assigned (the message has not been sent)";
let inspectors = 0; // ids must be unique in the page

export class Inspector {
  constructor(section, root, { readonly = false } = {}) {
    this.section = section;
    this.root = root;
    this.readonly = readonly; // a room's student: breakpoints are shown, not set
    this.heading = section.querySelector("h3");
    this.hint = section.querySelector(".sim-hint");
    this.body = null;
    this.details = null; // the body's <dl>, redrawn alone when a node's state changes
    this.run = null;
    this.selection = null;
    this.envelopes = new Map(); // message id → its latest envelope, oldest first
    this.topology = new Map(); // node id → its topology node
    this.nodes = {}; // node id → its state
    this.shownState = null; // the selected node's state as last shown, as JSON
    this.destinations = new Map(); // message id → the node its latest hop went to
    this.arrivals = null; // node id → the message types that can arrive there (from the server)
    this.breakpoints = []; // [{type, node}], as the server last said
    this.live = false;
    this.list = breakpointList(++inspectors);
    section.append(this.list.box);

    section.addEventListener("click", (event) => this.follow(event));
    section.addEventListener("click", (event) => this.pressBreakpoint(event));
    section.addEventListener("change", (event) => this.tickBreakpoint(event));
    root.addEventListener("msglab:snapshot", ({ detail }) => this.snapshot(detail));
    root.addEventListener("msglab:hops", ({ detail }) => this.hops(detail));
    root.addEventListener("msglab:select", ({ detail }) => this.select(detail));
    root.addEventListener("msglab:breakpoints", ({ detail }) => this.setBreakpoints(detail.items));
    root.addEventListener("msglab:status", ({ detail }) => this.setLive(detail.status === "live"));
    // a refused breakpoint leaves its checkbox as the learner ticked it: show the server's word
    root.addEventListener("msglab:error", () => this.show());
  }

  // ---- what the inspector knows ------------------------------------------------------------

  snapshot(snap) {
    if (snap.run !== this.run) this.selection = null; // a new run: the old ids mean other things
    this.run = snap.run;
    this.envelopes.clear();
    this.topology = new Map(snap.topology.nodes.map((node) => [node.id, node]));
    this.nodes = snap.state.nodes;
    this.arrivals = snap.arrivals ?? null;
    this.breakpoints = snap.breakpoints ?? [];
    this.destinations.clear();
    this.remember(snap.trace.map((record) => record.message));
    this.remember((snap.state.in_flight ?? []).map((flight) => flight.message));
    this.arrived(snap.trace);
    this.show();
  }

  hops(hops) {
    this.nodes = hops.nodes;
    this.remember(hops.items.map((record) => record.message));
    this.remember((hops.flights?.scheduled ?? []).map((flight) => flight.message));
    this.arrived(hops.items);
    // A played run sends 60 frames a second: redraw the node only when its state changed, and
    // only its details, so that a checkbox under them is not replaced under the pointer.
    const id = this.selection?.type === "node" ? this.selection.id : null;
    const state = id === null ? null : JSON.stringify(hops.nodes[id]);
    if (state !== this.shownState) this.showDetails();
    // the selected message reached another node: its breakpoint button names that one
    const message = this.selection?.type === "message" ? this.selection.id : null;
    if (message && hops.items.some((r) => r.event === "hop" && r.message?.id === message)) {
      this.show();
    }
  }

  // Where each message's latest hop took it: a breakpoint offered for a message is for there.
  arrived(records) {
    for (const record of records) {
      const id = record.message?.id;
      if (record.event !== "hop" || !id) continue;
      this.destinations.delete(id); // so that insertion order stays "oldest first"
      this.destinations.set(id, record.to);
    }
    for (const id of this.destinations.keys()) {
      if (this.destinations.size <= KEEP_ENVELOPES) break;
      this.destinations.delete(id);
    }
  }

  setBreakpoints(items) {
    this.breakpoints = items ?? [];
    this.show();
  }

  setLive(live) {
    if (live === this.live) return;
    this.live = live;
    this.show(); // the controls are disabled while no run is live: a frame sent now is dropped
  }

  remember(envelopes) {
    for (const envelope of envelopes) {
      if (!envelope?.id) continue; // a client's send is numbered only when it arrives
      this.envelopes.delete(envelope.id); // so that insertion order stays "oldest first"
      this.envelopes.set(envelope.id, envelope);
    }
    for (const id of this.envelopes.keys()) {
      if (this.envelopes.size <= KEEP_ENVELOPES) break;
      this.envelopes.delete(id);
    }
  }

  select(selection) {
    this.selection = selection;
    this.show();
  }

  // A correlation or causation id: select that message, as if it were clicked in the log.
  follow(event) {
    const link = event.target.closest("button[data-message]");
    if (!link) return;
    const id = link.dataset.message;
    const detail = { type: "message", id, envelope: this.envelopes.get(id) };
    this.root.dispatchEvent(new CustomEvent("msglab:select", { detail, bubbles: true }));
  }

  // ---- what it shows -----------------------------------------------------------------------

  show() {
    this.keepFocus(() => {
      const selection = this.selection;
      let details = null;
      let breakpoints = null;
      if (selection?.type === "message") {
        details = this.message(selection);
        breakpoints = this.messageBreakpoint(selection);
      } else if (selection?.type === "node" && this.topology.has(selection.id)) {
        details = this.node(this.topology.get(selection.id));
        breakpoints = this.nodeBreakpoints(selection.id);
      }
      this.shownState = details && selection.type === "node" ? this.stateOf(selection.id) : null;
      this.body?.remove();
      this.body = null;
      this.details = details;
      if (details) {
        this.body = document.createElement("div");
        this.body.className = "sim-inspector-body";
        this.body.append(...[details, breakpoints].filter(Boolean));
        this.list.box.before(this.body);
      }
      this.hint.hidden = details !== null;
      this.showList();
    });
  }

  // The selected node's details alone, when only its state changed.
  showDetails() {
    const id = this.selection?.type === "node" ? this.selection.id : null;
    if (!this.details || id === null || !this.topology.has(id)) return this.show();
    this.keepFocus(() => {
      const details = this.node(this.topology.get(id));
      this.details.replaceWith(details);
      this.details = details;
      this.shownState = this.stateOf(id);
    });
  }

  stateOf(id) {
    return JSON.stringify(this.nodes[id]);
  }

  // Runs `redraw` and puts keyboard focus back where it was: on the control that stands for the
  // same thing in the new drawing (a ticked checkbox), or for its opposite (the button that
  // removes the breakpoint just set, or sets the one just removed), or on another breakpoint's
  // button, or else on the heading, where the new body starts.
  keepFocus(redraw) {
    const active = document.activeElement;
    const focused = this.section.contains(active);
    const key = focused ? (active.dataset?.focus ?? "") : "";
    redraw();
    if (!focused || this.section.contains(document.activeElement)) return;
    const find = (k) => k && this.section.querySelector(`[data-focus="${CSS.escape(k)}"]`);
    const [verb, what] = key.split(/:(.*)/s);
    const opposite = what && find(`${verb === "add" ? "remove" : "add"}:${what}`);
    const another = verb === "remove" && this.list.items.querySelector("button");
    (find(key) || opposite || another || this.heading).focus();
  }

  message({ id, envelope }) {
    const message = envelope ?? this.envelopes.get(id);
    if (!message) return list([["Message id", unkept(id)]]);
    const headers = Object.entries(message.headers ?? {}).map(([key, value]) => [key, text(value)]);
    const cause = message.causation_id;
    return list([
      ["Message id", message.id ?? NOT_SENT],
      ["Type", message.type],
      ["Kind", message.kind],
      ["Correlation id", this.idLink(message.correlation_id, message.id)],
      ["Causation id", cause ? this.idLink(cause, message.id) : "none — sent by a client"],
      ["Sent at", typeof message.sent_at === "number" ? `${message.sent_at} ms` : "not yet"],
      ["Headers", headers.length ? list(headers) : "none"],
      ["Payload", pre(JSON.stringify(message.payload ?? {}, null, 2))],
    ]);
  }

  // An id that names another message: a button that selects it, while the inspector has it.
  idLink(id, own) {
    if (id === null || id === undefined) return NOT_SENT;
    if (id === own) return `${id} (this message)`;
    if (!this.envelopes.has(id)) return unkept(id);
    const link = document.createElement("button");
    link.type = "button";
    link.className = "link";
    link.dataset.message = id;
    link.textContent = id;
    return link;
  }

  // ---- breakpoints -------------------------------------------------------------------------

  label(id) {
    return this.topology.get(id)?.label || id;
  }

  has(type, node) {
    return this.breakpoints.some((item) => item.type === type && item.node === node);
  }

  // A selected node: a checkbox per message type that can arrive there.
  nodeBreakpoints(node) {
    const here = this.breakpoints.filter((item) => item.node === node).map((item) => item.type);
    if (this.readonly) {
      if (!here.length) return null;
      const part = breakpointPart("Breakpoints here");
      for (const type of here) part.append(paragraph(`Play pauses when ${type} arrives here.`));
      return part;
    }
    if (this.arrivals === null) return null; // a server that knows no breakpoints
    const types = [...new Set([...(this.arrivals[node] ?? []), ...here])];
    const part = breakpointPart("Breakpoints here");
    if (!types.length) {
      part.append(paragraph("No message arrives here, so the run cannot pause here."));
      return part;
    }
    for (const type of types) {
      const label = document.createElement("label");
      const box = document.createElement("input");
      box.type = "checkbox";
      box.checked = here.includes(type);
      box.disabled = !this.live;
      box.dataset.breakpointType = type;
      box.dataset.breakpointNode = node;
      box.dataset.focus = `tick:${type}@${node}`;
      label.append(box, ` Pause when ${type} arrives here`);
      part.append(label);
    }
    return part;
  }

  // A selected message: a button that pauses the run when its type arrives where it went last.
  messageBreakpoint({ id, envelope }) {
    const type = (envelope ?? this.envelopes.get(id))?.type;
    const node = id ? this.destinations.get(id) : undefined;
    if (!type || node === undefined) return null;
    const set = this.has(type, node);
    const where = this.label(node);
    if (this.readonly && !set) return null;
    if (set) return breakpointPart("Breakpoint", [`Play pauses when ${type} arrives at ${where}.`]);
    if (!(this.arrivals?.[node] ?? []).includes(type)) return null;
    // once set, the list below has the button that removes it
    const part = breakpointPart("Breakpoint");
    const name = `Pause when ${type} arrives at ${where}`;
    part.append(this.breakpointButton(name, type, node, true, `add:${type}@${node}`));
    return part;
  }

  breakpointButton(name, type, node, on, focus) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "sim-breakpoint-button";
    button.textContent = name;
    button.disabled = !this.live;
    Object.assign(button.dataset, { breakpointType: type, breakpointNode: node });
    button.dataset.breakpointOn = String(on);
    button.dataset.focus = focus;
    return button;
  }

  // Every breakpoint of the run, under whatever is selected (hidden while there is none).
  showList() {
    const items = this.breakpoints.map(({ type, node }) => {
      const item = document.createElement("li");
      const where = this.label(node);
      if (this.readonly) item.textContent = `Pauses when ${type} arrives at ${where}`;
      else {
        const name = `Remove breakpoint: ${type} at ${where}`;
        item.append(this.breakpointButton(name, type, node, false, `remove:${type}@${node}`));
      }
      return item;
    });
    this.list.items.replaceChildren(...items);
    this.list.box.hidden = items.length === 0;
  }

  pressBreakpoint(event) {
    const button = event.target.closest("button[data-breakpoint-type]");
    if (!button) return;
    const { breakpointType: type, breakpointNode: node, breakpointOn: on } = button.dataset;
    this.setBreakpoint(type, node, on === "true");
  }

  tickBreakpoint(event) {
    const box = event.target.closest("input[data-breakpoint-type]");
    if (!box) return;
    this.setBreakpoint(box.dataset.breakpointType, box.dataset.breakpointNode, box.checked);
  }

  setBreakpoint(type, node, on) {
    if (this.readonly || !this.live) return;
    const frame = { action: "breakpoint", type, node, on };
    this.root.dispatchEvent(new CustomEvent("msglab:action", { detail: frame, bubbles: true }));
  }

  node(node) {
    const state = this.nodes[node.id] ?? {};
    const label = (id) => this.topology.get(id)?.label ?? id;
    const names = (items) => (items.length ? items.join(", ") : "none");
    const count = (n) => (n === 1 ? "1 message" : `${n ?? 0} messages`);
    const rows = [
      ["Node", node.label ?? node.id],
      ["Kind", node.kind],
    ];
    if (state.status) rows.push(["Status", state.status]);
    if (node.kind === "queue") rows.push(["Queue depth", count(state.depth)]);
    if (node.kind === "service") {
      rows.push(
        ["Waiting in inbox", count(state.inbox)],
        ["Handling", count(state.busy)],
        ["Handles", names(Object.keys(node.handles ?? {}))],
        ["Consumes", names((node.consumes ?? []).map(label))],
        ["Subscribes", names((node.subscribes ?? []).map(label))],
      );
    }
    if (node.kind === "client") {
      const sends = (node.sends ?? []).map((send) => `${send.message.type} to ${label(send.to)}`);
      rows.push(["Sends", names(sends)]);
    }
    return list(rows);
  }
}

// A <dl> of [term, value] pairs; a value is text or an element.
function list(rows) {
  const dl = document.createElement("dl");
  for (const [term, value] of rows) {
    const dt = document.createElement("dt");
    const dd = document.createElement("dd");
    dt.textContent = term;
    if (value instanceof Node) dd.append(value);
    else dd.textContent = value ?? "";
    dl.append(dt, dd);
  }
  return dl;
}

// The box under the details that lists every breakpoint of the run.
function breakpointList(n) {
  const box = document.createElement("div");
  box.className = "sim-breakpoints";
  box.hidden = true;
  const heading = document.createElement("h4");
  heading.id = `breakpoints-heading-${n}`;
  heading.textContent = "Breakpoints in this run";
  const items = document.createElement("ul");
  items.setAttribute("aria-labelledby", heading.id);
  box.append(heading, items);
  return { box, items };
}

// A titled part of the body about breakpoints; `lines` are sentences to show in it.
function breakpointPart(title, lines = []) {
  const part = document.createElement("fieldset");
  part.className = "sim-breakpoint-part";
  const legend = document.createElement("legend");
  legend.textContent = title;
  part.append(legend, ...lines.map(paragraph));
  return part;
}

function paragraph(words) {
  const p = document.createElement("p");
  p.textContent = words;
  return p;
}

// An id the inspector does not hold: unsent (null), or older than the records it keeps.
function unkept(id) {
  return id === null || id === undefined ? NOT_SENT : `${id} (no longer kept)`;
}

// A header value is text, but nothing in the format forbids a number or an object.
function text(value) {
  return typeof value === "string" ? value : JSON.stringify(value);
}

function pre(json) {
  const block = document.createElement("pre");
  block.textContent = json;
  return block;
}
