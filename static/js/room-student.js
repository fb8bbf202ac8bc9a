// A student's page of a room (templates/rooms/student.html): the presenter's run, read-only
// (no controls, no shortcuts, no faults), and the presenter's polls, answered here. A poll
// appears near the top of the page and is announced politely; it never takes the focus, which
// may be in the log or on the diagram.

import { renderChart } from "./room-polls.js";
import { setupRoom } from "./room-page.js";

const room = setupRoom();
const { part } = room;
const card = part("poll-card");
const form = part("poll-form");
const choices = part("poll-choices");
const send = part("vote");
const mine = part("poll-mine");
const answer = part("poll-answer");
const chart = part("poll-chart");
let poll = null;
let live = false;
let sending = false; // a vote is on its way: its answer is the poll frame with `mine` set
let refusal = ""; // why the server refused the vote (the poll closed meanwhile, …)

function show(next) {
  const fresh = next && next.id !== poll?.id;
  // A frame sent to the whole class (the reveal) may not carry this student's `mine`: an
  // answer once known for this poll stays known.
  if (next && !fresh && typeof next.mine !== "number" && typeof poll.mine === "number") {
    next = { ...next, mine: poll.mine };
  }
  poll = next?.state === "dismissed" ? null : (next ?? null);
  card.hidden = poll === null;
  if (!poll) return;
  if (fresh) build(poll);
  render();
}

// The question and one radio button per choice, built once per poll so that a later frame
// (counts, reveal) never moves the student's focus or choice.
function build(next) {
  part("poll-question").textContent = next.question;
  const radios = next.choices.map((text, index) => {
    const line = document.createElement("div");
    line.className = "room-choice";
    const input = document.createElement("input");
    input.type = "radio";
    input.name = "choice";
    input.value = String(index);
    input.id = `room-choice-${next.id}-${index}`;
    input.required = true;
    const label = document.createElement("label");
    label.htmlFor = input.id;
    label.textContent = text;
    line.append(input, label);
    return line;
  });
  choices.replaceChildren(...radios);
  sending = false;
  refusal = "";
  if (next.state === "open") {
    room.say(`Poll from the presenter: ${next.question} Answer it at the top of the page.`);
  }
}

function render() {
  if (!poll) return;
  const chosen = typeof poll.mine === "number" ? poll.choices[poll.mine] : null;
  const open = poll.state === "open";
  const revealed = poll.state === "revealed";
  if (chosen !== null) sending = false;
  const locked = !open || chosen !== null || sending || !live;
  for (const input of choices.querySelectorAll("input")) {
    input.disabled = !open || chosen !== null;
    if (chosen !== null) input.checked = Number(input.value) === poll.mine;
  }
  send.disabled = locked;
  send.hidden = chosen !== null || !open;
  send.textContent = sending ? "Sending…" : "Send my answer";
  const missed = revealed ? "You did not answer this one." : "";
  const note = chosen !== null ? `Answer sent: ${chosen}` : refusal || missed;
  mine.hidden = note === "";
  mine.textContent = note;
  answer.hidden = !revealed;
  chart.hidden = !revealed || !poll.counts;
  if (revealed) {
    const right = poll.choices[poll.answer];
    const verdict = chosen === null ? "" : poll.mine === poll.answer ? " You were right." : "";
    answer.textContent = `The answer: ${right}.${verdict}`;
    if (poll.counts) renderChart(chart, poll, { showAnswer: true });
  }
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  const picked = form.querySelector("input[name=choice]:checked");
  if (!poll || !picked || send.disabled) return;
  sending = true;
  room.act({ action: "vote", poll: poll.id, choice: Number(picked.value) });
  render();
});

room.on("poll", (frame) => {
  const next = frame.poll;
  if (next?.state === "revealed" && next.id === poll?.id) {
    room.say(`The answer: ${next.choices[next.answer]}`);
  }
  show(next);
});
room.on("snapshot", (snap) => {
  // a reconnect finds the poll where it is, with this student's answer; said only if new
  if (snap.room) show(snap.room.poll ?? null);
});
room.on("error", (error) => {
  // a refused vote (the poll closed meanwhile, or already answered): said in the card too,
  // where the student looks, as well as in the run's alert line
  if (!sending) return;
  sending = false;
  refusal = error.detail ?? "";
  render();
});
room.on("status", (detail) => {
  live = detail.status === "live";
  if (!live) sending = false; // a frame lost with the connection; the next snapshot tells
  if (detail.status === "closed") card.hidden = true;
  render();
});

// On a phone the diagram scrolls sideways (room.css): a new spotlight is brought into view
// there, but the page itself never moves under the student's eyes.
const diagram = room.root.querySelector('[data-sim="diagram"]');
room.on("spotlight", () => {
  // after the diagram has drawn the ring: it hears the frame after this page does
  requestAnimationFrame(() => {
    const ring = diagram.querySelector("[data-spotlight]");
    if (!ring || diagram.scrollWidth <= diagram.clientWidth) return;
    const box = ring.getBoundingClientRect();
    const view = diagram.getBoundingClientRect();
    const centre = box.left + box.width / 2 - view.left;
    const still = matchMedia("(prefers-reduced-motion: reduce)").matches;
    diagram.scrollBy({ left: centre - view.width / 2, behavior: still ? "auto" : "smooth" });
  });
});

room.start({ readonly: true, liveText: "Connected" });
