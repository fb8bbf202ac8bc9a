// The inspector: the details of what the learner selected in the diagram or the log, a message
// (its envelope) or a node (its state, kept live). Topologies are user text, so every value goes
// in with textContent.

const KEEP_ENVELOPES = 1000; // about the 500 records a snapshot carries, and their flights
const NOT_SENT = "not yet assigned (the message has not been sent)";

export class Inspector {
  constructor(section, root) {
    this.section = section;
    this.root = root;
    this.heading = section.querySelector("h3");
    this.hint = section.querySelector(".sim-hint");
    this.body = null;
    this.run = null;
    this.selection = null;
    this.envelopes = new Map(); // message id → its latest envelope, oldest first
    this.topology = new Map(); // node id → its topology node
    this.nodes = {}; // node id → its state
    this.shownState = null; // the selected node's state as last shown, as JSON

    section.addEventListener("click", (event) => this.follow(event));
    root.addEventListener("msglab:snapshot", ({ detail }) => this.snapshot(detail));
    root.addEventListener("msglab:hops", ({ detail }) => this.hops(detail));
    root.addEventListener("msglab:select", ({ detail }) => this.select(detail));
  }

  // ---- what the inspector knows ------------------------------------------------------------

  snapshot(snap) {
    if (snap.run !== this.run) this.selection = null; // a new run: the old ids mean other things
    this.run = snap.run;
    this.envelopes.clear();
    this.topology = new Map(snap.topology.nodes.map((node) => [node.id, node]));
    this.nodes = snap.state.nodes;
    this.remember(snap.trace.map((record) => record.message));
    this.remember((snap.state.in_flight ?? []).map((flight) => flight.message));
    this.show();
  }

  hops(hops) {
    this.nodes = hops.nodes;
    this.remember(hops.items.map((record) => record.message));
    this.remember((hops.flights?.scheduled ?? []).map((flight) => flight.message));
    // A played run sends 60 frames a second: redraw the node only when its state changed.
    const id = this.selection?.type === "node" ? this.selection.id : null;
    const state = id === null ? null : JSON.stringify(hops.nodes[id]);
    if (state !== this.shownState) this.show();
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
    const focused = this.section.contains(document.activeElement);
    const selection = this.selection;
    this.shownState = selection?.type === "node" ? JSON.stringify(this.nodes[selection.id]) : null;
    let body = null;
    if (selection?.type === "message") body = this.message(selection);
    else if (selection?.type === "node" && this.topology.has(selection.id)) {
      body = this.node(this.topology.get(selection.id));
    }
    this.body?.remove();
    this.body = body;
    this.hint.hidden = body !== null;
    if (body) this.section.append(body);
    // The followed link is gone with the old body; the heading is where the new one starts.
    if (focused && !this.section.contains(document.activeElement)) this.heading.focus();
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
