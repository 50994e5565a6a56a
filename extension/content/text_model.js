// The composer's text as the agent sees it, and the way back from UTF-16 offsets
// to DOM positions. Rich editors (Quill, Draft.js) nest text several elements deep
// and keep one block element per line, so the text is rebuilt from the DOM instead
// of trusting innerText, and every text node remembers where it starts.
//
// Offsets are JS string indexes, i.e. UTF-16 code units: the same unit the agent
// uses for finding spans, so emoji before a match need no conversion.

const TEXT_NODE = 3;
const ELEMENT_NODE = 1;

const BLOCK_TAGS = new Set([
  "ADDRESS", "ARTICLE", "ASIDE", "BLOCKQUOTE", "DD", "DIV", "DL", "DT", "FIGCAPTION",
  "FIGURE", "FOOTER", "H1", "H2", "H3", "H4", "H5", "H6", "HEADER", "LI", "MAIN", "NAV",
  "OL", "P", "PRE", "SECTION", "TABLE", "TR", "UL",
]);
const SKIPPED_TAGS = new Set(["SCRIPT", "STYLE", "TEMPLATE", "NOSCRIPT"]);

function isBlock(node) {
  return node.nodeType === ELEMENT_NODE && BLOCK_TAGS.has(node.nodeName.toUpperCase());
}

function hasBlockDescendant(node) {
  for (const child of node.childNodes) {
    if (child.nodeType !== ELEMENT_NODE) continue;
    if (isBlock(child) || hasBlockDescendant(child)) return true;
  }
  return false;
}

// A <br> that ends its block is the editor's placeholder for an empty or
// trailing line; it adds no line of its own (as innerText treats it).
function isTrailingBreak(br) {
  let next = br.nextSibling;
  while (next) {
    if (next.nodeType === TEXT_NODE && next.data.length === 0) {
      next = next.nextSibling;
      continue;
    }
    return false;
  }
  const parent = br.parentNode;
  return parent == null || isBlock(parent) || isTrailingBreak(parent);
}

// Source formatting between block elements is not rendered and is not text.
function isInterBlockWhitespace(textNode) {
  if (!/^[ \t\n\r]+$/.test(textNode.data)) return false;
  const parent = textNode.parentNode;
  if (parent == null) return false;
  for (const sibling of parent.childNodes) if (isBlock(sibling)) return true;
  return false;
}

/**
 * Read an editor's text.
 * @returns {{text: string, segments: Array<{node: Node, start: number, end: number}>}}
 *   `segments` are the text nodes in document order with their [start, end) offsets.
 */
export function readComposer(root) {
  const segments = [];
  let text = "";
  let lines = 0;
  let lineOpen = false;

  const openLine = () => {
    if (lines > 0) text += "\n";
    lines += 1;
    lineOpen = true;
  };

  const visit = (node) => {
    if (node.nodeType === TEXT_NODE) {
      if (node.data.length === 0 || isInterBlockWhitespace(node)) return;
      if (!lineOpen) openLine();
      segments.push({ node, start: text.length, end: text.length + node.data.length });
      text += node.data;
      return;
    }
    if (node.nodeType !== ELEMENT_NODE) return;
    const tag = node.nodeName.toUpperCase();
    if (SKIPPED_TAGS.has(tag)) return;
    if (tag === "BR") {
      if (isTrailingBreak(node)) return;
      if (!lineOpen) openLine();
      text += "\n";
      return;
    }
    const block = isBlock(node);
    if (block) {
      lineOpen = false;
      if (!hasBlockDescendant(node)) openLine();
    }
    for (const child of node.childNodes) visit(child);
    if (block) lineOpen = false;
  };

  for (const child of root.childNodes) visit(child);
  return { text, segments };
}

/**
 * The DOM position of a text offset. `affinity` decides which side wins at a
 * boundary between two text nodes or on a line break: a range start belongs to
 * the following text, a range end to the preceding text.
 * @returns {{node: Node, offset: number} | null}
 */
export function pointAt(model, offset, affinity) {
  const { segments } = model;
  if (segments.length === 0) return null;
  if (affinity === "start") {
    for (const seg of segments) {
      if (seg.start <= offset && offset < seg.end) return { node: seg.node, offset: offset - seg.start };
      if (seg.start >= offset) return { node: seg.node, offset: 0 };
    }
    const last = segments[segments.length - 1];
    return { node: last.node, offset: last.end - last.start };
  }
  for (let i = segments.length - 1; i >= 0; i -= 1) {
    const seg = segments[i];
    if (seg.start < offset && offset <= seg.end) return { node: seg.node, offset: offset - seg.start };
    if (seg.end <= offset) return { node: seg.node, offset: seg.end - seg.start };
  }
  return { node: segments[0].node, offset: 0 };
}

/**
 * Start and end DOM positions for a [start, end) span, or null when the span does
 * not fit the text (a stale result for text that has since changed).
 */
export function spanPoints(model, start, end) {
  if (!(Number.isInteger(start) && Number.isInteger(end))) return null;
  if (start < 0 || end <= start || end > model.text.length) return null;
  const a = pointAt(model, start, "start");
  const b = pointAt(model, end, "end");
  if (a == null || b == null) return null;
  return { start: a, end: b };
}

/** A live DOM Range for a span; `doc` creates it (the editor's own document). */
export function rangeFor(model, start, end, doc) {
  const points = spanPoints(model, start, end);
  if (points == null) return null;
  const range = doc.createRange();
  range.setStart(points.start.node, points.start.offset);
  range.setEnd(points.end.node, points.end.offset);
  return range;
}

/** The text offset of a DOM caret position inside the editor, or null. */
export function offsetOf(model, node, offset) {
  for (const seg of model.segments) {
    if (seg.node === node) return seg.start + Math.min(offset, seg.end - seg.start);
  }
  if (node.nodeType === ELEMENT_NODE) {
    // Caret between elements: use the first text node at or after that child.
    const child = node.childNodes[offset] ?? null;
    if (child != null) {
      for (const seg of model.segments) {
        if (child === seg.node || (child.contains && child.contains(seg.node))) return seg.start;
      }
    }
  }
  return null;
}

/** Agent text: non-breaking spaces typed by contenteditable read as plain spaces (same length). */
export function agentText(model) {
  return model.text.replace(/\u00a0/g, " ");
}
