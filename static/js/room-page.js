// What a room's two pages share (templates/rooms/present.html and student.html): the run, as
// on the simulator page (sim-embed.js), its captions, the names of its nodes and messages, the
// polite voice that tells what the room does (the spotlight, a poll, the end), and the notice
// that the room has closed. room-present.js and room-student.js add each role's own parts.
//
// Everything here hears the connection through the run root's `msglab:*` events, like every
// other island; text from the server goes in with textContent only.

import { Captions } from "./captions.js";
import { embedRun } from "./sim-embed.js";

const KEEP_MESSAGES = 1000; // as the inspector: about the records and flights a snapshot carries

export function setupRoom() {
  const page = document.querySelector("[data-room-role]");
  const root = page.querySelector("[data-ws-url]");
  const part = (name) => page.querySelector(`[data-room="${name}"]`);
  const room = {
    page,
    root,
    part,
    presenter: page.dataset.roomRole === "presenter",
    names: new Names(root),
    say: announcer(part("said")),
    // a control frame, as the run panel sends one: live.js drops it while not connected
    act(frame) {
      root.dispatchEvent(new CustomEvent("msglab:action", { detail: frame, bubbles: true }));
    },
    on(name, handler) {
      root.addEventListener(`msglab:${name}`, (event) => handler(event.detail));
    },
    // Starts the run's islands and its connection: call it last, once every island listens,
    // so that they all hear the first snapshot.
    start(options) {
      if (page.hasAttribute("data-room-gone")) return null; // closed before the page was served
      return embedRun(root, options);
    },
  };
  const captions = document.getElementById("room-captions");
  if (captions) {
    new Captions(root, page.querySelector("[data-captions]"), JSON.parse(captions.textContent));
  }
  spotlightNews(room);
  closedNotice(room);
  return room;
}

// A polite live region that says one thing at a time. The same words twice (two polls with one
// question) would not be announced again, so a repeat swaps a no-break space on and off.
function announcer(region) {
  return (text) => {
    region.textContent = region.textContent === text ? `${text}\u00a0` : text;
  };
}

// The words for what the room points at: node labels from the topology, message types from the
// records and flights seen.
class Names {
  constructor(root) {
    this.nodes = new Map();
    this.messages = new Map(); // id → {type, kind}, oldest first
    root.addEventListener("msglab:snapshot", ({ detail }) => {
      this.nodes = new Map(detail.topology.nodes.map((n) => [n.id, n.label || n.id]));
      this.remember(detail.trace.map((record) => record.message));
      this.remember((detail.state.in_flight ?? []).map((flight) => flight.message));
    });
    root.addEventListener("msglab:hops", ({ detail }) => {
      this.remember(detail.items.map((record) => record.message));
      this.remember((detail.flights?.scheduled ?? []).map((flight) => flight.message));
    });
  }

  remember(messages) {
    for (const message of messages) {
      if (!message?.id) continue;
      this.messages.delete(message.id);
      this.messages.set(message.id, { type: message.type, kind: message.kind });
    }
    for (const id of this.messages.keys()) {
      if (this.messages.size <= KEEP_MESSAGES) break;
      this.messages.delete(id);
    }
  }

  node(id) {
    return this.nodes.get(id) ?? id;
  }

  message(id) {
    const known = this.messages.get(id);
    return known ? `${known.type} (${known.kind} ${id})` : `message ${id}`;
  }

  // "Billing Service", "OrderCreatedEvent (event m2)", or null for no spotlight
  target(target) {
    if (target?.node) return this.node(target.node);
    if (target?.message) return this.message(target.message);
    return null;
  }
}

// "Spotlight: Billing Service", said when the spotlight moves, and on joining a room whose
// spotlight is on; the diagram and the log draw it.
function spotlightNews(room) {
  let said = null; // the target last said, as JSON
  const tell = (target, { quietOff = false } = {}) => {
    const key = JSON.stringify(target ?? null);
    if (key === said) return;
    const first = said === null;
    said = key;
    const name = room.names.target(target);
    if (name) room.say(`Spotlight: ${name}`);
    else if (!first && !quietOff) room.say("Spotlight off");
  };
  room.on("snapshot", (snap) => {
    if (snap.room) tell(snap.room.spotlight, { quietOff: true });
  });
  room.on("spotlight", (frame) => tell(frame.target));
}

// The end of a room: its `closed` frame, or a connection the server will not take back (an
// unknown or expired room). The run's controls are already disabled by then (not live).
function closedNotice(room) {
  const notice = room.part("closed");
  const show = (reason) => {
    if (!notice.hidden) return;
    room.part("closed-reason").textContent = reason;
    notice.hidden = false;
    room.page.dataset.roomClosed = "";
    room.say(`This room has closed. ${reason}`);
  };
  room.on("closed", (frame) => show(frame.reason ?? ""));
  room.on("status", (detail) => {
    if (detail.status === "closed" && detail.reason !== "closed by the page") show(detail.reason);
  });
}
