// A small DOM for unit tests: enough of Node/Element/Text, an HTML parser for our
// well-formed fixtures, and querySelector over simple selectors (compound
// "tag.class[attr=value]", descendant combinators, comma lists). Anything beyond
// that throws, so selectors.js stays within what the fixtures can verify.

const VOID = new Set(["area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"]);
const RAW_TEXT = new Set(["script", "style", "textarea", "title"]);
const ENTITIES = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", nbsp: "\u00a0", hellip: "…", middot: "·" };

function decode(text) {
  return text.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (whole, name) => {
    if (name[0] === "#") {
      const code = name[1] === "x" || name[1] === "X" ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
      return String.fromCodePoint(code);
    }
    return ENTITIES[name.toLowerCase()] ?? whole;
  });
}

class Node {
  constructor(nodeType, nodeName) {
    this.nodeType = nodeType;
    this.nodeName = nodeName;
    this.parentNode = null;
    this.childNodes = [];
  }
  get parentElement() {
    return this.parentNode && this.parentNode.nodeType === 1 ? this.parentNode : null;
  }
  get nextSibling() {
    if (!this.parentNode) return null;
    const siblings = this.parentNode.childNodes;
    return siblings[siblings.indexOf(this) + 1] ?? null;
  }
  get previousSibling() {
    if (!this.parentNode) return null;
    const siblings = this.parentNode.childNodes;
    return siblings[siblings.indexOf(this) - 1] ?? null;
  }
  get firstChild() {
    return this.childNodes[0] ?? null;
  }
  appendChild(child) {
    if (child.parentNode) child.parentNode.removeChild(child);
    child.parentNode = this;
    this.childNodes.push(child);
    return child;
  }
  removeChild(child) {
    this.childNodes.splice(this.childNodes.indexOf(child), 1);
    child.parentNode = null;
    return child;
  }
  contains(other) {
    for (let node = other; node; node = node.parentNode) if (node === this) return true;
    return false;
  }
  /** Only DOCUMENT_POSITION_FOLLOWING (4) / PRECEDING (2), for nodes in one tree. */
  compareDocumentPosition(other) {
    let root = this;
    while (root.parentNode) root = root.parentNode;
    const order = [];
    const walk = (node) => {
      order.push(node);
      for (const child of node.childNodes) walk(child);
    };
    walk(root);
    const a = order.indexOf(this);
    const b = order.indexOf(other);
    if (b < 0 || a === b) return 0;
    return b > a ? 4 : 2;
  }
  get textContent() {
    if (this.nodeType === 3) return this.data;
    return this.childNodes.map((c) => (c.nodeType === 8 ? "" : c.textContent)).join("");
  }
}

export class Text extends Node {
  constructor(data) {
    super(3, "#text");
    this.data = data;
  }
  get nodeValue() {
    return this.data;
  }
}

class Comment extends Node {
  constructor(data) {
    super(8, "#comment");
    this.data = data;
  }
}

export class Element extends Node {
  constructor(tag) {
    super(1, tag.toUpperCase());
    this.localName = tag.toLowerCase();
    this.attributes = new Map();
  }
  get tagName() {
    return this.nodeName;
  }
  getAttribute(name) {
    return this.attributes.has(name) ? this.attributes.get(name) : null;
  }
  setAttribute(name, value) {
    this.attributes.set(name, String(value));
  }
  hasAttribute(name) {
    return this.attributes.has(name);
  }
  get id() {
    return this.getAttribute("id") ?? "";
  }
  get classList() {
    const value = this.getAttribute("class") ?? "";
    return value.split(/\s+/).filter(Boolean);
  }
  get children() {
    return this.childNodes.filter((c) => c.nodeType === 1);
  }
  matches(selector) {
    return parseSelector(selector).some((complex) => matchComplex(this, complex));
  }
  closest(selector) {
    const groups = parseSelector(selector);
    for (let node = this; node && node.nodeType === 1; node = node.parentNode) {
      if (groups.some((complex) => matchComplex(node, complex))) return node;
    }
    return null;
  }
  querySelectorAll(selector) {
    const groups = parseSelector(selector);
    const out = [];
    const walk = (node) => {
      for (const child of node.childNodes) {
        if (child.nodeType !== 1) continue;
        if (groups.some((complex) => matchComplex(child, complex))) out.push(child);
        walk(child);
      }
    };
    walk(this);
    return out;
  }
  querySelector(selector) {
    return this.querySelectorAll(selector)[0] ?? null;
  }
}

