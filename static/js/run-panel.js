// The controls of a live run: Play, Pause, Step, Step back, Reset, the speed and the timeline
// sliders, the clock, the status line, the warnings, the keyboard shortcuts and the narrator.
// When Play stops at a breakpoint, the status line says where and the message is selected.
// It listens to the connection's `msglab:*` events on the root and asks for actions with
// `msglab:action`; `start(url)` opens a run's connection and `stop()` closes it, so a page can
// run one topology after another (the editor's Run and Edit). Every text from the server goes
// in with textContent, never as HTML.

import { LiveConnection } from "./live.js";

const NARRATE_EVERY_MS = 500; // a screen reader cannot keep up with a hop per frame
const SEND_EVERY_MS = 100; // for the sliders: the server allows 20 frames a second
const SHORTCUTS = { p: ["play", "pause"], s: ["step"], b: ["back"], r: ["reset"], o: ["inject"] };
// A presenter's page adds the keys of a slide clicker and a laptop's thumbs (rooms).
const PRESENTER_SHORTCUTS = {
  ...SHORTCUTS,
  " ": ["play", "pause"],
  arrowright: ["step"],
  arrowleft: ["back"],
};
const PRESENTER_KEYS = {
  play: "P Space",
  pause: "P Space",
  step: "S ArrowRight",
  back: "B ArrowLeft",
};
// Space on one of these presses it: the key is the control's before it is a shortcut.
const PRESSABLE = "button, a[href], summary, [role=button], [role=radio], [role=checkbox]";

// A played run renders 60 times a second: a write that changes nothing would still cost the
// browser a restyle, so these write only what changed.
function setText(element, text) {
  if (element.textContent !== text) element.textContent = text;
}

function setAttribute(element, name, value) {
  if (element.getAttribute(name) !== value) element.setAttribute(name, value);
}

export class RunPanel {
  // `readonly`: a room's student follows the presenter's run, so every control stays disabled
  // and no shortcut acts (room.css hides them). `presenter`: a room's presenter, with the extra
  // shortcuts Space, ArrowRight and ArrowLeft. `liveText` is what the status line says once live.
  // `focusedKeys`: a page with several runs (the contrast page) — a shortcut acts only on the
  // run that has the keyboard focus.
  constructor(
    root,
    { readonly = false, presenter = false, liveText = "Live", focusedKeys = false } = {},
  ) {
    this.root = root;
    this.readonly = readonly;
    this.focusedKeys = focusedKeys;
    this.liveText = liveText;
    this.shortcuts = presenter ? PRESENTER_SHORTCUTS : SHORTCUTS;
    this.part = (name) => root.querySelector(`[data-sim="${name}"]`);
    this.buttons = Object.fromEntries(
      [...root.querySelectorAll("[data-sim-action]")].map((b) => [b.dataset.simAction, b]),
    );
    this.speed = this.part("speed");
    this.timeline = this.part("timeline");
    // The first client send, made again by "Send another order" (the page's JSON).
    this.injectFrame = JSON.parse(document.getElementById("sim-inject")?.textContent ?? "null");
    this.connection = null;
    this.active = false; // shortcuts work only while a run is shown
    this.run = { live: false, playing: false, speed: 1, t: 0, seq: 0, steps: 0 };
    Object.assign(this.run, { finished: false, halted: null, lagging: false });
    this.shownRun = null;
    this.statusText = ""; // what the status line says about the connection
    this.hit = null; // the breakpoint Play stopped at, said in the status line until Play or Step
    this.labels = new Map(); // node id → its label, from the snapshot's topology
    this.unsaid = [];
    this.narrateTimer = null;

    if (presenter) {
      for (const [action, keys] of Object.entries(PRESENTER_KEYS)) {
        this.buttons[action]?.setAttribute("aria-keyshortcuts", keys);
      }
    }
    for (const [action, button] of Object.entries(this.buttons)) {
      button.addEventListener("click", () =>
        this.act(action === "inject" ? this.injectFrame : { action }),
      );
    }
    this.speedSlider = this.throttledSlider(
      this.speed,
      (value) => this.showSpeed(value),
      (value) => ({ action: "speed", value }),
    );
    // A seek goes back only: the timeline ends at the newest record, and a snapshot answers it.
    this.timelineSlider = this.throttledSlider(
      this.timeline,
      (value) => this.showTimeline(value),
      (seq) => ({ action: "seek", seq }),
    );
    document.addEventListener("keydown", (event) => this.shortcut(event));
    const on = (name, handler) => root.addEventListener(`msglab:${name}`, (e) => handler(e.detail));
    on("status", (detail) => this.status(detail));
    on("snapshot", (snap) => this.snapshot(snap));
    on("hops", (hops) => this.hops(hops));
    on("state", (state) => this.state(state));
    on("error", (error) => {
      this.part("error").textContent = error.field ? `${error.detail} (${error.field})` : error.detail;
    });
  }

