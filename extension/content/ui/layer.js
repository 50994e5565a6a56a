// One shadow-DOM layer per page for everything PostGuard draws (pills, cards, the
// gate dialog, the live region). It hangs off <html>, outside the site's app root,
// so React/Draft.js/Quill never see a foreign node in their trees.

import { UI_CSS } from "./styles.js";

let layer = null;

// Events a site's focus trap (react-native-web's modal, focus-trap and the like) listens
// for to pull focus back into its dialog. PostGuard's UI lives in its own shadow root,
// outside the site's dialog, so the site must not see focus arrive there: at window
// capture, before any listener of the page, these events stop when they come from
// inside a PostGuard layer. Nothing of PostGuard's listens for them.
const FOCUS_EVENTS = ["focus", "focusin"];
// Keys and text typed into PostGuard's own fields are not the site's: its shortcuts
// (X's "n" for a new post) must not fire. They stop at the layer's host, on the way out.
const TYPING_EVENTS = ["keydown", "keyup", "keypress", "beforeinput", "input", "paste", "cut", "copy"];
let guarded = false;

/** True when `event` started inside one of PostGuard's layers. */
export function fromLayer(event) {
  const first = event.composedPath?.()[0];
  const root = first?.getRootNode?.();
  return root != null && root !== document && root.host?.localName === "postguard-ui";
}

function guardFocus() {
  if (guarded) return;
  guarded = true;
  for (const type of FOCUS_EVENTS) {
    window.addEventListener(
      type,
      (event) => {
        if (fromLayer(event)) event.stopImmediatePropagation();
      },
      true,
    );
  }
}

function buildLayer(parent) {
  guardFocus();
  const host = document.createElement("postguard-ui");
  host.setAttribute("data-postguard", "");
  // The site's CSS may reach the host (inside a site dialog, say); keep it inert.
  host.style.setProperty("all", "initial", "important");
  const shadow = host.attachShadow({ mode: "open" });
  const sheet = new CSSStyleSheet();
  sheet.replaceSync(UI_CSS);
  shadow.adoptedStyleSheets = [sheet];
  const root = document.createElement("div");
  root.className = "layer";
  const live = document.createElement("div");
  live.className = "sr-only";
  live.setAttribute("aria-live", "polite");
  live.setAttribute("role", "status");
  const alert = document.createElement("div");
  alert.className = "sr-only";
  alert.setAttribute("aria-live", "assertive");
  root.append(live, alert);
  shadow.append(root);
  for (const type of TYPING_EVENTS) {
    host.addEventListener(type, (event) => {
      if (fromLayer(event)) event.stopPropagation();
    });
  }
  parent.append(host);
  return {
    host,
    shadow,
    root,
    /** Screen-reader announcement; `urgent` interrupts (used for blocking findings). */
    announce(text, urgent = false) {
      const region = urgent ? alert : live;
      // Clearing first makes a repeated message be read again.
      region.textContent = "";
      setTimeout(() => (region.textContent = text), 30);
    },
    dispose() {},
  };
}

export function getLayer() {
  if (layer && layer.host.isConnected) return layer;
  layer = buildLayer(document.documentElement);
  return layer;
}

/**
 * Where a dialog about the composer at `anchor` is drawn. Inside a site's modal
 * dialog, a layer of its own inside that dialog: the site's focus trap then counts
 * PostGuard's fields as its own and lets them be typed into, and the site's
 * aria-modal does not hide them from screen readers. Elsewhere, the page's layer.
 */
export function dialogLayer(anchor) {
  const modal = anchor?.closest?.('[aria-modal="true"], [role="dialog"]');
  if (modal == null) return getLayer();
  const own = buildLayer(modal);
  own.dispose = () => own.host.remove();
  return own;
}

// How many dialogs hold the page's layer out of sight (only where there is no top layer).
let asideCount = 0;

function pageLayerAside(aside) {
  asideCount += aside ? 1 : -1;
  if (layer == null) return;
  // Not the `hidden` attribute: the host's inline `all: initial !important` outranks the
  // browser's `[hidden] { display: none }`, so the host would stay on show.
  layer.host.style.setProperty("display", asideCount > 0 ? "none" : "initial", "important");
}

/**
 * Shows `node` (a full-viewport backdrop) in `owner`'s layer, above everything on the
 * page, PostGuard's own pills and cards included; returns what takes it down again.
 *
 * A layer inside a site's dialog lives in that dialog's stacking context (its fixed
 * overlay makes one), so no z-index of ours can lift the backdrop over the page's layer
 * hanging off <html>, or over the site's other stacking contexts; a transformed or
 * clipping ancestor would also box it in. The browser's top layer, where a shown popover
 * is drawn, sits above all of them whatever the DOM position, and the node stays where
 * it is in the DOM, so the site's focus trap still counts it as the site dialog's own.
 * Chrome before 114 has no popovers: there the page's layer steps aside instead while
 * a dialog in another layer is open.
 */
export function showAbove(owner, node) {
  owner.root.append(node);
  if (typeof node.showPopover === "function") {
    // "manual": no light dismiss and no Esc of the browser's; the dialog decides.
    node.setAttribute("popover", "manual");
    node.showPopover();
    return () => node.remove();
  }
  const aside = owner !== layer;
  if (aside) pageLayerAside(true);
  let shown = true;
  return () => {
    node.remove();
    if (aside && shown) pageLayerAside(false);
    shown = false;
  };
}

/** A small element factory: el("button", {class: "x", onclick}, "label", child). */
export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value == null || value === false) continue;
    if (key.startsWith("on") && typeof value === "function") node.addEventListener(key.slice(2), value);
    else if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child == null || child === false) continue;
    node.append(typeof child === "string" ? document.createTextNode(child) : child);
  }
  return node;
}
