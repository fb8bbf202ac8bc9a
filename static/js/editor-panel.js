// The properties panel: a form for the selected node (or, with none selected, the topology's
// own fields). Every field has a label and a `data-path`, the JSON path the engine uses in its
// problems, so that a problem links to the field it is about. Typing changes the document
// through `change(parts, value, key)`, debounced by the editor; buttons that add or remove
// parts of the form go through `change` too and make the editor draw the panel again.
// User text only ever goes in through textContent and `value`.

import { KINDS, getPath, labelOf, nodeById, nodeIndex, pathString } from "./editor-model.js";

let fields = 0; // ids that tie labels to their fields

function h(tag, attrs = {}, ...children) {
  const element = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "text") element.textContent = value;
    else if (key in element && typeof value !== "string") element[key] = value;
    else element.setAttribute(key, value === true ? "" : value);
  }
  element.append(...children.filter((child) => child !== null && child !== undefined));
  return element;
}

export class PropertiesPanel {
  constructor(section, { change, rename, wireHandler }) {
    this.section = section;
    this.body = section.querySelector("[data-editor=properties-body]");
    this.heading = section.querySelector("h3");
    this.change = change; // (parts, value, key) => void: key merges keystrokes into one undo
    this.rename = rename; // (nodeId, from, to) => string | null: a refusal, or null when done
    this.wireHandler = wireHandler; // (nodeId, type) => void: where "Connect to…" puts emits
    this.doc = null;
    this.selected = null;
    this.handler = null; // the service handler new emits go to
  }

  // Draws the form again, keeping focus on the field that had it (found by its path).
  show(doc, selected, handler) {
    const focused = this.section.contains(document.activeElement)
      ? document.activeElement.dataset.focusKey
      : null;
    Object.assign(this, { doc, selected, handler });
    const node = selected ? nodeById(doc, selected) : null;
    this.heading.textContent = node ? `Properties of ${labelOf(node)}` : "Properties of the topology";
    this.body.replaceChildren(...(node ? this.nodeForm(node) : this.topologyForm()));
    if (focused) this.body.querySelector(`[data-focus-key="${CSS.escape(focused)}"]`)?.focus();
  }

  // The engine's problems, each under the field its path names (while that form is shown).
  markProblems(problems) {
    const byPath = new Map();
    for (const { path, message } of problems) byPath.set(path, [...(byPath.get(path) ?? []), message]);
    for (const input of this.body.querySelectorAll("[data-path]")) {
      const error = document.getElementById(`${input.id}-error`);
      if (!error || error.dataset.local) continue; // a field's own complaint (bad JSON) stays
      showError(input, error, byPath.get(input.dataset.path)?.join("; ") ?? null);
    }
  }

  focusPath(path) {
    const field =
      this.body.querySelector(`[data-path="${CSS.escape(path)}"]`) ??
      [...this.body.querySelectorAll("[data-path]")].find((f) => path.startsWith(f.dataset.path));
    (field ?? this.heading).focus();
    return Boolean(field);
  }

  // ---- fields --------------------------------------------------------------------------------

  field(label, parts, { type = "text", options = null, hint = null, parse = null, ...rest } = {}) {
    const id = `field-${++fields}`;
    const value = getPath(this.doc, parts);
    const path = pathString(parts);
    const common = { id, "data-path": path, "data-focus-key": path };
    let input;
    if (options) {
      input = h("select", common);
      for (const [optionValue, text] of options) {
        input.append(new Option(text, optionValue, false, optionValue === (value ?? "")));
      }
    } else if (type === "textarea") {
      input = h("textarea", { ...common, rows: 3, spellcheck: "false" });
      input.value = value === undefined ? "" : parse ? JSON.stringify(value, null, 2) : value;
    } else if (type === "checkbox") {
      input = h("input", { ...common, type, checked: Boolean(value) });
    } else {
      input = h("input", { ...common, type, ...rest });
      input.value = value ?? "";
    }
    const hintId = hint ? `${id}-hint` : null;
    const error = h("p", { class: "editor-field-error", id: `${id}-error`, hidden: true });
    if (hintId) input.setAttribute("aria-describedby", `${hintId} ${id}-error`);
    else input.setAttribute("aria-describedby", `${id}-error`);
    const read = () => {
      if (type === "checkbox") return input.checked || undefined;
      if (type === "number") return input.value === "" ? undefined : Number(input.value);
      return input.value === "" ? undefined : input.value;
    };
    input.addEventListener(type === "checkbox" || options ? "change" : "input", () => {
      let value = read();
      if (parse && value !== undefined) {
        try {
          value = parse(value);
        } catch (problem) {
          error.dataset.local = "true";
          return showError(input, error, problem.message);
        }
      }
      delete error.dataset.local;
      showError(input, error, null);
      this.change(parts, value, path);
    });
    const wrap = h("div", { class: `editor-field editor-field--${type}` });
    const labelElement = h("label", { for: id, text: label });
    if (type === "checkbox") wrap.append(input, labelElement);
    else wrap.append(labelElement, input);
    if (hint) wrap.append(h("p", { class: "editor-hint", id: hintId, text: hint }));
    wrap.append(error);
    return wrap;
  }

