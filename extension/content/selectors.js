// What PostGuard knows about each site's composers, in one place. Composers are found
// by what an editor *is* (an editable multi-line textbox), and their submit buttons
// by role and accessible name; the site-specific names below come after that, and
// class names last, so a redesign with new (or hashed) class names degrades to
// "still checked" rather than "not gated". When a site changes its markup, this is
// the only file to touch.
//
// Keep selectors to simple compounds ("tag.class[attr=value]"), descendant
// combinators and comma lists: the unit tests run them with a small DOM shim.

// An editable region a person types a post into. Quill's hidden ".ql-clipboard" is
// contenteditable too, but it is neither a textbox nor focusable.
export const EDITABLE = '[contenteditable="true"], [contenteditable=""], [contenteditable="plaintext-only"]';
// Submit buttons are buttons by element or by role (react-native-web renders either).
export const BUTTON = 'button, [role="button"]';

export const SELECTORS = Object.freeze({
  linkedin: Object.freeze({
    // Editors that say what they are without role="textbox" (Quill's own root).
    editorHints: "div.ql-editor",
    // Private messages are not public posts; PostGuard does not read them.
    notComposer: ".msg-form__contenteditable, .msg-form",
    // Accessible names of the buttons that publish what is in the editor.
    submitNames: Object.freeze(["post", "comment", "reply", "repost", "post comment", "post reply"]),
    // Names that mean the composer is a comment or a reply to one.
    commentNames: Object.freeze(["comment", "reply", "post comment", "post reply"]),
    // Last resort, for buttons whose accessible name is unknown (icons only).
    submitClasses:
      "button.share-actions__primary-action, button.comments-comment-box__submit-button--cr, button.comments-comment-box__submit-button",
  }),
  x: Object.freeze({
    // X's own test ids on the Draft.js editor: tweetTextarea_0, _1, … in a thread.
    editorHints: 'div.public-DraftEditor-content, [data-testid="tweetTextarea_0"]',
    notComposer: '[data-testid="dmComposerTextInput"], [data-testid="dmComposer"]',
    submitNames: Object.freeze(["post", "reply", "post all", "reply all", "tweet", "tweet all", "quote"]),
    commentNames: Object.freeze(["reply", "reply all"]),
    // The Post/Reply button's test ids, on the home timeline, a status page and the compose dialog.
    submitTestIds: '[data-testid="tweetButtonInline"], [data-testid="tweetButton"]',
    // A post embedded in the composer makes it a quote.
    quoted: '[data-testid="tweetText"], [data-testid="quotedTweet"]',
    submitClasses: null,
  }),
});

/** Which site a page belongs to, from its host name; null where PostGuard does not run. */
export function siteForHost(host) {
  if (host === "www.linkedin.com" || host === "linkedin.com") return "linkedin";
  if (host === "x.com" || host === "twitter.com" || host === "mobile.x.com") return "x";
  return null;
}