  start(url) {
    this.stop();
    this.active = true;
    this.shownRun = null;
    this.connection = new LiveConnection(this.root, url);
  }

  stop() {
    this.connection?.close();
    this.connection = null;
    this.active = false;
  }

  act(frame) {
    this.part("error").textContent = ""; // the last refusal was about an earlier action
    if (frame?.action === "play" || frame?.action === "step") this.showHit(null);
    this.root.dispatchEvent(new CustomEvent("msglab:action", { detail: frame, bubbles: true }));
  }

  // A slider sends on `change`, once the learner lets go: the server allows 20 frames a second,
  // not one a pixel. A held arrow key still fires `change` ~30 times a second, so send at most
  // every 100 ms and always send the last value. While the thumb moves, echoes of the old value
  // from the server must not move it back.
  throttledSlider(input, show, frame) {
    const slider = { editing: false };
    let sentAt = 0;
    let timer = null;
    const send = () => {
      slider.editing = false;
      sentAt = performance.now();
      this.act(frame(Number(input.value)));
    };
    input.addEventListener("input", () => {
      slider.editing = true;
      show(Number(input.value));
    });
    input.addEventListener("change", () => {
      clearTimeout(timer);
      const wait = sentAt + SEND_EVERY_MS - performance.now();
      if (wait <= 0) send();
      else timer = setTimeout(send, wait);
    });
    return slider;
  }

  showSpeed(value) {
    setText(this.part("speed-output"), `${value}×`);
    setAttribute(this.speed, "aria-valuetext", `${value}×`);
  }

  showTimeline(value) {
    setText(this.part("timeline-output"), `${value} / ${this.timeline.max}`);
    setAttribute(this.timeline, "aria-valuetext", `record ${value} of ${this.timeline.max}`);
  }

  render() {
    const { run, buttons, speed, timeline } = this;
    const over = run.finished || run.halted !== null;
    const live = run.live && !this.readonly; // a student's controls are never enabled
    const enabled = {
      play: live && !run.playing && !over,
      pause: live && run.playing,
      step: live && !over,
      back: live && run.steps > 0,
      reset: live,
      inject: live && run.halted === null,
    };
    const focused = document.activeElement;
    for (const [action, button] of Object.entries(buttons)) button.disabled = !enabled[action];
    speed.disabled = !live;
    timeline.disabled = !live || (run.seq === 0 && !this.timelineSlider.editing);
    setAttribute(buttons.play, "aria-pressed", String(run.playing));
    // A button that disables itself would drop keyboard focus to <body>; hand it to its partner.
    if (focused?.disabled && focused.dataset.simAction) {
      const partner = { play: "pause", pause: "play", back: "step" }[focused.dataset.simAction];
      const next = [buttons[partner], buttons.step, buttons.reset].find((b) => b && !b.disabled);
      next?.focus();
    }
    if (!this.speedSlider.editing) {
      if (Number(speed.value) !== run.speed) speed.value = run.speed;
      this.showSpeed(run.speed);
    }
    if (!this.timelineSlider.editing) {
      if (Number(timeline.max) !== run.seq) timeline.max = run.seq;
      if (Number(timeline.value) !== run.seq) timeline.value = run.seq;
      this.showTimeline(run.seq);
    }

    // While playing the clock runs between events, in fractions of a millisecond.
    let clock = `Simulated time ${Math.round(run.t)} ms · record ${run.seq}`;
    if (run.halted) clock += ` · halted: ${run.halted.message}`;
    else if (run.finished) clock += " · finished";
    else if (run.lagging) clock += " · falling behind";
    setText(this.part("clock"), clock);
  }

  // ---- keyboard shortcuts: P play/pause, S step, B step back, R reset, O send another; and on
  // a presenter's page Space play/pause, ArrowRight step, ArrowLeft step back ---------------

  shortcut(event) {
    const actions = this.shortcuts[event.key?.toLowerCase()];
    // A key the diagram or a menu has used, a chord, or typing in a field is not a shortcut; a
    // held key would repeat the action 30 times a second, past the server's rate limit.
    if (!this.active || this.readonly || !actions || event.defaultPrevented || event.repeat) return;
    if (event.ctrlKey || event.altKey || event.metaKey) return;
    if (this.focusedKeys && !this.root.contains(event.target)) return;
    if (event.target.closest?.("input, select, textarea, [contenteditable], [role=menu]")) return;
    if (event.key === " " && event.target.closest?.(PRESSABLE)) return;
    const button = actions.map((action) => this.buttons[action]).find((b) => b && !b.disabled);
    if (!button) return;
    event.preventDefault();
    button.click();
  }

