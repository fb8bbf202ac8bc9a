// The simulator page: wires the controls, the clock, the timeline, the keyboard shortcuts, the
// warnings and the narrator to the live connection's events, and starts the page's islands (the
// diagram, the inspector, the message log). Every text from the server goes in with
// textContent, never as HTML.

import { Diagram } from "./diagram.js";
import { Inspector } from "./inspector.js";
import { LiveConnection } from "./live.js";
import { MessageLog } from "./log.js";

const NARRATE_EVERY_MS = 500; // a screen reader cannot keep up with a hop per frame
const SEND_EVERY_MS = 100; // for the sliders: the server allows 20 frames a second

const root = document.querySelector("[data-ws-url]");
const part = (name) => root.querySelector(`[data-sim="${name}"]`);
const buttons = Object.fromEntries(
  [...root.querySelectorAll("[data-sim-action]")].map((b) => [b.dataset.simAction, b]),
);
const speed = part("speed");
const timeline = part("timeline");
// The first client send of the scenario, made again by "Send another order" (the view's JSON).
const injectFrame = JSON.parse(document.getElementById("sim-inject")?.textContent ?? "null");

const run = {
  live: false,
  playing: false,
  speed: 1,
  t: 0,
  seq: 0,
  steps: 0,
  finished: false,
  halted: null,
  lagging: false,
};
let shownRun = null;

function act(frame) {
  part("error").textContent = ""; // the last refusal was about an earlier action
  root.dispatchEvent(new CustomEvent("msglab:action", { detail: frame, bubbles: true }));
}

// ---- controls --------------------------------------------------------------------------------

for (const [action, button] of Object.entries(buttons)) {
  button.addEventListener("click", () => act(action === "inject" ? injectFrame : { action }));
}

