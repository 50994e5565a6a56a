// Finds composers on a page and describes each one: its editor, what kind of
// composer it is, and its Post/Reply/Comment button. Structure first: an editor is
// an editable multi-line textbox; its submit button is the nearest button after it,
// inside the same composer, whose test id or accessible name says it publishes;
// class names are the last resort. Pure DOM queries, so the unit tests run them on
// markup taken from the sites.

import { BUTTON, EDITABLE, SELECTORS } from "./selectors.js";

// How far up from an editor its composer may reach; deeper means another part of the page.
const MAX_CONTAINER_DEPTH = 25;
// Elements that bound a composer: its submit button is never outside the nearest one.
const BOUNDARY = 'form, [role="dialog"], [aria-modal="true"], article, [role="article"], main, [role="main"], body';
const FOLLOWING = 4; // Node.DOCUMENT_POSITION_FOLLOWING

/** The accessible name a person (or screen reader) knows a button by, lower-cased. */
export function accessibleName(el) {
  const label = el.getAttribute("aria-label");
  const text = label != null && label.trim() !== "" ? label : el.textContent ?? "";
  return text.replace(/\s+/g, " ").trim().toLowerCase();
}

function follows(editor, node) {
  return typeof editor.compareDocumentPosition !== "function" || (editor.compareDocumentPosition(node) & FOLLOWING) !== 0;
}

/**
 * @param {"linkedin"|"x"} site
 */
export function createAdapter(site) {
  const sel = SELECTORS[site];
  if (sel == null) throw new Error(`no selectors for site ${site}`);

  const isEditor = (el) => {
    if (el == null || el.nodeType !== 1 || !el.matches(EDITABLE)) return false;
    const textbox = el.getAttribute("role") === "textbox" || el.getAttribute("aria-multiline") === "true";
    if (!textbox && !el.matches(sel.editorHints)) return false;
    // The outermost editable is the editor; editables inside it are its own parts.
    if (el.parentElement?.closest(EDITABLE) != null) return false;
    return el.closest(sel.notComposer) == null;
  };

  // The publishing button among `node`'s buttons after the editor, best evidence first.
  const submitIn = (node, editor) => {
    const buttons = Array.from(node.querySelectorAll(BUTTON)).filter(
      (b) => !editor.contains(b) && follows(editor, b),
    );
    if (buttons.length === 0) return null;
    if (sel.submitTestIds) {
      const byId = buttons.find((b) => b.matches(sel.submitTestIds));
      if (byId) return byId;
    }
    const byName = buttons.find((b) => sel.submitNames.includes(accessibleName(b)));
    if (byName) return byName;
    return sel.submitClasses ? buttons.find((b) => b.matches(sel.submitClasses)) ?? null : null;
  };

  const kindOf = (editor, container, button) => {
    const name = accessibleName(button);
    if (site === "x") {
      const quoted = Array.from(container.querySelectorAll(sel.quoted)).some((q) => !editor.contains(q));
      if (quoted) return "quote";
      return sel.commentNames.includes(name) ? "reply" : "post";
    }
    return sel.commentNames.includes(name) || editor.closest("form") != null ? "comment" : "post";
  };

  return {
    site,
    platform: site,
    selectors: sel,

    /** Every editor under `root` (a Document or Element). */
    findEditors(root) {
      return Array.from(root.querySelectorAll(EDITABLE)).filter(isEditor);
    },

    isEditor,

    /** An editable region a person can type into that PostGuard does not treat as a composer. */
    isUnknownEditable(el) {
      return el.nodeType === 1 && el.matches('[contenteditable="true"][role="textbox"]') && !isEditor(el) && el.closest(sel.notComposer) == null;
    },

    /**
     * The composer around an editor: `{kind, container, postButton}`; or, when no
     * submit button is found, `{drift: "postButton", form}` with the editor's form
     * (if any), so the gate can still hold Ctrl/Cmd+Enter and the form's submit.
     */
    describe(editor) {
      let node = editor.parentElement;
      for (let depth = 0; node != null && depth < MAX_CONTAINER_DEPTH; depth += 1) {
        // Another composer's editor in here means this ancestor is wider than ours.
        const others = this.findEditors(node).filter((e) => e !== editor && !e.contains(editor) && !editor.contains(e));
        if (others.length > 0) break;
        const button = submitIn(node, editor);
        if (button) return { kind: kindOf(editor, node, button), container: node, postButton: button };
        if (node.matches(BOUNDARY)) break;
        node = node.parentElement;
      }
      return { drift: "postButton", form: editor.closest("form") };
    },
  };
}