  // ---- warnings ------------------------------------------------------------------------------

  // Each warning with the misuse checker's words for its code (title, why it matters, the
  // lesson): the page's JSON from simulator/misuse.py, inside the warnings box.
  showWarnings(warnings) {
    const box = this.part("warnings");
    const texts = box.querySelector('script[type="application/json"]');
    this.misuse ??= JSON.parse(texts?.textContent ?? "{}");
    const line = (...parts) => {
      const p = document.createElement("p");
      p.append(...parts);
      return p;
    };
    const items = warnings.map((warning) => {
      const item = document.createElement("li");
      const about = this.misuse[warning.code];
      const code = document.createElement("code");
      code.textContent = warning.code;
      if (!about) {
        item.append(code, " ", warning.message);
        return item;
      }
      const title = document.createElement("strong");
      title.textContent = about.title;
      const why = document.createElement("strong");
      why.textContent = "Why it matters:";
      item.className = "sim-warning";
      item.append(line(title, " ", code), line(warning.message), line(why, " ", about.why));
      if (about.lesson) {
        const link = document.createElement("a");
        link.href = about.lesson.url;
        link.textContent = `Lesson: ${about.lesson.title}`;
        item.append(line(link));
      }
      return item;
    });
    box.querySelector("ul").replaceChildren(...items);
    box.hidden = warnings.length === 0;
  }

  // ---- narrator: at most one announcement per NARRATE_EVERY_MS -------------------------------

  narrate(texts) {
    this.unsaid.push(...texts);
    if (this.narrateTimer === null) this.speak();
  }

  speak() {
    this.narrateTimer = null;
    if (this.unsaid.length === 0) return;
    const more = this.unsaid.length - 1;
    this.part("narrator").textContent =
      this.unsaid.at(-1) + (more > 0 ? `, and ${more} more` : "");
    this.unsaid = [];
    this.narrateTimer = setTimeout(() => this.speak(), NARRATE_EVERY_MS);
  }

  // ---- the connection's events -----------------------------------------------------------------

  status(detail) {
    this.run.live = detail.status === "live";
    const text = {
      connecting: "Connecting…",
      live: this.liveText,
      reconnecting: `Reconnecting… (attempt ${detail.attempt})`,
      closed: `Disconnected: ${detail.reason}`,
    }[detail.status];
    this.statusText = text;
    this.hit = null; // a connection's news replaces it
    this.part("status").textContent = text;
    this.root.dataset.status = detail.status;
    this.render();
  }

  snapshot(snap) {
    const { t, seq, steps, finished, halted } = snap.state;
    Object.assign(this.run, { t, seq, steps, finished, halted });
    Object.assign(this.run, { playing: snap.playing, speed: snap.speed, lagging: false });
    this.labels = new Map(snap.topology.nodes.map((node) => [node.id, node.label || node.id]));
    this.showHit(null);
    this.showWarnings(snap.warnings);
    // The first snapshot of a run is said by the status line ("Live"); later ones answer Step
    // back, Reset or a reconnect, and a learner who cannot see the log needs to hear where it is.
    if (snap.run === this.shownRun) this.narrate([`At record ${seq}, ${Math.round(t)} ms`]);
    this.shownRun = snap.run;
    this.render();
  }

  hops(hops) {
    const { t, seq, steps, finished, halted } = hops;
    Object.assign(this.run, { t, seq, steps, finished, halted });
    if (hops.items.length) this.showHit(null); // the run has moved on
    this.narrate(hops.items.map((item) => item.text));
    this.render();
  }

  state(state) {
    const { t, seq, steps, playing, speed, finished, halted, lagging } = state;
    Object.assign(this.run, { t, seq, steps, playing, speed, finished, halted, lagging });
    if (state.hit) this.showHit(state.hit);
    else if (playing) this.showHit(null);
    this.render();
  }

  // ---- breakpoints: "Paused at a breakpoint: …" in the status line (a live region) -----------

  showHit(hit) {
    if (!hit && !this.hit) return;
    this.hit = hit;
    const status = this.part("status");
    if (!hit) return setText(status, this.statusText);
    const node = this.labels.get(hit.node) ?? hit.node;
    setText(status, `Paused at a breakpoint: ${hit.type} arrived at ${node} (record ${hit.seq})`);
    // the message that arrived, in the inspector, the log and the diagram
    if (hit.message) {
      const detail = { type: "message", id: hit.message };
      this.root.dispatchEvent(new CustomEvent("msglab:select", { detail, bubbles: true }));
    }
  }
}
