// The canvas editor: a topology document, the edits made to it (each one undoable), and the
// checks, runs, saves and files around it. It draws nothing itself: the diagram (diagram.js,
// in edit mode) shows the document and asks for changes with `msglab:edit`; the properties
// panel (editor-panel.js) edits the selected node's fields. The engine on the server checks
// every version (`/sim/check/`), and a topology with problems cannot be run.

import { Menu } from "./diagram-menu.js";
import {
  addNode,
  connect,
  deleteNode,
  emptyDocument,
  labelOf,
  moveNode,
  nodeById,
  nodeOfPath,
  renameHandler,
  setPath,
  targets,
} from "./editor-model.js";
import { download, post, readFile } from "./editor-io.js";
import { MisusePanel } from "./editor-misuse.js";
import { PropertiesPanel } from "./editor-panel.js";

const CHECK_AFTER_MS = 250; // typing pauses this long before the engine checks the document
const MERGE_WITHIN_MS = 1500; // keystrokes in one field this close together are one undo step
const MAX_UNDO = 200;
const DRAFT_KEY = "msglab:editor-draft"; // the work in progress survives a reload

export class Editor {
  // `options.draftKey`: where work in progress is kept (a lesson's exercise has its own, and
  // prefers it to its start); `options.startRun`: a live stream URL to show before any edit.
  constructor(root, runPanel, start, { draftKey = null, startRun = null } = {}) {
    this.root = root;
    this.runPanel = runPanel;
    this.part = (name) => root.querySelector(`[data-editor="${name}"]`);
    this.draftKey = draftKey ?? DRAFT_KEY;
    const draft = restoreDraft(this.draftKey);
    this.doc = (draftKey ? (draft ?? start) : (start ?? draft)) ?? emptyDocument();
    this.undoStack = [];
    this.redoStack = [];
    this.merge = null; // { key, at } of the last change, to merge keystrokes
    this.selected = null;
    this.handlers = new Map(); // service id -> the handler its new emits go to
    this.report = null; // the engine's last check: { ok, problems, warnings } of `checked`
    this.checked = null;
    this.checks = 0;
    this.checkTimer = null;
    this.mode = "edit";
    this.menu = new Menu(root);
    this.panel = new PropertiesPanel(this.part("properties"), {
      change: (parts, value, key) => this.change(parts, value, key),
      rename: (id, from, to) => this.rename(id, from, to),
      wireHandler: (id, type) => this.handlers.set(id, type),
    });

    for (const button of root.querySelectorAll("[data-editor-add]")) {
      button.addEventListener("click", () => this.add(button.dataset.editorAdd));
    }
    const click = (name, handler) => this.part(name).addEventListener("click", handler);
    click("connect", () => this.openConnect());
    click("delete", () => this.selected && this.remove(this.selected));
    click("undo", () => this.undo());
    click("redo", () => this.redo());
    click("new", () => this.replace(emptyDocument(), "Started a new, empty topology"));
    click("run", () => this.run());
    click("edit", () => this.setMode("edit"));
    click("save", () => this.save());
    click("export", () => download(this.doc));
    this.part("import").addEventListener("change", (event) => this.importFiles(event.target));
    this.part("problems").addEventListener("click", (event) => this.follow(event));
    this.misuse = new MisusePanel(this.part("misuse"), {
      fix: (warning, button) => this.fix(warning, button),
    });
    this.part("misuse").addEventListener("click", (event) => this.follow(event));
    const canvas = root.querySelector('[data-sim="diagram"]');
    canvas.addEventListener("dragover", (event) => {
      if (this.mode === "edit" && event.dataTransfer?.types.includes("Files")) {
        event.preventDefault(); // says "a drop is welcome here"
      }
    });
    canvas.addEventListener("drop", (event) => {
      if (this.mode !== "edit" || !event.dataTransfer?.files.length) return;
      event.preventDefault();
      this.importFiles(event.dataTransfer);
    });
    root.addEventListener("msglab:edit", (event) => this.edit(event.detail));
    root.addEventListener("msglab:select", (event) => this.select(event.detail));
    document.addEventListener("keydown", (event) => this.key(event));

    if (startRun) {
      this.setMode("run", { focus: false });
      this.runPanel.start(startRun);
    } else {
      this.setMode("edit");
    }
    this.changed({ panel: true });
    if (this.doc === draft && this.doc.nodes.length) this.say("Your unsaved work is back.");
  }

  // ---- changes -------------------------------------------------------------------------------

