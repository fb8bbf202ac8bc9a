// The editor's misuse checker: each warning of the engine's last check in plain words (what it
// is, why it matters), a link to the lesson that covers it, and, when the server offers one, a
// button that fixes it. The words come with the check's answer (simulator/misuse.py, one
// source for every page); a fix is asked of the server (`POST /sim/fix/`) and applied by the
// editor like any other change, so Undo takes it back. Every text goes in with textContent.

import { labelOf, nodeById, nodeOfPath } from "./editor-model.js";

export class MisusePanel {
  // `fix(warning, button)`: what a fix button does (editor.js asks the server and commits).
  constructor(root, { fix }) {
    this.root = root;
    this.list = root.querySelector("ul");
    this.count = root.querySelector("[data-editor=misuse-count]");
    this.fix = fix;
    this.warnings = [];
    this.list.addEventListener("click", (event) => {
      const button = event.target.closest("[data-fix]");
      if (button) this.fix(this.warnings[Number(button.dataset.fix)], button);
    });
  }

  // `report`: the check's answer for `doc` (null while the first check runs).
  show(report, doc) {
    this.warnings = report?.warnings ?? [];
    const items = this.warnings.map((warning, index) => this.item(warning, index, doc));
    this.list.replaceChildren(...items);
    const n = this.warnings.length;
    this.count.textContent = !report
      ? "Checking…"
      : !report.ok
        ? "Fix the problems above first: the checker reads a topology that runs."
        : n
          ? `${n} warning${n === 1 ? "" : "s"}: the topology runs, but ${n === 1 ? "this is" : "these are"} probably not what you meant.`
          : "No misuse found: commands, events and channels fit together.";
  }

  item(warning, index, doc) {
    const item = document.createElement("li");
    item.className = "misuse";
    item.dataset.code = warning.code;
    const title = document.createElement("strong");
    title.className = "misuse-title";
    title.textContent = warning.title ?? warning.code;
    const code = document.createElement("code");
    code.textContent = warning.code;
    item.append(line("misuse-head", title, " ", code));

    // the warning itself; like a problem's, it selects the node it is about
    const id = nodeOfPath(doc, warning.path);
    const node = id ? nodeById(doc, id) : null;
    const where = document.createElement("button");
    where.type = "button";
    where.className = "link";
    where.dataset.path = warning.path;
    where.textContent = `${node ? `${labelOf(node)}: ` : ""}${warning.what ?? warning.message}`;
    item.append(line("misuse-message", where));

    if (warning.explanation) item.append(line("misuse-explanation", warning.explanation));
    if (warning.why) {
      const label = document.createElement("strong");
      label.textContent = "Why it matters:";
      item.append(line("misuse-why", label, " ", warning.why));
    }
    const actions = line("misuse-actions");
    if (warning.lesson) {
      const link = document.createElement("a");
      link.href = warning.lesson.url;
      link.textContent = `Lesson: ${warning.lesson.title}`;
      actions.append(link);
    }
    if (warning.fix) {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "misuse-fix";
      button.dataset.fix = String(index);
      button.textContent = warning.fix.label;
      actions.append(button);
    }
    if (actions.childNodes.length) item.append(actions);
    return item;
  }
}

function line(className, ...parts) {
  const p = document.createElement("p");
  p.className = className;
  p.append(...parts);
  return p;
}