  number(label, parts, hint, extra = {}) {
    return this.field(label, parts, { type: "number", hint, step: "any", min: 0, ...extra });
  }

  kind(parts) {
    return this.field("Kind", parts, { options: KINDS.map((k) => [k, k]) });
  }

  // A select of the nodes a message can go to (by label), keeping a reference to a lost one.
  target(label, parts) {
    const current = getPath(this.doc, parts);
    const options = this.doc.nodes
      .filter((n) => n.kind !== "client")
      .map((n) => [n.id, `${labelOf(n)} (${n.kind})`]);
    if (current && !options.some(([id]) => id === current)) options.push([current, current]);
    return this.field(label, parts, { options });
  }

  button(text, onClick, attrs = {}) {
    const element = h("button", { type: "button", class: "editor-small", text, ...attrs });
    element.addEventListener("click", onClick);
    return element;
  }

  // ---- forms ---------------------------------------------------------------------------------

  topologyForm() {
    const hint = h("p", {
      class: "editor-hint",
      text:
        "Add services, queues, topics and clients, wire them (drag from a node's port, or " +
        "press C on it), give them behaviour here, then Run. Select a node to edit it; " +
        "these fields belong to the whole topology.",
    });
    return [
      hint,
      this.field("Name", ["name"], { required: true, maxlength: 80 }),
      this.field("Description", ["description"], { type: "textarea" }),
      this.number("Seed", ["seed"], "Same seed, same run: it decides every random draw.", {
        step: 1,
      }),
      this.number("Latency of each hop (ms)", ["latency_ms"], "Default: 10 ms."),
    ];
  }

  nodeForm(node) {
    const i = nodeIndex(this.doc, node.id);
    const at = (...parts) => ["nodes", i, ...parts];
    const id = h("p", { class: "editor-id" }, "Id ", h("code", { text: node.id }), ` · ${node.kind}`);
    const forms = {
      client: () => this.clientForm(node, at),
      service: () => this.serviceForm(node, at),
      queue: () => this.queueForm(at),
      topic: () => [],
    };
    return [
      id,
      this.field("Label", at("label"), { maxlength: 60 }),
      ...forms[node.kind](),
      this.number("Latency to this node (ms)", at("latency_ms"), "Empty: the topology's latency."),
    ];
  }

  clientForm(node, at) {
    const sends = node.sends ?? [];
    const parts = sends.map((send, j) => {
      const to = nodeById(this.doc, send.to);
      const box = h("fieldset", { class: "editor-group" });
      box.append(
        h("legend", { text: `Send ${j + 1}: ${send.message?.type ?? "?"} to ${to ? labelOf(to) : send.to}` }),
        this.field("Message type", at("sends", j, "message", "type")),
        this.kind(at("sends", j, "message", "kind")),
        this.target("To", at("sends", j, "to")),
        this.field("Payload (JSON object)", at("sends", j, "message", "payload"), {
          type: "textarea",
          parse: parseObject,
        }),
        this.number("At (ms)", at("sends", j, "at_ms"), "When the first one is sent."),
        this.number("Count", at("sends", j, "count"), "How many times (1 if empty).", {
          step: 1,
          min: 1,
        }),
        this.number("Every (ms)", at("sends", j, "every_ms"), "The interval between repeats."),
        this.button(`Remove send ${j + 1}`, () => this.change(at("sends", j), undefined)),
      );
      return box;
    });
    const first = this.doc.nodes.find((n) => n.kind !== "client");
    const add = this.button("Add send", () =>
      this.change(at("sends", sends.length), {
        to: first.id,
        message: { type: "NewCommand", kind: "command" },
      }),
    );
    add.disabled = !first;
    return [h("h4", { text: "Sends" }), ...parts, add];
  }

  // Its behaviour first (what it handles and sends), then how it takes part, then tuning.
  serviceForm(node, at) {
    const out = [h("h4", { text: "Handlers" })];
    const handles = Object.entries(node.handles ?? {});
    for (const [type, handler] of handles) out.push(this.handlerForm(node, at, type, handler));
    const fresh = (n = 1) => (`Message${n}` in (node.handles ?? {}) ? fresh(n + 1) : `Message${n}`);
    out.push(
      this.button("Add handler", () => this.change(at("handles", fresh()), {}), {
        "data-focus-key": "add-handler",
      }),
      ...this.channels(node, at, "consumes", "Consumes queues"),
      ...this.channels(node, at, "subscribes", "Subscribes to topics"),
      h("h4", { text: "Settings" }),
      this.number("Handling time (ms)", at("duration_ms"), "Default for its handlers: 10 ms."),
      this.number("Failure rate", at("failure_rate"), "0 to 1: the chance a handling fails.", {
        max: 1,
      }),
      this.field("Idempotent: skips messages it has handled before", at("idempotent"), {
        type: "checkbox",
      }),
      this.number("Concurrency", at("concurrency"), "Messages it handles at once (1 if empty).", {
        step: 1,
        min: 1,
        max: 64,
      }),
    );
    return out;
  }