  commit(next, { key = null, said = null, panel = true } = {}) {
    if (next === this.doc) return;
    const now = performance.now();
    const merging = key !== null && this.merge?.key === key && now - this.merge.at < MERGE_WITHIN_MS;
    if (!merging) {
      this.undoStack.push(this.doc);
      if (this.undoStack.length > MAX_UNDO) this.undoStack.shift();
    }
    this.merge = key === null ? null : { key, at: now };
    this.redoStack = [];
    this.doc = next;
    this.changed({ panel });
    if (said) this.say(said);
  }

  replace(next, said) {
    this.selected = null;
    this.commit(next, { said });
  }

  undo() {
    if (!this.undoStack.length) return;
    this.redoStack.push(this.doc);
    this.doc = this.undoStack.pop();
    this.merge = null;
    this.afterHistory("Undone");
  }

  redo() {
    if (!this.redoStack.length) return;
    this.undoStack.push(this.doc);
    this.doc = this.redoStack.pop();
    this.merge = null;
    this.afterHistory("Redone");
  }

  afterHistory(said) {
    if (this.selected && !nodeById(this.doc, this.selected)) this.selected = null;
    this.changed({ panel: true });
    this.say(said);
  }

  // Everything that follows a new document: picture, form, buttons, the draft, the check.
  changed({ panel }) {
    this.draw();
    if (panel) {
      this.panel.show(this.doc, this.selected, this.handlers.get(this.selected));
      this.panel.markProblems(this.report?.problems ?? []);
    }
    this.part("undo").disabled = !this.undoStack.length;
    this.part("redo").disabled = !this.redoStack.length;
    this.part("delete").disabled = !this.selected;
    this.part("connect").disabled = !this.selected;
    this.part("share").replaceChildren(); // a link to an older version would mislead
    // kept once the learner has changed something: opening a copy alone keeps an older draft
    if (this.undoStack.length || this.redoStack.length) saveDraft(this.draftKey, this.doc);
    this.showRunnable();
    clearTimeout(this.checkTimer);
    this.checkTimer = setTimeout(() => this.check(), CHECK_AFTER_MS);
  }

  draw() {
    if (this.mode !== "edit") return;
    const problems = new Map();
    for (const problem of this.report?.problems ?? []) {
      const id = nodeOfPath(this.doc, problem.path);
      if (id) problems.set(id, [...(problems.get(id) ?? []), problem]);
    }
    this.emit("document", { document: this.doc, problems });
  }

  emit(name, detail) {
    this.root.dispatchEvent(new CustomEvent(`msglab:${name}`, { detail, bubbles: true }));
  }

  // ---- what the diagram and the panel ask for ----------------------------------------------

  edit({ op, id, ...detail }) {
    if (this.mode !== "edit") return;
    const node = nodeById(this.doc, id ?? detail.from);
    if (!node) return;
    if (op === "move") {
      this.commit(moveNode(this.doc, id, detail.x, detail.y), { panel: false });
    } else if (op === "nudge") {
      const { x, y } = node.position ?? { x: 500, y: 300 };
      const next = moveNode(this.doc, id, x + detail.dx, y + detail.dy);
      const at = nodeById(next, id).position;
      this.commit(next, { key: `nudge:${id}`, panel: false, said: `${labelOf(node)} at ${at.x}, ${at.y}` });
    } else if (op === "delete") {
      this.remove(id);
    } else if (op === "connect") {
      this.wire(detail.from, detail.to);
    } else if (op === "connect-menu") {
      this.select({ type: "node", id });
      this.emit("select", { type: "node", id });
      // selecting may have drawn the diagram again: open from the node as it is now
      this.openConnect(this.root.querySelector(`[data-node="${CSS.escape(id)}"]`));
    }
  }

  add(kind) {
    const { doc, id } = addNode(this.doc, kind);
    this.selected = id;
    const node = nodeById(doc, id);
    this.commit(doc, { said: `Added ${labelOf(node)}, selected, at ${node.position.x}, ${node.position.y}` });
    this.emit("select", { type: "node", id });
  }

  remove(id) {
    const node = nodeById(this.doc, id);
    if (!node) return;
    if (this.selected === id) this.selected = null;
    this.commit(deleteNode(this.doc, id), { said: `Deleted ${labelOf(node)}` });
    this.emit("select", null);
  }

  wire(from, to) {
    const result = connect(this.doc, from, to, { handler: this.handlers.get(from) });
    if (result.error) return this.refuse(`Not wired: ${result.error}.`);
    this.commit(result.doc, { said: `Wired: ${result.said}.` });
  }

  change(parts, value, key) {
    // a field being typed in keeps its form; a button that adds or removes a part redraws it
    this.commit(setPath(this.doc, parts, value), { key: key ?? null, panel: !key });
  }