// A slider sends on `change`, once the learner lets go: the server allows 20 frames a second,
// not one a pixel. A held arrow key still fires `change` ~30 times a second, so send at most
// every 100 ms and always send the last value. While the thumb moves, echoes of the old value
// from the server must not move it back.
function throttledSlider(input, show, frame) {
  const slider = { editing: false };
  let sentAt = 0;
  let timer = null;
  const send = () => {
    slider.editing = false;
    sentAt = performance.now();
    act(frame(Number(input.value)));
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

const speedSlider = throttledSlider(speed, showSpeed, (value) => ({ action: "speed", value }));
// A seek goes back only: the timeline ends at the newest record, and a snapshot answers it.
const timelineSlider = throttledSlider(timeline, showTimeline, (seq) => ({ action: "seek", seq }));

// A played run renders 60 times a second: a write that changes nothing would still cost the
// browser a restyle, so these write only what changed.
function setText(element, text) {
  if (element.textContent !== text) element.textContent = text;
}

function setAttribute(element, name, value) {
  if (element.getAttribute(name) !== value) element.setAttribute(name, value);
}

function showSpeed(value) {
  setText(part("speed-output"), `${value}×`);
  setAttribute(speed, "aria-valuetext", `${value}×`);
}

function showTimeline(value) {
  setText(part("timeline-output"), `${value} / ${timeline.max}`);
  setAttribute(timeline, "aria-valuetext", `record ${value} of ${timeline.max}`);
}

function render() {
  const over = run.finished || run.halted !== null;
  const enabled = {
    play: run.live && !run.playing && !over,
    pause: run.live && run.playing,
    step: run.live && !over,
    back: run.live && run.steps > 0,
    reset: run.live,
    inject: run.live && run.halted === null,
  };
  const focused = document.activeElement;
  for (const [action, button] of Object.entries(buttons)) button.disabled = !enabled[action];
  speed.disabled = !run.live;
  timeline.disabled = !run.live || (run.seq === 0 && !timelineSlider.editing);
  setAttribute(buttons.play, "aria-pressed", String(run.playing));
  // A button that disables itself would drop keyboard focus to <body>; hand it to its partner.
  if (focused?.disabled) {
    const partner = { play: "pause", pause: "play", back: "step" }[focused.dataset.simAction];
    const next = [buttons[partner], buttons.step, buttons.reset].find((b) => b && !b.disabled);
    next?.focus();
  }
  if (!speedSlider.editing) {
    if (Number(speed.value) !== run.speed) speed.value = run.speed;
    showSpeed(run.speed);
  }
  if (!timelineSlider.editing) {
    if (Number(timeline.max) !== run.seq) timeline.max = run.seq;
    if (Number(timeline.value) !== run.seq) timeline.value = run.seq;
    showTimeline(run.seq);
  }

  // While playing the clock runs between events, in fractions of a millisecond.
  let clock = `Simulated time ${Math.round(run.t)} ms · record ${run.seq}`;
  if (run.halted) clock += ` · halted: ${run.halted.message}`;
  else if (run.finished) clock += " · finished";
  else if (run.lagging) clock += " · falling behind";
  setText(part("clock"), clock);
}

// ---- keyboard shortcuts: P play/pause, S step, B step back, R reset, O send another --------

const SHORTCUTS = { p: ["play", "pause"], s: ["step"], b: ["back"], r: ["reset"], o: ["inject"] };

document.addEventListener("keydown", (event) => {
  const actions = SHORTCUTS[event.key?.toLowerCase()];
  // A key the diagram or a menu has used, a chord, or typing in a field is not a shortcut; a
  // held key would repeat the action 30 times a second, past the server's rate limit.
  if (!actions || event.defaultPrevented || event.repeat) return;
  if (event.ctrlKey || event.altKey || event.metaKey) return;
  if (event.target.closest?.("input, select, textarea, [contenteditable], [role=menu]")) return;
  const button = actions.map((action) => buttons[action]).find((b) => b && !b.disabled);
  if (!button) return;
  event.preventDefault();
  button.click();
});

// ---- warnings --------------------------------------------------------------------------------

function showWarnings(warnings) {
  const box = part("warnings");
  const items = warnings.map((warning) => {
    const item = document.createElement("li");
    const code = document.createElement("code");
    code.textContent = warning.code;
    item.append(code, " ", warning.message);
    return item;
  });
  box.querySelector("ul").replaceChildren(...items);
  box.hidden = warnings.length === 0;
}

// ---- narrator: at most one announcement per NARRATE_EVERY_MS ---------------------------------

const narrator = part("narrator");
let unsaid = [];
let narrateTimer = null;

function narrate(texts) {
  unsaid.push(...texts);
  if (narrateTimer === null) speak();
}

function speak() {
  narrateTimer = null;
  if (unsaid.length === 0) return;
  const more = unsaid.length - 1;
  narrator.textContent = unsaid.at(-1) + (more > 0 ? `, and ${more} more` : "");
  unsaid = [];
  narrateTimer = setTimeout(speak, NARRATE_EVERY_MS);
}

// ---- the connection's events -----------------------------------------------------------------

root.addEventListener("msglab:status", ({ detail }) => {
  run.live = detail.status === "live";
  const text = {
    connecting: "Connecting…",
    live: "Live",
    reconnecting: `Reconnecting… (attempt ${detail.attempt})`,
    closed: `Disconnected: ${detail.reason}`,
  }[detail.status];
  part("status").textContent = text;
  root.dataset.status = detail.status;
  render();
});

root.addEventListener("msglab:snapshot", ({ detail: snap }) => {
  const { t, seq, steps, finished, halted } = snap.state;
  Object.assign(run, { t, seq, steps, finished, halted, playing: snap.playing, speed: snap.speed });
  run.lagging = false;
  showWarnings(snap.warnings);
  // The first snapshot of a run is said by the status line ("Live"); later ones answer Step
  // back, Reset or a reconnect, and a learner who cannot see the log needs to hear where it is.
  if (snap.run === shownRun) narrate([`At record ${seq}, ${Math.round(t)} ms`]);
  shownRun = snap.run;
  render();
});

root.addEventListener("msglab:hops", ({ detail: hops }) => {
  const { t, seq, steps, finished, halted } = hops;
  Object.assign(run, { t, seq, steps, finished, halted });
  narrate(hops.items.map((item) => item.text));
  render();
});

root.addEventListener("msglab:state", ({ detail: state }) => {
  const { t, seq, steps, playing, speed: value, finished, halted, lagging } = state;
  Object.assign(run, { t, seq, steps, playing, speed: value, finished, halted, lagging });
  render();
});

root.addEventListener("msglab:error", ({ detail: error }) => {
  part("error").textContent = error.field ? `${error.detail} (${error.field})` : error.detail;
});

// The islands listen before the connection opens, so that they all hear the first snapshot.
new Diagram(part("diagram"), root);
new Inspector(part("inspector"), root);
new MessageLog(part("log-box"), root);
new LiveConnection(root, root.dataset.wsUrl);
