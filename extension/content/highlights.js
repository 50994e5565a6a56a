// Page-wide highlight registry: each composer owns its ranges; one Highlight per
// severity is rebuilt from all of them. Nothing is written into the editor's DOM.

import { PAGE_HIGHLIGHT_NAMES } from "./ui/styles.js";

const owners = new Map();

function rebuild() {
  if (!globalThis.CSS?.highlights) return;
  for (const [severity, name] of Object.entries(PAGE_HIGHLIGHT_NAMES)) {
    const ranges = [];
    for (const items of owners.values()) {
      for (const item of items) if (item.severity === severity) ranges.push(item.range);
    }
    if (ranges.length === 0) CSS.highlights.delete(name);
    else CSS.highlights.set(name, new Highlight(...ranges));
  }
}

/** Replace `owner`'s highlighted ranges: [{severity, range}]. */
export function setHighlights(owner, items) {
  if (items.length === 0) owners.delete(owner);
  else owners.set(owner, items);
  rebuild();
}

export function clearHighlights(owner) {
  if (owners.delete(owner)) rebuild();
}
