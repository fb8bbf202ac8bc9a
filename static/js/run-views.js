// The run seen three ways, as tabs over one panel (the WAI-ARIA tabs pattern): the animated
// Diagram, the Sequence diagram (sequence.js) and the Causation graph (causation.js). The two
// second views are loaded the first time their tab is shown, so a page that never opens them
// never downloads them; until then this island keeps the run's records for them.
//
// A hidden view costs no rendering: it is told about every record (cheap: an array push) and
// draws only while its panel is shown, once when it is shown again.

const MAX_RECORDS = 3000; // kept for the views: six snapshots' worth
const LOADERS = {
  sequence: async (panel, root, options) => {
    const [{ Sequence }, { Downloads }] = await Promise.all([
      import("./sequence.js"),
      import("./run-downloads.js"),
    ]);
    new Downloads(panel, root);
    return new Sequence(panel.querySelector('[data-sim="sequence"]'), root, options);
  },
  causation: async (panel, root, options) => {
    const { Causation } = await import("./causation.js");
    return new Causation(panel.querySelector('[data-sim="causation"]'), root, options);
  },
};

export class RunViews {
  constructor(box, root, options = {}) {
    this.root = root;
    this.options = options;
    this.tabs = [...box.querySelectorAll('[role="tab"]')];
    this.panels = new Map(
      this.tabs.map((tab) => [tab, document.getElementById(tab.getAttribute("aria-controls"))]),
    );
    this.views = new Map(); // name → the view, once loaded
    this.loading = new Map(); // name → its promise
    this.shown = null; // the name of the view shown
    this.snapshot = null; // the last snapshot: topology, layout, run
    this.records = []; // since that snapshot, oldest first
    this.selection = null;

    const tablist = box.querySelector('[role="tablist"]');
    tablist.addEventListener("click", (event) => {
      const tab = event.target.closest('[role="tab"]');
      if (tab) this.choose(tab);
    });
    tablist.addEventListener("keydown", (event) => this.key(event));
    root.addEventListener("msglab:snapshot", ({ detail }) => this.reset(detail));
    root.addEventListener("msglab:hops", ({ detail }) => this.append(detail.items));
    root.addEventListener("msglab:select", ({ detail }) => {
      this.selection = detail;
    });
    const selected = this.tabs.find((tab) => tab.getAttribute("aria-selected") === "true");
    this.choose(selected ?? this.tabs[0]);
  }

  // ---- the records the views are built from --------------------------------------------------

  reset(snapshot) {
    this.snapshot = snapshot;
    this.records = snapshot.trace.slice(-MAX_RECORDS);
    for (const view of this.views.values()) view.reset(snapshot, this.records);
  }

  append(records) {
    if (records.length === 0 || !this.snapshot) return;
    this.records.push(...records);
    // dropped in chunks: an array shift per frame would copy 3000 items 60 times a second
    if (this.records.length > MAX_RECORDS + 500) {
      this.records.splice(0, this.records.length - MAX_RECORDS);
    }
    for (const view of this.views.values()) view.append(records);
  }

  // ---- the tabs --------------------------------------------------------------------------------

  choose(tab, { focus = false } = {}) {
    for (const other of this.tabs) {
      const on = other === tab;
      other.setAttribute("aria-selected", String(on));
      other.tabIndex = on ? 0 : -1;
      this.panels.get(other).hidden = !on;
    }
    if (focus) tab.focus();
    const name = tab.dataset.view;
    if (name === this.shown) return;
    const before = this.views.get(this.shown);
    this.shown = name;
    before?.hide();
    if (LOADERS[name]) this.load(name).then((view) => this.shown === name && view.show());
  }

  load(name) {
    if (!this.loading.has(name)) {
      const tab = this.tabs.find((t) => t.dataset.view === name);
      const promise = LOADERS[name](this.panels.get(tab), this.root, this.options).then((view) => {
        if (this.snapshot) view.reset(this.snapshot, this.records);
        if (this.selection) view.select(this.selection);
        this.views.set(name, view);
        return view;
      });
      this.loading.set(name, promise);
    }
    return this.loading.get(name);
  }

  key(event) {
    const at = this.tabs.indexOf(event.target.closest('[role="tab"]'));
    if (at < 0 || event.altKey || event.ctrlKey || event.metaKey) return;
    const last = this.tabs.length - 1;
    const to = {
      ArrowLeft: at === 0 ? last : at - 1,
      ArrowRight: at === last ? 0 : at + 1,
      Home: 0,
      End: last,
    }[event.key];
    // Space and Enter would also be a presenter's shortcuts (play, step): the tab is shown already
    if (event.key === " " || event.key === "Enter") {
      event.preventDefault();
      return;
    }
    if (to === undefined) return;
    event.preventDefault(); // and a presenter's ArrowLeft/ArrowRight do not step the run
    this.choose(this.tabs[to], { focus: true });
  }
}
