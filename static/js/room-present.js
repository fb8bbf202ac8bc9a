// The presenter's page of a room (templates/rooms/present.html): the run with its controls and
// the presenter's keys (Space, ArrowRight, ArrowLeft, R), how many students follow, full screen,
// closing the room, the spotlight and the polls. Every room action is a frame of
// docs/protocol.md (Rooms) sent through `msglab:action`, like the run's controls.

import { renderChart, votes } from "./room-polls.js";
import { setupRoom } from "./room-page.js";

const room = setupRoom();
const { part } = room;
let live = false;
let closed = false;
let selection = null; // the inspector's selection (`msglab:select`)
let spotlight = null; // what the class sees in the spotlight
let poll = null; // the current poll, as the presenter's frames tell it

// ---- who is here ---------------------------------------------------------------------------

const students = part("students");
function showStudents(n) {
  const text = `${n} ${n === 1 ? "student" : "students"} connected`;
  if (students.textContent !== text) students.textContent = text;
}
room.on("room", (frame) => showStudents(frame.students));

// ---- full screen: the page's main area alone, for a projector -------------------------------

const fullscreen = part("fullscreen");
if (!document.fullscreenEnabled) fullscreen.hidden = true; // e.g. an iPhone's Safari
fullscreen.addEventListener("click", () => {
  if (document.fullscreenElement) document.exitFullscreen();
  else room.page.requestFullscreen().catch(() => {});
});
// The label says what a press does; it is not also a pressed/unpressed toggle, which would
// make a screen reader say the state twice.
document.addEventListener("fullscreenchange", () => {
  const on = document.fullscreenElement === room.page;
  fullscreen.textContent = on ? "Exit full screen" : "Full screen";
});

// ---- closing the room ----------------------------------------------------------------------

part("close").addEventListener("click", () => {
  // every student is dropped at once and cannot come back: worth a second thought
  if (confirm("Close the room? Every student is disconnected, and the code stops working.")) {
    room.act({ action: "close_room" });
  }
});

// ---- the spotlight -------------------------------------------------------------------------

const spotlightButton = part("spotlight");
const clearButton = part("spotlight-clear");

const UNSENT = "This message has not been sent yet: select it once it has.";

// What the selection would spotlight: a frame, or the reason it cannot be one.
function spotlightFrame() {
  if (selection?.type === "node") return { action: "spotlight", node: selection.id };
  if (selection?.type === "message") {
    return selection.id ? { action: "spotlight", message: selection.id } : UNSENT;
  }
  return "Select a node or a message in the diagram or the log, then spotlight it for the class.";
}

spotlightButton.addEventListener("click", () => {
  const frame = spotlightFrame();
  if (typeof frame === "object") room.act(frame);
});
clearButton.addEventListener("click", () => room.act({ action: "spotlight" }));
room.on("spotlight", (frame) => {
  spotlight = frame.target ?? null;
  render();
});

// ---- polls ---------------------------------------------------------------------------------

const askKind = part("ask-kind");
const askQuestion = part("ask-question");
const question = part("question");
const pollBox = part("poll");
const reveal = part("reveal");
const dismiss = part("dismiss");

// "Command or event?" asks about the selected message, which must be one of the two.
function kindFrame() {
  if (selection?.type !== "message") {
    return "Select a command or an event in the diagram or the log first.";
  }
  if (!selection.id) return UNSENT;
  const kind = selection.envelope?.kind ?? room.names.messages.get(selection.id)?.kind;
  if (kind === "command" || kind === "event") return { action: "poll", message: selection.id };
  const name = room.names.message(selection.id);
  return `${name} is a ${kind ?? "message"}: select a command or an event.`;
}

askKind.addEventListener("click", () => {
  const frame = kindFrame();
  if (typeof frame === "object") room.act(frame);
});
askQuestion?.addEventListener("click", () => {
  room.act({ action: "poll", question: question.value });
});
reveal.addEventListener("click", () => room.act({ action: "reveal" }));
dismiss.addEventListener("click", () => room.act({ action: "dismiss" }));

room.on("poll", (frame) => {
  const before = poll;
  poll = frame.poll?.state === "dismissed" ? null : frame.poll;
  if (poll && poll.id !== before?.id) room.say(`Poll open: ${poll.question}`);
  render();
});

function showPoll() {
  pollBox.hidden = poll === null;
  // One poll at a time on the projector: asking again comes back once this one is ended, and
  // the chart keeps the room the questions took.
  for (const ask of room.page.querySelectorAll(".room-ask")) ask.hidden = poll !== null;
  if (!poll) return;
  const heading = part("poll-question");
  if (heading.textContent !== poll.question) heading.textContent = poll.question;
  // The projector shows the counts as they come, but never the answer before it is revealed.
  const revealed = poll.state === "revealed";
  renderChart(part("poll-chart"), poll, { showAnswer: revealed });
  const state = revealed
    ? `Answer revealed · ${votes(poll.votes ?? 0)}`
    : `Open · ${votes(poll.votes ?? 0)} so far`;
  const line = part("poll-state");
  if (line.textContent !== state) line.textContent = state;
  reveal.disabled = !live || revealed;
  dismiss.disabled = !live;
}

// ---- the room's frames and the buttons' states ------------------------------------------------

room.on("select", (detail) => {
  selection = detail ?? null;
  render();
});
room.on("status", (detail) => {
  live = detail.status === "live";
  closed ||= detail.status === "closed";
  render();
});
room.on("closed", () => {
  closed = true;
  render();
});
room.on("snapshot", (snap) => {
  if (!snap.room) return;
  showStudents(snap.room.students ?? 0);
  spotlight = snap.room.spotlight ?? null;
  poll = snap.room.poll?.state === "dismissed" ? null : (snap.room.poll ?? null);
  render();
});

// A disabled button says why in the text it is described by (aria-describedby).
function offer(button, why, frame) {
  const possible = typeof frame === "object";
  button.disabled = !live || closed || !possible;
  const text = possible ? "" : frame;
  if (why.textContent !== text) why.textContent = text;
  why.hidden = possible;
}

function render() {
  const now = room.names.target(spotlight);
  const nowText = now ? `In the spotlight: ${now}` : "Nothing is in the spotlight.";
  const nowLine = part("spotlight-now");
  if (nowLine.textContent !== nowText) nowLine.textContent = nowText;
  offer(spotlightButton, part("spotlight-why"), spotlightFrame());
  clearButton.disabled = !live || closed || spotlight === null;
  offer(askKind, part("ask-kind-why"), kindFrame());
  if (askQuestion) askQuestion.disabled = !live || closed;
  part("close").disabled = !live || closed;
  showPoll();
  if (closed) pollBox.hidden = true;
}

room.start({ presenter: true });
render();
