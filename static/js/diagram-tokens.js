// Message tokens gliding along the diagram's edges: one token per flight, one
// requestAnimationFrame loop for all of them, and the displayed clock that drives them. A frame
// only moves `transform`s (SVGTransform.setTranslate: no strings, no layout); DOM nodes are
// pooled and touched only when a flight starts, lands or becomes visible. A token is a single
// <path> (the button itself), and its label a separate <text> that exists only while the
// diagram is not crowded: each element a frame moves is an element the browser restyles.

import { TOKEN_PATHS, svg } from "./diagram-draw.js";

const AHEAD_MS = 150; // wall ms the clock may run past the last frame: a stalled server stops it
const GLIDE_MS = 600; // the longest a Step's glide lasts
const LABEL_LIMIT = 30; // above this many tokens, type labels would only be clutter
const MOVES_PER_FRAME = 150;

// The simulated time the picture shows. While playing it runs on from the last frame's `t`;
// while paused it glides to each Step's new `t`, so the learner sees the hop happen.
export class Clock {
  constructor() {
    this.t = 0; // the last frame's t
    this.at = 0; // when it arrived (performance.now())
    this.floor = 0; // never show less than this: re-anchoring must not move tokens backwards
    this.playing = false;
    this.rate = 0.01; // simulated ms per wall ms: speed / time_scale
    this.speed = 1;
    this.scale = 100;
    this.glide = null;
    this.reduced = false;
  }

  // Called with every frame: `hops` (a Step or Play), `state` (play, pause, speed) and
  // `snapshot` (jump: Step back, Reset, reconnect).
  sync(frame, now, { jump = false } = {}) {
    const shown = jump ? frame.t : this.read(now);
    if (frame.time_scale) this.scale = frame.time_scale;
    if (frame.speed) this.speed = frame.speed;
    if (frame.playing !== undefined) this.playing = frame.playing;
    this.rate = this.speed / this.scale;
    if (jump) this.glide = null;
    else if (this.playing) this.glide = null;
    else if (frame.type === "hops" && !this.reduced && frame.t > shown) {
      const duration = Math.min(GLIDE_MS, (frame.t - shown) / this.rate);
      this.glide = { from: shown, to: frame.t, start: now, duration };
    } else if (this.glide) return; // a pause or speed change does not cut a Step's glide short
    Object.assign(this, { t: frame.t, at: now, floor: shown });
  }

  read(now) {
    const g = this.glide;
    if (g) {
      const p = Math.max(0, now - g.start) / g.duration; // rAF time can precede the frame's
      if (p < 1) return g.from + (g.to - g.from) * p;
      this.glide = null;
      this.floor = g.to;
    }
    if (!this.playing) return Math.max(this.t, this.floor);
    const ahead = Math.min(Math.max(now - this.at, 0), AHEAD_MS);
    const shown = Math.max(this.floor, this.t + ahead * this.rate);
    this.floor = shown;
    return shown;
  }
}

export class Tokens {
  constructor() {
    this.clock = new Clock();
    this.flights = new Map(); // flight id -> token
    this.pool = [];
    this.layer = null;
    this.segment = () => null;
    this.describe = () => "";
    this.selected = null;
    this.spotlit = null; // a room's spotlit message id: its tokens wear a ring
    this.frame = null;
    this.turn = 0;
    this.tick = (now) => this.draw(now);
  }

  // A snapshot replaces everything: the layer is new, and so is every flight.
  reset(layer, segment, describe, snapshot) {
    for (const token of this.flights.values()) this.release(token);
    this.flights.clear();
    Object.assign(this, { layer, segment, describe, crowded: null });
    const { state } = snapshot;
    this.clock.sync({ ...snapshot, t: state.t }, performance.now(), { jump: true });
    this.add(state.in_flight);
  }

  add(flights) {
    for (const flight of flights ?? []) {
      if (!this.flights.has(flight.flight)) this.flights.set(flight.flight, this.acquire(flight));
    }
    this.crowd();
    this.wake();
  }

