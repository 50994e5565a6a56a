import assert from "node:assert/strict";
import { test } from "node:test";

import { offsetOf, pointAt, rangeFor, readComposer, spanPoints } from "../content/text_model.js";
import { Document, h, parseHTML } from "./dom_shim.js";

const doc = new Document();

function spanText(root, start, end) {
  return rangeFor(readComposer(root), start, end, doc).toString();
}

test("quill paragraphs become lines; empty paragraphs are empty lines", () => {
  const editor = h("div", {}, h("p", {}, "Hello"), h("p", {}, h("br")), h("p", {}, "world"));
  assert.equal(readComposer(editor).text, "Hello\n\nworld");
});

test("draft.js blocks nest several elements deep and still read as one line each", () => {
  const block = (text) =>
    h("div", { "data-block": "true" }, h("div", { class: "public-DraftStyleDefault-block" }, h("span", {}, h("span", { "data-text": "true" }, text))));
  const editor = h("div", {}, h("div", { "data-contents": "true" }, block("first"), block("second")));
  assert.equal(readComposer(editor).text, "first\nsecond");
});

test("a span across nested inline nodes maps to the exact characters", () => {
  // "Our Project <b>Blue<i>bird</i></b> launch" — the match "Bluebird launch" crosses three text nodes.
  const editor = h("div", {}, h("p", {}, "Our Project ", h("b", {}, "Blue", h("i", {}, "bird")), " launch"));
  const model = readComposer(editor);
  assert.equal(model.text, "Our Project Bluebird launch");
  const start = model.text.indexOf("Bluebird");
  assert.equal(spanText(editor, start, model.text.length), "Bluebird launch");
  const points = spanPoints(model, start, start + 8);
  assert.equal(points.start.node.data, "Blue");
  assert.equal(points.start.offset, 0);
  assert.equal(points.end.node.data, "bird");
  assert.equal(points.end.offset, 4);
});

test("offsets are UTF-16 code units, so emoji before a match do not shift it", () => {
  const editor = h("div", {}, h("p", {}, "🚀🎉 launch "), h("p", {}, "👩‍💻 ", h("span", {}, "Project Falcon"), " now"));
  const model = readComposer(editor);
  const start = model.text.indexOf("Falcon");
  // Each of 🚀 🎉 is two code units; 👩‍💻 is five.
  assert.equal(start, "🚀🎉 launch \n👩‍💻 Project ".length);
  assert.equal(spanText(editor, start, start + 6), "Falcon");
  assert.equal(spanText(editor, model.text.indexOf("launch"), model.text.indexOf("launch") + 6), "launch");
});

test("an emoji inside the match is kept whole", () => {
  const editor = h("div", {}, h("p", {}, "buy 🍎 stock"));
  const model = readComposer(editor);
  assert.equal(spanText(editor, 4, 12), "🍎 stock");
});

test("a span across a line break starts and ends in text, not on the break", () => {
  const editor = h("div", {}, h("p", {}, "alpha"), h("p", {}, "beta"));
  const model = readComposer(editor);
  const points = spanPoints(model, 5, 10); // "\nbeta"
  assert.equal(points.start.node.data, "beta");
  assert.equal(points.start.offset, 0);
  const before = spanPoints(model, 0, 6); // "alpha\n"
  assert.equal(before.end.node.data, "alpha");
  assert.equal(before.end.offset, 5);
});

test("boundary between adjacent text nodes: start goes right, end goes left", () => {
  const editor = h("div", {}, h("p", {}, h("b", {}, "ab"), "cd"));
  const model = readComposer(editor);
  assert.equal(pointAt(model, 2, "start").node.data, "cd");
  assert.equal(pointAt(model, 2, "end").node.data, "ab");
});

test("spans that do not fit the text are refused", () => {
  const model = readComposer(h("div", {}, h("p", {}, "short")));
  assert.equal(spanPoints(model, 3, 99), null);
  assert.equal(spanPoints(model, 4, 4), null);
  assert.equal(spanPoints(model, -1, 2), null);
  assert.equal(spanPoints(model, 1.5, 3), null);
});

test("soft line breaks count, trailing placeholder breaks do not", () => {
  const editor = h("div", {}, h("p", {}, "one", h("br"), "two", h("br")));
  assert.equal(readComposer(editor).text, "one\ntwo");
});

test("plain contenteditable: bare text then a div per new line", () => {
  const editor = h("div", {}, "first", h("div", {}, "second"), h("div", {}, h("br")), h("div", {}, "fourth"));
  assert.equal(readComposer(editor).text, "first\nsecond\n\nfourth");
});

test("formatting whitespace between blocks is not text", () => {
  const doc2 = parseHTML('<div id="e">\n  <p>a</p>\n  <p>b</p>\n</div>');
  assert.equal(readComposer(doc2.querySelector("#e")).text, "a\nb");
});

test("caret positions map back to offsets", () => {
  const inner = h("i", {}, "bird");
  const editor = h("div", {}, h("p", {}, "x"), h("p", {}, "Blue", inner));
  const model = readComposer(editor);
  assert.equal(offsetOf(model, inner.firstChild, 2), "x\nBluebi".length);
  assert.equal(offsetOf(model, h("p", {}, "elsewhere").firstChild, 0), null);
});