export class Document extends Element {
  constructor() {
    super("#document");
    this.nodeType = 9;
    this.nodeName = "#document";
  }
  createTextNode(data) {
    return new Text(data);
  }
  createElement(tag) {
    return new Element(tag);
  }
  createRange() {
    return new Range();
  }
  get body() {
    return this.querySelector("body");
  }
}

/** Just the boundary points; the code under test only sets them. */
export class Range {
  setStart(node, offset) {
    this.startContainer = node;
    this.startOffset = offset;
  }
  setEnd(node, offset) {
    this.endContainer = node;
    this.endOffset = offset;
  }
  toString() {
    if (this.startContainer === this.endContainer) {
      return this.startContainer.data.slice(this.startOffset, this.endOffset);
    }
    // Text nodes between the two boundaries, in document order.
    const root = topOf(this.startContainer);
    const texts = [];
    const walk = (node) => {
      if (node.nodeType === 3) texts.push(node);
      for (const child of node.childNodes) walk(child);
    };
    walk(root);
    const from = texts.indexOf(this.startContainer);
    const to = texts.indexOf(this.endContainer);
    let out = this.startContainer.data.slice(this.startOffset);
    for (let i = from + 1; i < to; i += 1) out += texts[i].data;
    return out + this.endContainer.data.slice(0, this.endOffset);
  }
}

function topOf(node) {
  while (node.parentNode) node = node.parentNode;
  return node;
}

// --- selectors -------------------------------------------------------------

const cache = new Map();