  sync(frame) {
    this.clock.sync(frame, performance.now());
    this.wake();
  }

  land(ids) {
    for (const id of ids ?? []) {
      const token = this.flights.get(id);
      if (token) token.landed = true;
    }
    this.wake();
  }

  setReduced(reduced) {
    this.clock.reduced = reduced;
    this.clock.glide = null;
    for (const token of this.flights.values()) token.p = NaN; // re-place every token
    this.wake();
  }

  select(id) {
    this.selected = id;
    for (const token of this.flights.values()) mark(token, id);
  }

  spotlight(id) {
    this.spotlit = id;
    for (const token of this.flights.values()) this.ring(token);
    this.wake();
  }

  // The spotlight's ring: a separate circle that moves with its token, made only for the few
  // spotlit tokens, so the loop over hundreds of others costs one null check more.
  ring(token) {
    const id = token.g.dataset.message;
    const on = this.spotlit !== null && id !== "" && id === String(this.spotlit);
    if (on === Boolean(token.ring)) return;
    if (!on) {
      token.ring.remove();
      token.ring = token.ringMove = null;
      return;
    }
    const owner = this.layer.ownerSVGElement;
    const ring = svg("circle", { class: "token-spotlight", r: 17, "aria-hidden": "true" });
    ring.dataset.spotlight = "message";
    ring.dataset.spotlightTarget = id;
    token.ringMove = ring.transform.baseVal.appendItem(owner.createSVGTransform());
    token.ring = ring;
    ring.style.display = token.visible ? "" : "none";
    token.g.before(ring);
    token.p = NaN; // placed on the next frame, with its token
  }

  // Starts the loop if it is not running; it stops itself once nothing moves.
  wake() {
    if (this.frame === null && this.layer) this.frame = requestAnimationFrame(this.tick);
  }

  draw(now) {
    this.frame = null;
    const t = this.clock.read(now);
    const reduced = this.clock.reduced;
    // Each token a frame moves is an element the browser restyles (about 10 µs each on a slow
    // machine). Past MOVES_PER_FRAME moving tokens they take turns, so a crowded diagram keeps
    // the page at full frame rate with each token moving every other frame or so; a paused
    // picture (the frame after a glide or a pause) always places every token exactly.
    const moving = this.clock.glide || this.clock.playing;
    const turns = moving ? Math.ceil(this.flights.size / MOVES_PER_FRAME) : 1;
    const turn = (this.turn = (this.turn + 1) % turns);
    for (const [id, token] of this.flights) {
      if (token.landed && t >= token.arrives) {
        this.flights.delete(id);
        this.release(token);
        continue;
      }
      const visible = t >= token.departs && token.seg !== null;
      if (visible !== token.visible) {
        token.visible = visible;
        token.g.style.display = token.label.style.display = visible ? "" : "none";
        if (token.ring) token.ring.style.display = token.g.style.display;
      }
      if (!visible) continue;
      let p = reduced ? 0.5 : token.span > 0 ? (t - token.departs) / token.span : 1;
      p = p < 0 ? 0 : p > 1 ? 1 : p;
      if (p !== token.p && (turns === 1 || id % turns === turn || Number.isNaN(token.p))) {
        token.p = p;
        const [x, y] = [token.seg.x1 + token.seg.dx * p, token.seg.y1 + token.seg.dy * p];
        token.move.setTranslate(x, y);
        token.ringMove?.setTranslate(x, y);
        if (token.label.isConnected) {
          token.labelMove.setTranslate(x, y);
          if (token.heading) awayFromNodes(token, p);
        }
      }
    }
    this.crowd();
    if (this.clock.glide || (this.clock.playing && this.flights.size)) this.wake();
  }

