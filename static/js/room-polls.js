// A poll's answers as a bar chart that reads as text: one list item per choice, "A command:
// 13 votes (76%)", with a bar beside it for the eyes (hidden from assistive technology, which
// has the words). The presenter's chart moves up to 10 times a second while the class votes,
// so rows are built once per poll and then only their words and widths change. Bar widths are
// set through element.style from here: the Content-Security-Policy blocks style attributes in
// the page's HTML, not the CSSOM.

function setText(element, text) {
  if (element.textContent !== text) element.textContent = text;
}

export function votes(n) {
  return n === 1 ? "1 vote" : `${n} votes`;
}

// `poll` as in a `poll` frame; `showAnswer` marks the right choice in words ("right answer").
export function renderChart(list, poll, { showAnswer = false } = {}) {
  const key = `${poll.id}:${poll.choices.length}`;
  if (list.dataset.poll !== key) {
    list.dataset.poll = key;
    list.replaceChildren(...poll.choices.map(() => row()));
  }
  const total = poll.votes ?? 0;
  [...list.children].forEach((item, index) => {
    const count = poll.counts?.[index] ?? 0;
    const share = total > 0 ? Math.round((100 * count) / total) : 0;
    const right = showAnswer && poll.answer === index;
    const [choice, mark, bar, fill, tally] = item.parts;
    setText(choice, `${poll.choices[index]}:`);
    setText(tally, `${votes(count)} (${share}%)`);
    // emptied, not only hidden: the words are the answer, and a page's text must not leak it
    setText(mark, right ? " ✓ right answer" : "");
    mark.hidden = !right;
    item.classList.toggle("is-answer", right);
    item.dataset.count = String(count);
    const width = `${share}%`;
    if (fill.style.width !== width) fill.style.width = width;
    bar.dataset.share = String(share);
  });
}

function row() {
  const item = document.createElement("li");
  const choice = document.createElement("span");
  choice.className = "room-chart-choice";
  // the right answer is told in words and by a tick, never by the bar's colour alone
  const mark = document.createElement("strong");
  mark.className = "room-chart-mark";
  const bar = document.createElement("span");
  bar.className = "room-chart-bar";
  bar.setAttribute("aria-hidden", "true");
  const fill = document.createElement("span");
  fill.className = "room-chart-fill";
  bar.append(fill);
  const tally = document.createElement("span");
  tally.className = "room-chart-count";
  item.append(choice, " ", tally, mark, bar);
  item.parts = [choice, mark, bar, fill, tally];
  return item;
}