function parseCompound(text, whole) {
  const compound = { tag: null, classes: [], attrs: [] };
  const re = /^([a-zA-Z][a-zA-Z0-9-]*|\*)?/;
  let rest = text;
  const tag = re.exec(rest)[0];
  if (tag && tag !== "*") compound.tag = tag.toUpperCase();
  rest = rest.slice(tag.length);
  while (rest.length) {
    let m;
    if ((m = /^\.([\w-]+)/.exec(rest))) {
      compound.classes.push(m[1]);
    } else if ((m = /^\[([\w-]+)(?:=(?:"([^"]*)"|'([^']*)'|([\w-]+)))?\]/.exec(rest))) {
      compound.attrs.push({ name: m[1], value: m[2] ?? m[3] ?? m[4] ?? null });
    } else if ((m = /^#([\w-]+)/.exec(rest))) {
      compound.attrs.push({ name: "id", value: m[1] });
    } else {
      throw new Error(`dom_shim: unsupported selector syntax "${rest}" in "${whole}"`);
    }
    rest = rest.slice(m[0].length);
  }
  return compound;
}

function splitOutsideQuotes(text, separator) {
  const parts = [];
  let current = "";
  let quote = null;
  for (const ch of text) {
    if (quote) {
      if (ch === quote) quote = null;
      current += ch;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      current += ch;
    } else if (separator.test(ch)) {
      parts.push(current);
      current = "";
    } else {
      current += ch;
    }
  }
  parts.push(current);
  return parts;
}

export function parseSelector(selector) {
  if (cache.has(selector)) return cache.get(selector);
  if (/[>+~:]/.test(selector.replace(/"[^"]*"|'[^']*'/g, ""))) {
    throw new Error(`dom_shim: unsupported selector syntax in "${selector}"`);
  }
  const groups = splitOutsideQuotes(selector, /,/).map((group) => {
    const compounds = splitOutsideQuotes(group.trim(), /\s/).filter(Boolean);
    if (compounds.length === 0) throw new Error(`dom_shim: empty selector in "${selector}"`);
    return compounds.map((c) => parseCompound(c, selector));
  });
  cache.set(selector, groups);
  return groups;
}

function matchCompound(el, compound) {
  if (compound.tag && el.nodeName !== compound.tag) return false;
  const classes = el.classList;
  if (!compound.classes.every((c) => classes.includes(c))) return false;
  return compound.attrs.every(({ name, value }) =>
    value == null ? el.hasAttribute(name) : el.getAttribute(name) === value,
  );
}

function matchComplex(el, compounds) {
  let i = compounds.length - 1;
  if (!matchCompound(el, compounds[i])) return false;
  let node = el.parentNode;
  i -= 1;
  while (i >= 0 && node && node.nodeType === 1) {
    if (matchCompound(node, compounds[i])) i -= 1;
    node = node.parentNode;
  }
  return i < 0;
}

// --- parser -----------------------------------------------------------------

/** Parse well-formed HTML into a Document. Throws on mismatched closing tags. */
export function parseHTML(html) {
  const doc = new Document();
  const stack = [doc];
  const top = () => stack[stack.length - 1];
  let i = 0;
  while (i < html.length) {
    if (html.startsWith("<!--", i)) {
      const end = html.indexOf("-->", i + 4);
      top().appendChild(new Comment(html.slice(i + 4, end)));
      i = end + 3;
    } else if (html.startsWith("<!", i)) {
      i = html.indexOf(">", i) + 1;
    } else if (html.startsWith("</", i)) {
      const end = html.indexOf(">", i);
      const tag = html.slice(i + 2, end).trim().toLowerCase();
      const open = stack.pop();
      if (!open || open.localName !== tag) {
        throw new Error(`dom_shim: </${tag}> closes <${open?.localName}> at ${i}`);
      }
      i = end + 1;
    } else if (html[i] === "<" && /[a-zA-Z]/.test(html[i + 1] ?? "")) {
      const tagMatch = /^<([a-zA-Z][a-zA-Z0-9-]*)/.exec(html.slice(i));
      const el = new Element(tagMatch[1]);
      i += tagMatch[0].length;
      const attrRe = /^\s*([^\s=/>]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?/;
      for (;;) {
        const rest = html.slice(i);
        const close = /^\s*(\/?)>/.exec(rest);
        if (close) {
          i += close[0].length;
          break;
        }
        const m = attrRe.exec(rest);
        if (!m) throw new Error(`dom_shim: bad attribute at ${i}`);
        el.setAttribute(m[1].toLowerCase(), decode(m[2] ?? m[3] ?? m[4] ?? ""));
        i += m[0].length;
      }
      top().appendChild(el);
      if (VOID.has(el.localName)) continue;
      if (RAW_TEXT.has(el.localName)) {
        const end = html.toLowerCase().indexOf(`</${el.localName}`, i);
        if (end > i) el.appendChild(new Text(html.slice(i, end)));
        i = html.indexOf(">", end) + 1;
        continue;
      }
      stack.push(el);
    } else {
      let end = html.indexOf("<", i + 1);
      if (end === -1) end = html.length;
      top().appendChild(new Text(decode(html.slice(i, end))));
      i = end;
    }
  }
  if (stack.length !== 1) throw new Error(`dom_shim: unclosed <${top().localName}>`);
  return doc;
}

/** Build an element tree from a compact description, for offset-mapping tests. */
export function h(tag, attrs, ...children) {
  const el = new Element(tag);
  for (const [k, v] of Object.entries(attrs ?? {})) el.setAttribute(k, v);
  for (const child of children) el.appendChild(typeof child === "string" ? new Text(child) : child);
  return el;
}
