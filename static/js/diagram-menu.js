// The fault menu of a service node: an HTML menu over the diagram (an SVG <g> cannot hold
// buttons), opened by right-click, the ContextMenu key or Shift+F10. It follows the ARIA menu
// pattern: arrow keys move, Escape or Tab closes and gives focus back to the node.

export class FaultMenu {
  constructor(container, act) {
    this.container = container;
    this.act = act; // (nodeId, op) => void
    this.enabled = false;
    this.menu = null;
    this.view = null;
    this.outside = (event) => {
      if (!this.contains(event.target)) this.close();
    };
  }

  contains(element) {
    return Boolean(this.menu?.contains(element));
  }

  get openFor() {
    return this.menu ? this.view.id : null;
  }

  setEnabled(enabled) {
    this.enabled = enabled;
    for (const item of this.menu?.children ?? []) {
      item.setAttribute("aria-disabled", String(!enabled));
    }
  }

  open(view) {
    if (this.openFor === view.id) return; // the ContextMenu key also fires `contextmenu`
    this.close({ refocus: false });
    this.view = view;
    const menu = document.createElement("div");
    menu.className = "diagram-menu";
    menu.setAttribute("role", "menu");
    menu.setAttribute("aria-label", `Faults for ${view.label}`);
    const down = view.g.dataset.status === "down";
    const items = [
      down ? ["up", `Bring ${view.label} up`] : ["down", `Take ${view.label} down`],
      ["fail_next", `Make ${view.label} fail its next handling`],
    ];
    for (const [op, words] of items) {
      const item = document.createElement("button");
      item.type = "button";
      item.setAttribute("role", "menuitem");
      item.tabIndex = -1;
      item.dataset.op = op;
      item.textContent = words;
      menu.append(item);
    }
    menu.addEventListener("click", (event) => this.choose(event.target.closest("[data-op]")));
    menu.addEventListener("keydown", (event) => this.key(event));
    menu.addEventListener("focusout", (event) => {
      const to = event.relatedTarget;
      if (to && !menu.contains(to)) this.close({ refocus: false }); // the learner tabbed away
    });
    this.menu = menu;
    this.setEnabled(this.enabled);
    this.container.append(menu);
    this.place(view.g, menu);
    document.addEventListener("pointerdown", this.outside, true);
    menu.firstElementChild.focus();
  }

  // To the right of the node, or below it where the container has no room on the right.
  place(node, menu) {
    const box = this.container.getBoundingClientRect();
    const at = node.getBoundingClientRect();
    let [left, top] = [at.right - box.left + 8, at.top - box.top];
    if (left + menu.offsetWidth > box.width) {
      left = Math.min(at.left - box.left, box.width - menu.offsetWidth);
      top = at.bottom - box.top + 6;
    }
    menu.style.left = `${Math.max(0, left)}px`;
    menu.style.top = `${Math.max(0, top)}px`;
  }

  choose(item) {
    if (!item) return;
    const [id, op] = [this.view.id, item.dataset.op];
    this.close();
    if (this.enabled) this.act(id, op);
  }

  key(event) {
    const items = [...this.menu.children];
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
    const { menu, view } = this;
    this.menu = null;
    document.removeEventListener("pointerdown", this.outside, true);
    menu.remove();
    if (refocus && view.g.isConnected) view.g.focus();
  }
}
