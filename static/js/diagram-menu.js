// Menus over the page: an HTML list of menu items (an SVG <g> cannot hold buttons) that
// follows the ARIA menu pattern: arrow keys, Home and End move, Enter chooses, Escape or Tab
// closes and gives focus back to what opened it. The diagram's fault menu and the editor's
// "Connect to…" are both one.

export class Menu {
  constructor(container) {
    this.container = container;
    this.menu = null;
    this.anchor = null; // what opened it, and gets focus back
    this.key = null; // what it is open for
    this.choose = null;
    this.outside = (event) => {
      if (!this.contains(event.target) && !this.anchor?.contains(event.target)) this.close();
    };
  }

  contains(element) {
    return Boolean(this.menu?.contains(element));
  }

  get items() {
    return [...(this.menu?.querySelectorAll("[role=menuitem]") ?? [])];
  }

  // items: [{ value, text, disabled? }]; choose(value) is called with the chosen item's value.
  open(anchor, { key, label, items, choose }) {
    this.close({ refocus: false });
    Object.assign(this, { anchor, key, choose });
    const menu = document.createElement("div");
    menu.className = "diagram-menu";
    menu.setAttribute("role", "menu");
    menu.setAttribute("aria-label", label);
    for (const { value, text, disabled = false } of items) {
      const item = document.createElement("button");
      item.type = "button";
      item.setAttribute("role", "menuitem");
      item.setAttribute("aria-disabled", String(disabled));
      item.tabIndex = -1;
      item.dataset.value = value;
      item.textContent = text;
      menu.append(item);
    }
    menu.addEventListener("click", (event) => this.pick(event.target.closest("[data-value]")));
    menu.addEventListener("keydown", (event) => this.keydown(event));
    menu.addEventListener("focusout", (event) => {
      const to = event.relatedTarget;
      if (to && !menu.contains(to)) this.close({ refocus: false }); // the learner tabbed away
    });
    this.menu = menu;
    this.container.append(menu);
    this.place(anchor, menu);
    document.addEventListener("pointerdown", this.outside, true);
    this.items[0]?.focus();
    anchor.setAttribute?.("aria-expanded", "true");
  }

  // To the right of the anchor, or below it where the container has no room on the right.
  place(anchor, menu) {
    const box = this.container.getBoundingClientRect();
    const at = anchor.getBoundingClientRect();
    let [left, top] = [at.right - box.left + 8, at.top - box.top];
    if (left + menu.offsetWidth > box.width) {
      left = Math.min(at.left - box.left, box.width - menu.offsetWidth);
      top = at.bottom - box.top + 6;
    }
    menu.style.left = `${Math.max(0, left)}px`;
    menu.style.top = `${Math.max(0, top)}px`;
  }

  pick(item) {
    if (!item || item.getAttribute("aria-disabled") === "true") return;
    const [choose, value] = [this.choose, item.dataset.value];
    this.close();
    choose(value);
  }

  keydown(event) {
    const items = this.items;
    const at = items.indexOf(document.activeElement);
    const move = { ArrowDown: at + 1, ArrowUp: at - 1, Home: 0, End: items.length - 1 }[event.key];
    if (move !== undefined) {
      items[(move + items.length) % items.length].focus();
    } else if (event.key === "Escape" || event.key === "Tab") {
      this.close();
    } else return;
    event.preventDefault();
    event.stopPropagation(); // the page's own shortcuts must not see keys meant for the menu
  }

  close({ refocus = true } = {}) {
    if (!this.menu) return;
    const { menu, anchor } = this;
    this.menu = null;
    this.key = null;
    document.removeEventListener("pointerdown", this.outside, true);
    menu.remove();
    anchor?.setAttribute?.("aria-expanded", "false");
    if (refocus && anchor?.isConnected) anchor.focus();
  }
}

// The fault menu of a service node, opened by right-click, the ContextMenu key or Shift+F10.
export class FaultMenu {
  constructor(container, act) {
    this.menu = new Menu(container);
    this.act = act; // (nodeId, op) => void
    this.enabled = false;
  }

  contains(element) {
    return this.menu.contains(element);
  }

  get openFor() {
    return this.menu.key;
  }

  setEnabled(enabled) {
    this.enabled = enabled;
    for (const item of this.menu.items) item.setAttribute("aria-disabled", String(!enabled));
  }

  open(view) {
    if (this.openFor === view.id) return; // the ContextMenu key also fires `contextmenu`
    const down = view.g.dataset.status === "down";
    const items = [
      down
        ? { value: "up", text: `Bring ${view.label} up` }
        : { value: "down", text: `Take ${view.label} down` },
      { value: "fail_next", text: `Make ${view.label} fail its next handling` },
    ].map((item) => ({ ...item, disabled: !this.enabled }));
    this.menu.open(view.g, {
      key: view.id,
      label: `Faults for ${view.label}`,
      items,
      choose: (op) => this.act(view.id, op),
    });
  }

  close(options) {
    this.menu.close(options);
  }
}
