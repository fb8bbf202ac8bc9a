// The simulator page: wires the controls, the clock, the message log and the narrator to the
// live connection's events. Every text from the server goes in with textContent, never as HTML.

import { LiveConnection } from "./live.js";

const MAX_LOG_ITEMS = 500; // as many as a snapshot carries
const NARRATE_EVERY_MS = 500; // a screen reader cannot keep up with a hop per frame
const SPEED_EVERY_MS = 100;

const root = document.querySelector("[data-ws-url]");
const part = (name) => root.querySelector(`[data-sim="${name}"]`);
const buttons = Object.fromEntries(
  [...root.querySelectorAll("[data-sim-action]")].map((b) => [b.dataset.simAction, b]),
);
const speed = part("speed");
const speedOutput = part("speed-output");
const log = part("log");

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
let editingSpeed = false; // while the thumb moves, echoes of the old speed must not move it back

function act(frame) {
  part("error").textContent = ""; // the last refusal was about an earlier action
  root.dispatchEvent(new CustomEvent("msglab:action", { detail: frame, bubbles: true }));
}

// ---- controls --------------------------------------------------------------------------------

for (const [action, button] of Object.entries(buttons)) {
  button.addEventListener("click", () => act({ action }));
}
speed.addEventListener("input", () => {
  editingSpeed = true;
  showSpeed(Number(speed.value));
});
// `change` fires once the learner lets go: the server allows 20 frames a second, not one a
// pixel. A held arrow key still fires it ~30 times a second, so send at most every 100 ms and
// always send the last value.
let speedSentAt = 0;
let speedTimer = null;
speed.addEventListener("change", () => {
  clearTimeout(speedTimer);
  const wait = speedSentAt + SPEED_EVERY_MS - performance.now();
  if (wait <= 0) sendSpeed();
  else speedTimer = setTimeout(sendSpeed, wait);
});

function sendSpeed() {
  editingSpeed = false;
  speedSentAt = performance.now();
  act({ action: "speed", value: Number(speed.value) });
}

function showSpeed(value) {
  speedOutput.textContent = `${value}×`;
  speed.setAttribute("aria-valuetext", `${value}×`);
}

function render() {
  const over = run.finished || run.halted !== null;
  const enabled = {
    play: run.live && !run.playing && !over,
    pause: run.live && run.playing,
    step: run.live && !over,
    back: run.live && run.steps > 0,
    reset: run.live,
  };
  const focused = document.activeElement;
  for (const [action, button] of Object.entries(buttons)) button.disabled = !enabled[action];
  speed.disabled = !run.live;
  buttons.play.setAttribute("aria-pressed", String(run.playing));
  // A button that disables itself would drop keyboard focus to <body>; hand it to its partner.
  if (focused?.disabled) {
    const partner = { play: "pause", pause: "play", back: "step" }[focused.dataset.simAction];
    const next = [buttons[partner], buttons.step, buttons.reset].find((b) => b && !b.disabled);
    next?.focus();
  }
  if (!editingSpeed) {
    speed.value = run.speed;
    showSpeed(run.speed);
  }

  // While playing the clock runs between events, in fractions of a millisecond.
  let clock = `Simulated time ${Math.round(run.t)} ms · record ${run.seq}`;
  if (run.halted) clock += ` · halted: ${run.halted.message}`;
  else if (run.finished) clock += " · finished";
  else if (run.lagging) clock += " · falling behind";
  part("clock").textContent = clock;
}

// ---- message log -----------------------------------------------------------------------------

function logItem(record) {
  const item = document.createElement("li");
  item.dataset.event = record.event;
  const time = document.createElement("span");
  time.className = "sim-log-t";
  time.textContent = `${record.t} ms`;
  item.append(time, " ", record.text);
  return item;
}

function appendToLog(records, { replace = false } = {}) {
  // Follow the newest entry unless the learner has scrolled up to read an older one.
  const following = log.scrollHeight - log.scrollTop - log.clientHeight < 40;
  const items = records.slice(-MAX_LOG_ITEMS).map(logItem);
  if (replace) log.replaceChildren(...items);
  else log.append(...items);
  while (log.childElementCount > MAX_LOG_ITEMS) log.firstElementChild.remove();
  if (following || replace) log.scrollTop = log.scrollHeight;
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
  const warnings = part("warnings");
  const items = snap.warnings.map((warning) => {
    const item = document.createElement("li");
    item.textContent = warning.message;
    return item;
  });
  warnings.querySelector("ul").replaceChildren(...items);
  warnings.hidden = snap.warnings.length === 0;
  appendToLog(snap.trace, { replace: true });
  // The first snapshot of a run is said by the status line ("Live"); later ones answer Step
  // back, Reset or a reconnect, and a learner who cannot see the log needs to hear where it is.
  if (snap.run === shownRun) narrate([`At record ${seq}, ${Math.round(t)} ms`]);
  shownRun = snap.run;
  render();
});

root.addEventListener("msglab:hops", ({ detail: hops }) => {
  const { t, seq, steps, finished, halted } = hops;
  Object.assign(run, { t, seq, steps, finished, halted });
  appendToLog(hops.items);
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

new LiveConnection(root, root.dataset.wsUrl);
