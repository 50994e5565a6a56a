// Every site selector PostGuard depends on, in one place. Each entry is exercised
// against a saved composer fixture in extension/fixtures/ by the unit tests; when a
// site changes its markup, this is the only file to touch, and the adapters report
// the drift to the popup rather than failing silently.
//
// Keep selectors to simple compounds ("tag.class[attr=value]"), descendant
// combinators and comma lists: the tests parse them with a small DOM shim.

export const SELECTORS = Object.freeze({
  linkedin: Object.freeze({
    // Quill editor; Quill also keeps a hidden contenteditable ".ql-clipboard" that must not match.
    editor: 'div.ql-editor[contenteditable="true"]',
    // The nearest of these around an editor is the composer it belongs to.
    container: ".comments-comment-box, .share-creation-state, .share-box-v2__modal",
    comment: ".comments-comment-box",
    postButton:
      "button.share-actions__primary-action, button.comments-comment-box__submit-button--cr, button.comments-comment-box__submit-button",
    // Any editable region a user can type into; one that is not a known editor is drift.
    anyEditable: '[contenteditable="true"][role="textbox"]',
  }),
  x: Object.freeze({
    editor: 'div[data-testid="tweetTextarea_0"][contenteditable="true"]',
    // The toolbar row holding the Post/Reply button sits beside the editor inside this wrapper.
    container: 'div[data-testid="inline_reply_offscreen"], div[data-testid="tweetComposer"], div[role="dialog"]',
    postButton: 'button[data-testid="tweetButtonInline"], button[data-testid="tweetButton"]',
    quote: 'div[data-testid="quotedTweet"]',
    reply: 'div[data-testid="replyingTo"]',
    anyEditable: '[contenteditable="true"][role="textbox"]',
  }),
});

/** Which site a page belongs to, from its host name; null where PostGuard does not run. */
export function siteForHost(host) {
  if (host === "www.linkedin.com" || host === "linkedin.com") return "linkedin";
  if (host === "x.com" || host === "twitter.com" || host === "mobile.x.com") return "x";
  return null;
}