  rename(id, from, to) {
    if (to === from) return null;
    if (!/^[A-Za-z][A-Za-z0-9_.]*$/.test(to)) {
      return "a message type starts with a letter, then letters, digits, '_' or '.'";
    }
    const next = renameHandler(this.doc, id, from, to);
    if (!next) return `it already handles ${to}`;
    if (this.handlers.get(id) === from) this.handlers.set(id, to);
    this.commit(next, { said: `Now handles ${to}` });
    return null;
  }

  select(detail) {
    if (this.mode !== "edit") return;
    const id = detail?.type === "node" ? detail.id : null;
    if (id === this.selected) return;
    this.selected = id;
    this.changed({ panel: true });
  }

  openConnect(anchor = this.part("connect")) {
    const from = nodeById(this.doc, this.selected);
    if (!from) return;
    const items = targets(this.doc, from.id)
      .filter((t) => !t.refused)
      .map((t) => ({ value: t.id, text: `${t.label} (${t.kind})` }));
    if (!items.length) {
      return this.refuse(`Nothing ${labelOf(from)} can be wired to yet: add a node first.`);
    }
    this.menu.open(anchor, {
      key: from.id,
      label: `Connect ${labelOf(from)} to`,
      items,
      choose: (to) => this.wire(from.id, to),
    });
  }

  key(event) {
    if (this.mode !== "edit" || event.defaultPrevented) return;
    const typing = event.target.closest?.("input, select, textarea, [contenteditable]");
    const ctrl = event.ctrlKey || event.metaKey;
    const key = event.key.toLowerCase();
    if (ctrl && key === "enter") this.run(); // from anywhere, typing included: the field's
    // change is already in the document, and Run waits for its check
    else if (ctrl && !typing && (key === "y" || (key === "z" && event.shiftKey))) this.redo();
    else if (ctrl && !typing && key === "z") this.undo();
    else if (!ctrl && !typing && event.key === "Delete" && this.selected) this.remove(this.selected);
    else return;
    event.preventDefault();
  }

  // ---- the engine's check --------------------------------------------------------------------

  async check() {
    const mine = ++this.checks;
    const doc = this.doc;
    const { status, body } = await post("/sim/check/", doc);
    if (mine !== this.checks) return; // a newer version is being checked
    this.checked = doc;
    this.report =
      status === 200
        ? body
        : { ok: false, problems: [{ path: "", message: "the check did not answer: offline?" }] };
    this.showProblems();
    this.panel.markProblems(this.report.problems ?? []);
    this.draw();
    this.showRunnable();
    if (this.runWhenChecked) {
      this.runWhenChecked = false;
      this.run();
    }
  }

  // Problems stop a run; warnings do not: the misuse checker explains them (editor-misuse.js).
  showProblems() {
    const { problems = [], warnings = [] } = this.report ?? {};
    const list = this.part("problems").querySelector("ul");
    list.replaceChildren(...problems.map((p) => this.problemItem(p, "problem")));
    const count = (n, word) => `${n} ${word}${n === 1 ? "" : "s"}`;
    const below = warnings.length
      ? ` ${count(warnings.length, "warning")}: see the misuse checker below.`
      : "";
    this.part("problems-count").textContent = problems.length
      ? `${count(problems.length, "problem")}.`
      : `No problems: the engine can run this.${below}`;
    this.misuse.show(this.report, this.checked);
  }

  // The misuse checker's fix button: the server makes the fixed document (POST /sim/fix/) and
  // it is committed like any edit, so Undo takes it back.
  async fix(warning, button) {
    const doc = this.checked;
    button.disabled = true;
    const { path, code, message } = warning;
    const asked = { document: doc, warning: { path, code, message } };
    const { status, body } = await post("/sim/fix/", asked);
    if (status !== 200) {
      button.disabled = false;
      return this.refuseWith("Not fixed", body.problems, status);
    }
    if (this.doc !== doc) return this.refuse("Not fixed: the topology changed meanwhile.");
    if (this.selected && !nodeById(body.document, this.selected)) {
      this.selected = null;
      this.emit("select", null);
    }
    this.commit(body.document, { said: `Done: ${body.label}. Undo takes it back.` });
    this.part("misuse").querySelector("h3").focus(); // the button goes with its warning
  }

  problemItem(problem, kind) {
    const item = document.createElement("li");
    item.className = `editor-problem editor-problem--${kind}`;
    const id = nodeOfPath(this.doc, problem.path);
    const node = id ? nodeById(this.doc, id) : null;
    const where = node ? `${labelOf(node)}: ` : "";
    const link = document.createElement("button");
    link.type = "button";
    link.className = "link";
    link.dataset.path = problem.path;
    link.textContent = `${kind === "warning" ? "Warning" : "Problem"} · ${where}${problem.message}`;
    const path = document.createElement("code");
    path.textContent = problem.path || "(the document)";
    item.append(link, " ", path);
    return item;
  }