  channels(node, at, list, title) {
    const ids = node[list] ?? [];
    if (!ids.length) return [];
    const items = ids.map((id, j) => {
      const channel = nodeById(this.doc, id);
      const name = channel ? labelOf(channel) : id;
      return h("li", {}, name, " ", this.button(`Remove ${name}`, () => this.change(at(list, j), undefined)));
    });
    return [h("h4", { text: title }), h("ul", { class: "editor-list" }, ...items)];
  }

  handlerForm(node, at, type, handler) {
    const box = h("fieldset", { class: "editor-group" });
    const here = (...parts) => at("handles", type, ...parts);
    const name = h("input", {
      id: `field-${++fields}`,
      value: type,
      "data-path": pathString(here()),
      "data-focus-key": `handler:${type}`,
      "aria-describedby": `field-${fields}-error`,
    });
    const nameError = h("p", { class: "editor-field-error", id: `field-${fields}-error`, hidden: true });
    name.addEventListener("change", () => {
      const refused = this.rename(node.id, type, name.value.trim());
      showError(name, nameError, refused);
    });
    const wires = h("input", {
      type: "radio",
      name: `wires-${node.id}`,
      id: `field-${++fields}`,
      checked: this.handler === type || (!this.handler && type === Object.keys(node.handles)[0]),
      "data-focus-key": `wires:${type}`,
    });
    wires.addEventListener("change", () => this.wireHandler(node.id, type));
    box.append(
      h("legend", { text: `On ${type}` }),
      h("div", { class: "editor-field" }, h("label", { for: name.id, text: "Message type handled" }), name, nameError),
      h("div", { class: "editor-field editor-field--checkbox" }, wires,
        h("label", { for: wires.id, text: "Connect to… adds its emits here" })),
      this.number("Handling time (ms)", here("duration_ms"), "Empty: the service's."),
      this.number("Failure rate", here("failure_rate"), "0 to 1; empty: the service's.", { max: 1 }),
      this.field("Reply type", here("reply", "type"), {
        hint: "Sent back to the sender (kind reply); empty: no reply.",
      }),
      ...this.emits(here("emit"), handler.emit ?? [], "Emits on success"),
      ...this.emits(here("on_failure", "emit"), handler.on_failure?.emit ?? [], "Emits on failure"),
      this.button(`Remove handler ${type}`, () => this.change(here(), undefined)),
    );
    return box;
  }

  emits(parts, emits, title) {
    const out = [h("h5", { text: title })];
    emits.forEach((emit, k) => {
      const to = nodeById(this.doc, emit.to);
      const box = h("fieldset", { class: "editor-group editor-group--emit" });
      box.append(
        h("legend", { text: `${emit.type} (${emit.kind}) to ${to ? labelOf(to) : emit.to}` }),
        this.field("Message type", [...parts, k, "type"]),
        this.kind([...parts, k, "kind"]),
        this.target("To", [...parts, k, "to"]),
        this.field("Payload to add (JSON object)", [...parts, k, "payload"], {
          type: "textarea",
          parse: parseObject,
        }),
        this.number("Delay (ms)", [...parts, k, "delay_ms"]),
        this.button(`Remove ${emit.type}`, () => this.change([...parts, k], undefined)),
      );
      out.push(box);
    });
    const first = this.doc.nodes.find((n) => n.kind !== "client");
    const add = this.button(`Add to ${title.toLowerCase()}`, () =>
      this.change([...parts, emits.length], { type: "NewEvent", kind: "event", to: first.id }),
    );
    add.disabled = !first;
    out.push(add);
    return out;
  }

  queueForm(at) {
    const queues = this.doc.nodes.filter((n) => n.kind === "queue" && n.id !== this.selected);
    return [
      this.number("Max deliveries", at("max_deliveries"), "Tries per message, the first one counted (5 if empty).", {
        step: 1,
        min: 1,
        max: 100,
      }),
      this.field("Dead-letter queue", at("dead_letter"), {
        options: [["", "none"], ...queues.map((q) => [q.id, labelOf(q)])],
        hint: "Where a message goes after its last failed delivery.",
      }),
      this.number("Duplicate rate", at("duplicate_rate"), "0 to 1: the chance it delivers a message twice.", {
        max: 1,
      }),
    ];
  }
}

function parseObject(text) {
  let value;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new Error(`not JSON: ${error.message}`);
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new Error("must be a JSON object, like {\"orderId\": \"A1\"}");
  }
  return value;
}

function showError(input, error, message) {
  error.hidden = !message;
  error.textContent = message ?? "";
  if (message) input.setAttribute("aria-invalid", "true");
  else input.removeAttribute("aria-invalid");
}
