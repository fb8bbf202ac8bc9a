// A lesson's captions, kept in step with its run: each caption names a moment of the run (a
// record's event, message type and nodes), and the caption of the latest moment the run has
// reached is shown, stepping forward or back. It listens to the same `msglab:snapshot` and
// `msglab:hops` events as the other islands, and speaks through its own polite live region.

function matches(moment, record) {
  return (
    record.event === moment.event &&
    (moment.type == null || record.message?.type === moment.type) &&
    (moment.to == null || record.to === moment.to) &&
    (moment.from == null || record.from === moment.from)
  );
}

export class Captions {
  constructor(root, element, { start, moments }) {
    this.text = element.querySelector("[data-caption=text]");
    this.where = element.querySelector("[data-caption=where]");
    this.start = start;
    this.moments = moments;
    this.latest = null; // [seq, index of its moment] of the newest record that is a moment
    this.shown = null;
    const on = (name, handler) => root.addEventListener(`msglab:${name}`, (e) => handler(e.detail));
    on("snapshot", (snapshot) => {
      // after back, seek or reset the snapshot is the whole truth: forget what came after it
      this.latest = null;
      this.add(snapshot.trace ?? []);
    });
    on("hops", (hops) => this.add(hops.items));
    this.show();
  }

  add(records) {
    for (const record of records) {
      const index = this.moments.findIndex((moment) => matches(moment, record));
      if (index >= 0) this.latest = [record.seq, index];
    }
    this.show();
  }

  show() {
    const key = this.latest ? this.latest[1] : -1;
    this.where.textContent = key < 0 ? "Before the run" : `At record ${this.latest[0]}`;
    if (key === this.shown) return; // the live region speaks only when the caption changes
    this.shown = key;
    this.text.textContent = key < 0 ? this.start : this.moments[key].text;
  }
}