  // A problem's link selects the node it is about and puts focus on the field it names.
  follow(event) {
    const link = event.target.closest("[data-path]");
    if (!link) return;
    const id = nodeOfPath(this.doc, link.dataset.path);
    this.selected = id;
    this.emit("select", id ? { type: "node", id } : null);
    this.panel.show(this.doc, this.selected, this.handlers.get(this.selected));
    this.panel.markProblems(this.report?.problems ?? []);
    this.panel.focusPath(link.dataset.path);
  }

  showRunnable() {
    const run = this.part("run");
    const fresh = this.checked === this.doc;
    const problems = fresh ? (this.report?.problems?.length ?? 0) : 0;
    const why = !fresh
      ? "Checking…"
      : problems
        ? `Cannot run yet: fix ${problems} problem${problems === 1 ? "" : "s"} first (see Problems).`
        : "Ready to run.";
    run.disabled = !fresh || problems > 0;
    this.part("run-why").textContent = why;
  }

  // ---- run, save, files ----------------------------------------------------------------------

  async run() {
    if (this.part("run").disabled) {
      // Ctrl+Enter before the check of the last change has answered: run once it has
      if (this.checked !== this.doc) this.runWhenChecked = true;
      else this.refuse(this.part("run-why").textContent);
      return;
    }
    const { status, body } = await post("/sim/run/", this.doc);
    if (status !== 201) return this.refuseWith("Cannot run", body.problems, status);
    this.setMode("run");
    this.runPanel.start(body.ws_url);
  }

  setMode(mode, { focus = true } = {}) {
    this.mode = mode;
    this.menu.close({ refocus: false });
    this.root.dataset.mode = mode;
    for (const element of this.root.querySelectorAll("[data-when]")) {
      element.hidden = element.dataset.when !== mode;
    }
    if (mode === "edit") this.runPanel.stop(); // the run is discarded
    this.emit("mode", { mode });
    if (mode === "edit") this.draw();
    if (focus) this.part(mode === "edit" ? "run" : "edit").focus();
  }

  async save() {
    const { status, body } = await post("/sim/save/", this.doc);
    if (status !== 201) return this.refuseWith("Not saved", body.problems, status);
    const link = document.createElement("a");
    link.href = body.path;
    link.textContent = body.url;
    const copy = document.createElement("button");
    copy.type = "button";
    copy.className = "editor-small";
    copy.textContent = "Copy link";
    copy.addEventListener("click", async () => {
      try {
        await navigator.clipboard.writeText(body.url);
        this.say("Link copied.");
      } catch {
        this.say("Copying was refused: select the link and copy it yourself.");
      }
    });
    this.part("share").replaceChildren("Saved. Share this link: ", link, " ", copy);
    this.say(`Saved as ${body.url}`);
  }

  async importFiles(source) {
    const file = source.files?.[0];
    if (source.value) source.value = ""; // the same file can be chosen again
    if (!file) return;
    const { data, problems } = await readFile(file);
    if (problems) return this.refuseWith(`${file.name} was not imported`, problems);
    const { status, body } = await post("/sim/check/", data);
    if (status !== 200 || !body.ok) {
      return this.refuseWith(`${file.name} was not imported`, body.problems, status);
    }
    const doc = structuredClone(data);
    for (const node of doc.nodes) node.position ??= body.layout[node.id];
    this.replace(doc, `Imported ${file.name}: ${doc.nodes.length} nodes.`);
  }

  // ---- words for the learner -----------------------------------------------------------------

  say(text) {
    this.part("refusal").replaceChildren();
    this.part("said").textContent = text;
  }

  refuse(text) {
    this.part("said").textContent = "";
    this.part("refusal").textContent = text;
  }

  refuseWith(title, problems = [], status = 400) {
    const list = document.createElement("ul");
    const found = problems?.length
      ? problems
      : [{ path: "", message: status === 0 ? "the server did not answer: offline?" : "refused" }];
    for (const { path, message } of found) {
      const item = document.createElement("li");
      item.textContent = path ? `${path}: ${message}` : message;
      list.append(item);
    }
    const heading = document.createElement("p");
    heading.textContent = `${title}:`;
    this.part("said").textContent = "";
    this.part("refusal").replaceChildren(heading, list);
  }
}

function restoreDraft(key) {
  try {
    const doc = JSON.parse(localStorage.getItem(key) ?? "null");
    return doc && Array.isArray(doc.nodes) ? doc : null;
  } catch {
    return null;
  }
}

function saveDraft(key, doc) {
  try {
    localStorage.setItem(key, JSON.stringify(doc));
  } catch {
    // private browsing or a full store: the editor works on, without the safety net
  }
}
