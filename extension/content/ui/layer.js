// One shadow-DOM layer per page for everything PostGuard draws (pills, cards, the
// gate dialog, the live region). It hangs off <html>, outside the site's app root,
// so React/Draft.js/Quill never see a foreign node in their trees.

import { UI_CSS } from "./styles.js";

let layer = null;

export function getLayer() {
  if (layer && layer.host.isConnected) return layer;
  const host = document.createElement("postguard-ui");
  host.setAttribute("data-postguard", "");
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
  document.documentElement.append(host);
  layer = {
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
  };
  return layer;
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