  // A hidden label would still be restyled on every frame its token moves, so a crowded
  // diagram takes the labels out of the document rather than hiding them. Its tokens also
  // leave the Tab order: a keyboard should not have to walk through hundreds of moving
  // targets to reach the log, which lists the same messages.
  crowd() {
    const crowded = this.flights.size >= LABEL_LIMIT;
    if (crowded === this.crowded) return;
    this.crowded = crowded;
    for (const token of this.flights.values()) setRoomy(token, !crowded);
  }

  acquire(flight) {
    const token = this.pool.pop() ?? this.create();
    const message = flight.message ?? {};
    const kind = TOKEN_PATHS[message.kind] ? message.kind : "command";
    const g = token.g;
    g.dataset.flight = flight.flight;
    g.dataset.message = message.id ?? "";
    g.dataset.kind = kind;
    g.dataset.from = flight.from;
    g.dataset.to = flight.to;
    g.setAttribute("class", `token token--${kind}`); // which also drops is-selected
    token.pressed = null;
    g.setAttribute("aria-label", this.describe(flight));
    g.style.display = token.label.style.display = "none";
    g.setAttribute("d", TOKEN_PATHS[kind]);
    Object.assign(token, {
      flight,
      departs: flight.departs_at ?? flight.arrives_at,
      arrives: flight.arrives_at,
      span: flight.arrives_at - (flight.departs_at ?? flight.arrives_at),
      seg: this.segment(flight.from, flight.to),
      landed: false,
      visible: false,
      p: NaN,
    });
    this.labelFor(token, message);
    mark(token, this.selected);
    this.layer.append(g);
    setRoomy(token, !this.crowded);
    this.ring(token);
    return token;
  }

  // Above a token that travels across, beside one that travels up or down; a topic's copies
  // of one message start on top of each other, so only the first one is named.
  labelFor(token, message) {
    const { seg, label } = token;
    const across = !seg || Math.abs(seg.dx) > 2 * Math.abs(seg.dy);
    token.heading = across && seg ? Math.sign(seg.dx) || 1 : 0;
    token.side = null;
    label.setAttribute("x", across ? 0 : 13);
    label.setAttribute("y", across ? -14 : 0);
    label.setAttribute("text-anchor", across ? "middle" : "start");
    const twin = message.id && this.flights.size < LABEL_LIMIT && [...this.flights.values()]
      .some((t) => t.flight.message?.id === message.id && t.flight.from === token.flight.from);
    label.textContent = twin ? "" : message.type ?? "";
  }

  create() {
    const owner = this.layer.ownerSVGElement;
    const g = svg("path", { class: "token", role: "button", tabindex: 0, "aria-pressed": "false" });
    const move = g.transform.baseVal.appendItem(owner.createSVGTransform());
    const label = svg("text", { class: "token-label", "aria-hidden": "true" });
    const labelMove = label.transform.baseVal.appendItem(owner.createSVGTransform());
    return { g, move, label, labelMove };
  }

  release(token) {
    token.g.remove();
    token.label.remove();
    token.ring?.remove();
    token.ring = token.ringMove = null;
    token.flight = null;
    this.pool.push(token);
  }
}

// A token waits at either end of its edge while the learner steps: its label then runs along
// the edge, away from the node it is next to, instead of over that node's name.
function awayFromNodes(token, p) {
  const side = p < 0.5 ? token.heading : -token.heading;
  if (side === token.side) return;
  token.side = side;
  token.label.setAttribute("x", 10 * side);
  token.label.setAttribute("text-anchor", side > 0 ? "start" : "end");
}

// In a roomy diagram a token has its label and a place in the Tab order; see crowd().
function setRoomy(token, roomy) {
  token.g.tabIndex = roomy ? 0 : -1;
  if (!roomy) token.label.remove();
  else if (!token.label.isConnected) {
    token.g.after(token.label);
    token.p = NaN; // placed on the next frame, with its token
  }
}

function mark(token, id) {
  const on = id !== null && id !== undefined && token.g.dataset.message === String(id);
  if (token.pressed === on) return;
  token.pressed = on;
  token.g.classList.toggle("is-selected", on);
  token.g.setAttribute("aria-pressed", String(on));
}
