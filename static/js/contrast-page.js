// The contrast page (/sim/contrast/): the same orders sent on as a command and as an event, in
// two live runs side by side. Each lane is an ordinary run with the simulator page's islands
// (sim-embed.js); this adds who received each order, the buttons that bring in the new Email
// Service, and Play/Pause for both lanes. Every text goes in with textContent.

import { embedRun } from "./sim-embed.js";

// A played run sends 60 frames a second: write only what changed.
function setText(element, text) {
  if (element.textContent !== text) element.textContent = text;
}

function plural(count, word) {
  return `${count} ${word}${count === 1 ? "" : "s"}`;
}

// Which services each order reached, from one run's trace records. An order is a client's send
// (a hop with no cause); a service it reached is the receiver of any later hop of the same
// conversation (its correlation id): so the Order Service, which the order itself reached,
// counts only if something sends it another message.
export class Recipients {
  constructor() {
    this.run = null;
    this.clear();
  }

  clear() {
    this.kinds = new Map(); // node id → kind
    this.orders = []; // {id: correlation id, seq}, in the order they were placed
    this.placed = new Set(); // their ids
    this.reached = new Map(); // correlation id → Map(service id → seq of its first arrival)
  }

  // A snapshot answers a connect, Step back, Reset or a resync: forget what it undid, then add
  // its trace (the run's latest 500 records). A new run starts afresh.
  snapshot(snap) {
    if (snap.run !== this.run) this.clear();
    this.run = snap.run;
    this.kinds = new Map(snap.topology.nodes.map((node) => [node.id, node.kind]));
    this.forgetAfter(snap.seq);
    this.add(snap.trace);
  }

  forgetAfter(seq) {
    this.orders = this.orders.filter((order) => order.seq <= seq);
    this.placed = new Set(this.orders.map((order) => order.id));
    for (const [order, services] of this.reached) {
      for (const [service, at] of services) if (at > seq) services.delete(service);
      if (services.size === 0) this.reached.delete(order);
    }
  }

  add(records) {
    for (const record of records) {
      const message = record.message;
      if (record.event !== "hop" || !message) continue;
      const order = message.correlation_id;
      if (message.causation_id === null) {
        if (this.kinds.get(record.from) === "client" && !this.placed.has(order)) {
          this.placed.add(order);
          this.orders.push({ id: order, seq: record.seq });
        }
      } else if (this.kinds.get(record.to) === "service") {
        if (!this.reached.has(order)) this.reached.set(order, new Map());
        const services = this.reached.get(order);
        if (!services.has(record.to)) services.set(record.to, record.seq);
      }
    }
  }

  // The newest order that has reached a service: its number (1 for the first) and the services.
  latest() {
    for (let i = this.orders.length - 1; i >= 0; i -= 1) {
      const services = this.reached.get(this.orders[i].id);
      if (services?.size) return { number: i + 1, services: [...services.keys()] };
    }
    return null;
  }
}

class Lane {
  constructor(root) {
    this.root = root;
    this.name = root.querySelector("h2").textContent;
    this.newService = root.dataset.newService;
    this.part = (name) => root.querySelector(`[data-contrast="${name}"]`);
    this.changes = [...root.querySelectorAll("[data-contrast-change]")];
    this.notes = new Map(
      [...root.querySelectorAll("[data-contrast-note]")].map((p) => [p.dataset.contrastNote, p]),
    );
    this.recipients = new Recipients();
    this.labels = new Map(); // node id → label, from the snapshot's topology
    this.wiring = { consumes: [], subscribes: [] }; // the new service's, as the run has it now
    this.live = false;
    this.rewired = false; // the command lane runs the Order Service that sends two commands
    this.resume = null; // after a rewire: {playing, speed} to restore on the new run's snapshot
    this.run = { playing: false, speed: 1 };
    this.announced = null; // the count the live region said last

    // The islands listen first, so the lane's controls are up to date when these handlers run;
    // the connection's first frame comes later.
    this.panel = embedRun(root, { focusedKeys: true });
    const on = (name, handler) => root.addEventListener(`msglab:${name}`, (e) => handler(e.detail));
    on("status", (detail) => {
      this.live = detail.status === "live";
      this.showChanges();
    });
    on("snapshot", (snap) => this.snapshot(snap));
    on("hops", (hops) => {
      this.recipients.add(hops.items);
      this.showCounts();
    });
    on("state", (state) => Object.assign(this.run, { playing: state.playing, speed: state.speed }));
    for (const button of this.changes) {
      button.addEventListener("click", () => this.change(button));
    }
  }

