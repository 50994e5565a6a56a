import assert from "node:assert/strict";
import { test } from "node:test";

import { accessibleName, createAdapter } from "../content/adapter.js";
import { BUTTON, EDITABLE, SELECTORS, siteForHost } from "../content/selectors.js";
import { readComposer } from "../content/text_model.js";
import { parseHTML, parseSelector } from "./dom_shim.js";
import { LINKEDIN_MESSAGING, X_HOME, X_QUOTE_DIALOG, X_STATUS_REPLY, linkedinFeed } from "./site_markup.js";

test("every selector stays within the syntax the unit tests can verify", () => {
  for (const selector of [EDITABLE, BUTTON]) assert.doesNotThrow(() => parseSelector(selector), selector);
  for (const site of Object.values(SELECTORS)) {
    for (const value of Object.values(site)) {
      if (typeof value === "string") assert.doesNotThrow(() => parseSelector(value), value);
    }
  }
});

test("X home timeline: the composer has no wrapper, and its Post button is found", () => {
  const doc = parseHTML(X_HOME);
  const adapter = createAdapter("x");
  const editors = adapter.findEditors(doc);
  assert.equal(editors.length, 1);
  const described = adapter.describe(editors[0]);
  assert.equal(described.kind, "post");
  assert.equal(described.postButton.getAttribute("data-testid"), "tweetButtonInline");
  assert.equal(accessibleName(described.postButton), "post");
  // The side nav's "Post" link and the timeline's Reply buttons are not it.
  assert.equal(described.container.querySelector('[data-testid="reply"]'), null);
  assert.equal(readComposer(editors[0]).text, "");
});

test("X status page: the inline reply and its Reply button", () => {
  const adapter = createAdapter("x");
  const [editor] = adapter.findEditors(parseHTML(X_STATUS_REPLY));
  const described = adapter.describe(editor);
  assert.equal(described.kind, "reply");
  assert.equal(accessibleName(described.postButton), "reply");
  assert.equal(described.postButton.getAttribute("data-testid"), "tweetButtonInline");
});

test("X quote dialog: the dialog's composer is a quote, the page's stays a post", () => {
  const adapter = createAdapter("x");
  const editors = adapter.findEditors(parseHTML(X_QUOTE_DIALOG));
  assert.equal(editors.length, 2);
  const [home, dialog] = editors.map((e) => adapter.describe(e));
  assert.equal(home.kind, "post");
  assert.equal(home.postButton.getAttribute("data-testid"), "tweetButtonInline");
  assert.equal(dialog.kind, "quote");
  assert.equal(dialog.postButton.getAttribute("data-testid"), "tweetButton");
});

test("X: a button without a known test id is still found by its name", () => {
  const doc = parseHTML(X_HOME.replace('data-testid="tweetButtonInline"', 'data-testid="postButtonRenamed"'));
  const adapter = createAdapter("x");
  const described = adapter.describe(adapter.findEditors(doc)[0]);
  assert.equal(described.postButton.getAttribute("data-testid"), "postButtonRenamed");
});

test("LinkedIn: the share box and the comment box, each with its own button", () => {
  const adapter = createAdapter("linkedin");
  const editors = adapter.findEditors(parseHTML(linkedinFeed()));
  // Quill's hidden .ql-clipboard is contenteditable too and must not count.
  assert.equal(editors.length, 2);
  const [comment, share] = editors.map((e) => adapter.describe(e));
  assert.equal(comment.kind, "comment");
  assert.equal(accessibleName(comment.postButton), "comment");
  assert.equal(comment.postButton.getAttribute("type"), "submit");
  assert.equal(share.kind, "post");
  assert.equal(accessibleName(share.postButton), "post");
});

test("LinkedIn: before there is text the comment box has no button; never the action bar's Comment", () => {
  const adapter = createAdapter("linkedin");
  const doc = parseHTML(linkedinFeed({ commentButton: null }));
  const [comment] = adapter.findEditors(doc);
  const described = adapter.describe(comment);
  assert.equal(described.drift, "postButton");
  assert.equal(described.form.nodeName, "FORM");
});

test("LinkedIn with hashed class names: composers and buttons found by role and name", () => {
  let n = 0;
  const names = new Map();
  const cls = (value) => value.split(" ").map((c) => names.get(c) ?? (names.set(c, `_h${(n += 1)}`), names.get(c))).join(" ");
  const adapter = createAdapter("linkedin");
  const doc = parseHTML(linkedinFeed({ cls }));
  assert.equal(doc.querySelector(".share-actions__primary-action"), null);
  const [comment, share] = adapter.findEditors(doc).map((e) => adapter.describe(e));
  assert.equal(accessibleName(comment.postButton), "comment");
  assert.equal(accessibleName(share.postButton), "post");
});

test("LinkedIn: an icon-only submit button is not guessed; the form still bounds the composer", () => {
  const adapter = createAdapter("linkedin");
  const doc = parseHTML(linkedinFeed({ commentButton: "➤" }));
  const described = adapter.describe(adapter.findEditors(doc)[0]);
  // The last resort (class names) still knows LinkedIn's own submit button.
  assert.equal(described.postButton.getAttribute("type"), "submit");
  const hashed = parseHTML(linkedinFeed({ commentButton: "➤", cls: (c) => c.replace(/[\w-]+/g, "_x") }));
  assert.deepEqual(Object.keys(adapter.describe(adapter.findEditors(hashed)[0])), ["drift", "form"]);
});

test("private messages are not composers, and unknown editables are told apart", () => {
  const adapter = createAdapter("linkedin");
  const doc = parseHTML(LINKEDIN_MESSAGING);
  assert.equal(adapter.findEditors(doc).length, 0);
  assert.equal(adapter.isUnknownEditable(doc.querySelector(".msg-form__contenteditable")), false);
  const plain = parseHTML('<div><div class="new-editor" contenteditable="true" role="textbox"></div><div class="x" contenteditable="true"></div></div>');
  assert.equal(adapter.findEditors(plain).length, 1, "a textbox is an editor, whatever its class");
});

test("host names map to sites", () => {
  assert.equal(siteForHost("www.linkedin.com"), "linkedin");
  assert.equal(siteForHost("x.com"), "x");
  assert.equal(siteForHost("twitter.com"), "x");
  assert.equal(siteForHost("evil-linkedin.com"), null);
});
