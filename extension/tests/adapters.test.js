import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";

import { createAdapter } from "../content/adapter.js";
import { SELECTORS, siteForHost } from "../content/selectors.js";
import { readComposer } from "../content/text_model.js";
import { parseHTML, parseSelector } from "./dom_shim.js";

const fixture = (name) => parseHTML(readFileSync(new URL(`../fixtures/${name}`, import.meta.url), "utf8"));

test("every selector stays within the syntax the fixtures can verify", () => {
  for (const site of Object.values(SELECTORS)) {
    for (const selector of Object.values(site)) assert.doesNotThrow(() => parseSelector(selector), selector);
  }
});

test("LinkedIn: the share box and a comment box, each with its own button", () => {
  const doc = fixture("linkedin-feed.html");
  const adapter = createAdapter("linkedin");
  const editors = adapter.findEditors(doc);
  // Quill's hidden .ql-clipboard is contenteditable too and must not count.
  assert.equal(editors.length, 2);
  const [post, comment] = editors.map((e) => adapter.describe(e));
  assert.equal(post.kind, "post");
  assert.equal(post.postButton.textContent.trim(), "Post");
  assert.equal(comment.kind, "comment");
  assert.equal(comment.postButton.textContent.trim(), "Comment");
  assert.equal(readComposer(editors[0]).text, "");
});

const X_CASES = [
  ["x-home.html", "post", "Post", "tweetButtonInline"],
  ["x-status-reply.html", "reply", "Reply", "tweetButtonInline"],
  ["x-compose-quote.html", "quote", "Post", "tweetButton"],
];

for (const [file, kind, label, testid] of X_CASES) {
  test(`X: ${file} holds one ${kind} composer`, () => {
    const doc = fixture(file);
    const adapter = createAdapter("x");
    const editors = adapter.findEditors(doc);
    assert.equal(editors.length, 1);
    const described = adapter.describe(editors[0]);
    assert.equal(described.kind, kind);
    assert.equal(described.postButton.getAttribute("data-testid"), testid);
    assert.equal(described.postButton.textContent.trim(), label);
    // The placeholder sits outside the editor, so an empty composer reads as empty.
    assert.equal(readComposer(editors[0]).text, "");
  });
}

test("markup drift is named, not swallowed", () => {
  const adapter = createAdapter("x");
  const noButton = fixture("x-home.html");
  const button = noButton.querySelector('[data-testid="tweetButtonInline"]');
  button.setAttribute("data-testid", "postButtonRenamed");
  assert.deepEqual(adapter.describe(adapter.findEditors(noButton)[0]), { drift: "postButton" });

  const noContainer = parseHTML(
    '<div><div data-testid="tweetTextarea_0" contenteditable="true" role="textbox"><div>hi</div></div></div>',
  );
  assert.deepEqual(adapter.describe(adapter.findEditors(noContainer)[0]), { drift: "container" });
});

test("an unknown editable on a supported site is reported as drift", () => {
  const doc = parseHTML(
    '<div><div class="new-editor" contenteditable="true" role="textbox"></div>' +
      '<div class="ql-editor" contenteditable="true" role="textbox"></div></div>',
  );
  const adapter = createAdapter("linkedin");
  assert.equal(adapter.isUnknownEditable(doc.querySelector(".new-editor")), true);
  assert.equal(adapter.isUnknownEditable(doc.querySelector(".ql-editor")), false);
});

test("host names map to sites", () => {
  assert.equal(siteForHost("www.linkedin.com"), "linkedin");
  assert.equal(siteForHost("x.com"), "x");
  assert.equal(siteForHost("twitter.com"), "x");
  assert.equal(siteForHost("evil-linkedin.com"), null);
});
