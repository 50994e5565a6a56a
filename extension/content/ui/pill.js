// The status pill beside a composer's Post button: clean / N warnings / blocked /
// agent offline / not paired. Clicking it shows the first finding.

import { el, getLayer } from "./layer.js";

export class StatusPill {
  #node;
  #label;

  constructor({ onActivate }) {
    this.#label = el("span", { class: "label" });
    this.#node = el(
      "button",
      { class: "pill", type: "button", hidden: true, "data-kind": "checking" },
      el("img", { class: "logo", src: chrome.runtime.getURL("icons/icon16.png"), alt: "", width: 14, height: 14 }),
      el("span", { class: "dot", "aria-hidden": "true" }),
      this.#label,
    );
    this.#node.addEventListener("click", onActivate);
    getLayer().root.append(this.#node);
  }

  get node() {
    return this.#node;
  }

  set({ kind, label, detail }) {
    this.#node.dataset.kind = kind;
    this.#label.textContent = label;
    // The detail stays out of the pill, which must not crowd the site's toolbar; it is
    // in the tooltip and the accessible name.
    const full = `PostGuard: ${label}${detail ? `. ${detail}` : ""}`;
    this.#node.title = full;
    this.#node.setAttribute("aria-label", full);
  }

  /**
   * Sit beside the Post button, on whichever side has room, vertically centred on
   * it; without a button, at the editor's bottom-right corner.
   */
  place(editorRect, buttonRect, visible) {
    const node = this.#node;
    node.hidden = !visible || editorRect.width === 0;
    if (node.hidden) return;
    const width = node.offsetWidth;
    const height = node.offsetHeight || 26;
    let left;
    let top;
    if (buttonRect && buttonRect.width > 0) {
      top = buttonRect.top + (buttonRect.height - height) / 2;
      const roomLeft = buttonRect.left - width - 10;
      left = roomLeft >= Math.max(8, editorRect.left - 40) ? roomLeft : buttonRect.right + 10;
    } else {
      top = editorRect.bottom - height - 6;
      left = editorRect.right - width - 6;
    }
    node.style.left = `${Math.max(4, Math.min(left, window.innerWidth - width - 4))}px`;
    node.style.top = `${Math.max(4, top)}px`;
  }

  remove() {
    this.#node.remove();
  }
}
