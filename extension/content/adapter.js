// Finds composers on a page and describes each one: its editor, what kind of
// composer it is, and its Post/Reply button. Pure DOM queries over the selector
// table, so the unit tests run them against the saved fixtures.

import { SELECTORS } from "./selectors.js";

// How far up from an editor the composer container may be; deeper means drift.
const MAX_CONTAINER_DEPTH = 25;

function closestWithin(el, selector, depth) {
  let node = el.parentElement ?? el.parentNode;
  for (let i = 0; node != null && i < depth; i += 1) {
    if (node.nodeType === 1 && node.matches(selector)) return node;
    node = node.parentElement ?? node.parentNode;
  }
  return null;
}

const KIND = {
  linkedin(sel, editor, container) {
    return container.matches(sel.comment) || editor.closest(sel.comment) ? "comment" : "post";
  },
  x(sel, editor, container, button) {
    if (container.querySelector(sel.quote)) return "quote";
    const label = (button.textContent ?? "").trim().toLowerCase();
    if (container.querySelector(sel.reply) || label === "reply") return "reply";
    return "post";
  },
};

/**
 * @param {"linkedin"|"x"} site
 */
export function createAdapter(site) {
  const sel = SELECTORS[site];
  if (sel == null) throw new Error(`no selectors for site ${site}`);
  return {
    site,
    platform: site,
    selectors: sel,

    /** Every editor under `root` (a Document or Element). */
    findEditors(root) {
      return Array.from(root.querySelectorAll(sel.editor));
    },

    isEditor(el) {
      return el.nodeType === 1 && el.matches(sel.editor);
    },

    /** An editable region that looks like a composer but matches no editor selector. */
    isUnknownEditable(el) {
      return el.nodeType === 1 && el.matches(sel.anyEditable) && !el.matches(sel.editor);
    },

    /**
     * The composer around an editor: `{kind, container, postButton}`, or
     * `{drift}` naming the selector that no longer matches.
     */
    describe(editor) {
      const container = closestWithin(editor, sel.container, MAX_CONTAINER_DEPTH);
      if (container == null) return { drift: "container" };
      const postButton = container.querySelector(sel.postButton);
      if (postButton == null) return { drift: "postButton" };
      return { kind: KIND[site](sel, editor, container, postButton), container, postButton };
    },
  };
}
