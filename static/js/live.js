// The live stream's browser client (docs/protocol.md). It owns the WebSocket and nothing else:
// the page and any other island hear it through DOM events on the root element, and talk back
// with `msglab:action` events, so several views can share one connection without knowing it.

const MAX_DELAY_MS = 10_000;
// A class is waiting for its room: students come back within about two seconds of the server,
// and 300 of them still spread over those two seconds.
const ROOM_MAX_DELAY_MS = 2_000;
const BASE_DELAY_MS = 500;
const CLOSE_UNKNOWN_SCENARIO = 4404; // also an unknown room
const CLOSE_ROOM_CLOSED = 4410;
const CLOSE_RATE_LIMITED = 4429;
// A room's server holds back frames past 120 unacknowledged ones (docs/protocol.md,
// Back-pressure): acknowledging every 30 keeps a client that keeps up well inside the window.
const ACK_EVERY = 30;
// A room's own frames, heard by the room's islands as `msglab:room`, `msglab:spotlight`, …
const ROOM_FRAMES = new Set(["room", "spotlight", "poll", "closed"]);

export class LiveConnection {
  // `acks`: acknowledge received frames (a room's back-pressure); by default, on a room's URL.
  constructor(root, url, { acks = null } = {}) {
    this.root = root;
    this.url = new URL(url, location.href);
    // Same host as the page, so the Origin check passes and nothing leaves the site.
    this.url.protocol = location.protocol === "https:" ? "wss:" : "ws:";
    // A room names its run itself: a reconnect asks for the room again, not for `&run=`.
    this.room = this.url.pathname.startsWith("/ws/room/");
    this.acks = acks ?? this.room;
    this.frames = 0; // received on the current socket, for the acks
    this.ended = null; // a room's `closed` frame: the close that follows is final
    this.socket = null;
    this.run = null; // from the last snapshot: a reconnect asks for the same run
    this.seq = 0; // the last record we hold; a gap means we missed a frame
    this.live = false; // a snapshot has arrived on the current socket
    this.resyncing = false;
    this.attempt = 0;
    this.timer = null;
    this.closed = false;
    this.lastError = null;

    // removed on close(): a page that runs one topology after another keeps one listener
    this.listening = new AbortController();
    const { signal } = this.listening;
    root.addEventListener("msglab:action", (event) => this.send(event.detail), { signal });
    // A dropped network often closes the socket long before the backoff would try again.
    window.addEventListener("online", () => this.retryNow(), { signal });
    this.connect();
  }

  send(frame) {
    // Controls are disabled while not live, so a frame sent now is stale: dropping it is
    // safer than queueing a "step" that would fire on a run the learner no longer sees.
    if (this.live && this.socket?.readyState === WebSocket.OPEN) {
      this.socket.send(JSON.stringify(frame));
    }
  }

  close() {
    this.closed = true;
    this.listening.abort();
    clearTimeout(this.timer);
    this.socket?.close(1000, "closed by the page");
    this.setStatus("closed", { reason: "closed by the page" });
  }

  connect() {
    this.timer = null;
    const url = new URL(this.url);
    if (this.run && !this.room) url.searchParams.set("run", this.run);
    const socket = new WebSocket(url);
    this.socket = socket;
    this.live = false;
    this.frames = 0;
    this.lastError = null;
    if (this.attempt === 0) this.setStatus("connecting");
    // Handlers check `this.socket` so a late frame or close from a replaced socket is ignored.
    socket.addEventListener("message", (event) => {
      if (socket === this.socket) this.receive(event.data);
    });
    socket.addEventListener("close", (event) => {
      if (socket === this.socket) this.dropped(event);
    });
  }

  receive(text) {
    // Every frame counts, even one we cannot read: the server counts what it sent.
    this.frames += 1;
    if (this.acks && this.frames % ACK_EVERY === 0) {
      this.socket.send(JSON.stringify({ action: "ack", frames: this.frames }));
    }
    let frame;
    try {
      frame = JSON.parse(text);
    } catch {
      return; // not ours to show; the server only sends JSON
    }
    switch (frame?.type) {
      case "snapshot":
        this.run = frame.run;
        this.seq = frame.seq;
        this.resyncing = false;
        this.attempt = 0;
        this.live = true;
        this.emit("snapshot", frame);
        this.setStatus("live");
        break;
      case "hops": {
        const first = frame.items[0];
        if (this.resyncing) return; // the snapshot on its way replaces these
        if (first && first.seq !== this.seq + 1) {
          this.resyncing = true;
          this.socket.send(JSON.stringify({ action: "resync" }));
          return;
        }
        if (first) this.seq = frame.items[frame.items.length - 1].seq;
        this.emit("hops", frame);
        break;
      }
      case "state":
        this.emit("state", frame);
        break;
      case "breakpoints":
        this.emit("breakpoints", frame);
        break;
      case "export": // a file the viewer asked for (run-downloads.js)
        this.emit("export", frame);
        break;
      case "error":
        this.lastError = frame;
        this.emit("error", frame);
        break;
      default:
        if (!ROOM_FRAMES.has(frame?.type)) return;
        if (frame.type === "closed") this.ended = frame;
        this.emit(frame.type, frame);
    }
  }

  dropped(event) {
    this.live = false;
    if (this.closed) return;
    if (event.code === CLOSE_UNKNOWN_SCENARIO) {
      this.closed = true;
      this.setStatus("closed", { reason: this.lastError?.detail || "unknown scenario" });
      return;
    }
    // A closed or expired room never comes back: a retry would only count as a guess.
    if (event.code === CLOSE_ROOM_CLOSED || this.ended) {
      this.closed = true;
      this.setStatus("closed", { reason: this.ended?.reason || "the room has closed" });
      return;
    }
    this.attempt += 1;
    // Full jitter: viewers dropped together by a restart do not all come back in step. Past
    // the guessing limit (4429) only a long wait helps: retry at the longest backoff.
    const limited = event.code === CLOSE_RATE_LIMITED;
    const longest = this.room && !limited ? ROOM_MAX_DELAY_MS : MAX_DELAY_MS;
    const ceiling = limited ? longest : BASE_DELAY_MS * 2 ** (this.attempt - 1);
    const delay = Math.random() * Math.min(longest, ceiling);
    this.timer = setTimeout(() => this.connect(), delay);
    this.setStatus("reconnecting", { delay, reason: event.reason || `code ${event.code}` });
  }

  retryNow() {
    if (this.timer === null || this.closed) return;
    clearTimeout(this.timer);
    this.connect();
  }

  setStatus(status, { delay = 0, reason = "" } = {}) {
    this.root.dataset.ws = status === "live" ? "open" : status;
    this.emit("status", { status, attempt: this.attempt, delay, reason });
  }

  emit(name, detail) {
    this.root.dispatchEvent(new CustomEvent(`msglab:${name}`, { detail, bubbles: true }));
  }
}