  send(frame) {
    this.root.dispatchEvent(new CustomEvent("msglab:action", { detail: frame, bubbles: true }));
  }

  // The lane's own button for `action` (play, pause), if it can be pressed now.
  control(action) {
    const button = this.root.querySelector(`[data-sim-action="${action}"]`);
    return button && !button.disabled ? button : null;
  }

  snapshot(snap) {
    const fresh = snap.run !== this.recipients.run;
    this.recipients.snapshot(snap);
    this.labels = new Map(snap.topology.nodes.map((node) => [node.id, node.label || node.id]));
    const service = snap.topology.nodes.find((node) => node.id === this.newService);
    this.wiring = { consumes: service?.consumes ?? [], subscribes: service?.subscribes ?? [] };
    Object.assign(this.run, { playing: snap.playing, speed: snap.speed });
    if (fresh && this.resume) {
      // the redeployed lane goes on as the old one went: same speed, playing if it played
      const { playing, speed } = this.resume;
      this.resume = null;
      if (speed !== snap.speed) this.send({ action: "speed", value: speed });
      if (playing) this.send({ action: "play" });
    }
    this.showCounts();
    this.showChanges();
  }

  change(button) {
    if (button.dataset.contrastChange === "subscribe") {
      this.send({ action: "subscribe", node: this.newService, to: button.dataset.to });
      return;
    }
    // Rewiring a command's sender is a change to its code: the lane restarts with the other
    // Order Service (a new run), which is what redeploying it would do.
    this.rewired = !this.rewired;
    this.resume = { ...this.run };
    const url = this.rewired ? this.root.dataset.rewiredUrl : this.root.dataset.originalUrl;
    this.root.dataset.wsUrl = url;
    this.announced = null;
    this.panel.start(url);
  }

  showCounts() {
    const latest = this.recipients.latest();
    const count = latest ? latest.services.length : 0;
    setText(this.part("receivers"), String(count));
    setText(this.part("orders"), String(this.recipients.orders.length));
    const names = latest ? latest.services.map((id) => this.labels.get(id) ?? id) : [];
    setText(
      this.part("who"),
      latest
        ? `Order ${latest.number} reached ${names.join(", ")}.`
        : "No order has reached a service yet.",
    );
    // Said when the count changes, not once per order or per frame.
    if (latest && count !== this.announced) {
      this.announced = count;
      this.part("announce").textContent =
        `${this.name}: the latest order reached ${plural(count, "service")}: ${names.join(", ")}.`;
    }
  }

  showChanges() {
    const wired = this.wiring.consumes.length + this.wiring.subscribes.length > 0;
    for (const button of this.changes) {
      const action = button.dataset.contrastChange;
      if (action === "subscribe") {
        button.disabled = !this.live || wired;
        const to = button.dataset.to;
        const done = this.wiring.consumes.includes(to) || this.wiring.subscribes.includes(to);
        this.notes.get(action).hidden = !done;
      } else {
        button.disabled = !this.live;
        button.dataset.label ??= button.textContent;
        setText(button, this.rewired ? button.dataset.undoLabel : button.dataset.label);
        this.notes.get(action).hidden = !this.rewired;
      }
    }
  }
}

const lanes = [...document.querySelectorAll("[data-contrast-lane]")].map((root) => new Lane(root));

// Play and Pause for both lanes press each lane's own button, when it can be pressed.
const both = Object.fromEntries(
  [...document.querySelectorAll("[data-contrast-both]")].map((b) => [b.dataset.contrastBoth, b]),
);
for (const [action, button] of Object.entries(both)) {
  button.addEventListener("click", () => {
    for (const lane of lanes) lane.control(action)?.click();
  });
}

function showBoth() {
  const focused = document.activeElement;
  for (const [action, button] of Object.entries(both)) {
    const disabled = !lanes.some((lane) => lane.control(action));
    if (button.disabled !== disabled) button.disabled = disabled;
  }
  // a button that disables itself would drop keyboard focus to <body>: hand it to its partner
  if (focused?.disabled && focused.dataset.contrastBoth) {
    both[focused.dataset.contrastBoth === "play" ? "pause" : "play"].focus();
  }
}

for (const name of ["status", "snapshot", "hops", "state"]) {
  document.addEventListener(`msglab:${name}`, showBoth);
}
