// Composer markup as the sites render it, trimmed to the composer and its neighbours
// (the same structure the fixture apps in extension/fixtures/ draw with the real
// editors; see the comments there for where it comes from). No wrapper the sites lack:
// X has no data-testid="tweetComposer".

const draft = (testid = "tweetTextarea_0", placeholder = "What is happening?!") =>
  `<div class="DraftEditor-root"><div class="public-DraftEditorPlaceholder-root"><div class="public-DraftEditorPlaceholder-inner" id="placeholder-a1">${placeholder}</div></div>` +
  `<div class="DraftEditor-editorContainer"><div aria-autocomplete="list" aria-describedby="placeholder-a1" aria-label="Post text" class="notranslate public-DraftEditor-content" contenteditable="true" data-testid="${testid}" role="textbox" spellcheck="true">` +
  `<div data-contents="true"><div class="" data-block="true" data-editor="a1" data-offset-key="a1-0-0"><div data-offset-key="a1-0-0" class="public-DraftStyleDefault-block public-DraftStyleDefault-ltr"><span data-offset-key="a1-0-0"><br data-text="true"></span></div></div></div></div></div></div>`;

const xButton = (testid, label, disabled = true) =>
  `<button role="button" type="button" data-testid="${testid}"${disabled ? ' disabled="" aria-disabled="true" tabindex="-1"' : ""} class="css-175oi2r r-sdzlij r-1phboty">` +
  `<div dir="ltr" class="css-146c3p1 r-bcqeeo"><span class="css-1jxf684 r-dnmrzs"><span class="css-1jxf684 r-bcqeeo">${label}</span></span></div></button>`;

const xComposer = ({ testid = "tweetButtonInline", label = "Post", replying = "", quoted = "", placeholder } = {}) =>
  `<div class="css-175oi2r r-14lw9ot r-184en5c"><div class="css-175oi2r r-18u37iz r-1udh08x">` +
  `<div class="css-175oi2r r-18kxxzh" data-testid="UserAvatar-Container-me"></div>` +
  `<div class="css-175oi2r r-1iusvr4 r-16y2uox r-1777fci">${replying}` +
  `<div class="css-175oi2r"><div class="css-175oi2r r-1wbh5a2"><div data-testid="tweetTextarea_0RichTextInputContainer" class="css-175oi2r r-1wbh5a2">${draft("tweetTextarea_0", placeholder)}</div></div></div>${quoted}` +
  `<div class="css-175oi2r r-1iusvr4 r-16y2uox"><div data-testid="toolBar" class="css-175oi2r r-1awozwy r-18u37iz">` +
  `<nav aria-live="polite" role="navigation" class="css-175oi2r r-1awozwy"><button aria-label="Add photos or video" role="button" type="button">▣</button><button aria-label="Add emoji" role="button" type="button">☺</button></nav>` +
  `<div class="css-175oi2r r-1awozwy r-18u37iz r-1s2bzr4">${xButton(testid, label)}</div></div></div></div></div></div>`;

const xTweet = (text) =>
  `<article data-testid="tweet" role="article" tabindex="-1" class="css-175oi2r"><div data-testid="User-Name"><b>Maya Chen</b> @mayachen</div>` +
  `<div data-testid="tweetText" lang="en">${text}</div><div role="group" class="css-175oi2r r-18u37iz">` +
  `<button data-testid="reply" aria-label="3 Replies. Reply" role="button" type="button">3</button>` +
  `<button data-testid="retweet" aria-label="5 reposts. Repost" role="button" type="button">5</button></div></article>`;

export const X_HOME =
  `<html><body><div id="react-root"><header role="banner"><a href="/compose/post" data-testid="SideNav_NewTweet_Button" aria-label="Post" role="link">Post</a></header>` +
  `<main role="main" class="css-175oi2r"><div data-testid="primaryColumn" class="css-175oi2r"><h2>Home</h2>${xComposer()}` +
  `<section role="region" class="css-175oi2r">${xTweet("Our annual maintainer survey is out.")}</section></div></main></div><div id="layers"></div></body></html>`;

export const X_STATUS_REPLY =
  `<html><body><div id="react-root"><main role="main" class="css-175oi2r"><div data-testid="primaryColumn" class="css-175oi2r">${xTweet("Which conferences are you going to?")}` +
  xComposer({ label: "Reply", placeholder: "Post your reply", replying: '<div class="css-175oi2r r-1wbh5a2" dir="ltr">Replying to <a href="/mayachen" role="link">@mayachen</a></div>' }) +
  `</div></main></div></body></html>`;

export const X_QUOTE_DIALOG =
  `<html><body><div id="react-root"><main role="main" class="css-175oi2r"><div data-testid="primaryColumn">${xComposer()}</div></main></div>` +
  `<div id="layers"><div class="css-175oi2r r-12vffkv"><div class="css-175oi2r r-1p0dtai"><div aria-labelledby="modal-header" aria-modal="true" role="dialog" class="css-175oi2r r-1wbh5a2">` +
  `<div class="css-175oi2r r-1habvwh r-18u37iz"><button aria-label="Close" role="button" data-testid="app-bar-close" type="button">×</button><h2 id="modal-header">Quote post</h2></div>` +
  xComposer({
    testid: "tweetButton",
    placeholder: "Add a comment",
    quoted: '<div role="link" tabindex="0" class="css-175oi2r r-1udh08x"><div data-testid="User-Name"><b>Open Source Weekly</b></div><div data-testid="tweetText" lang="en">Share it with your team!</div></div>',
  }) +
  `</div></div></div></div></body></html>`;

const quill = (placeholder) =>
  `<div class="ql-container"><div class="ql-editor ql-blank" data-gramm="false" contenteditable="true" data-placeholder="${placeholder}" role="textbox" aria-multiline="true" aria-label="Text editor for creating content"><p><br></p></div>` +
  `<div class="ql-clipboard" contenteditable="true" tabindex="-1"></div><div class="ql-tooltip ql-hidden"><a class="ql-preview" target="_blank" href="about:blank"></a><input type="text" data-formula="e=mc^2" data-link="https://quilljs.com" data-video="Embed URL"></div></div>`;

/** LinkedIn's feed with the share box open; `cls` maps class names (the redesign hashes them). */
export function linkedinFeed({ cls = (names) => names, commentButton = "Comment" } = {}) {
  const button = commentButton
    ? `<button class="${cls("comments-comment-box__submit-button--cr artdeco-button artdeco-button--1 artdeco-button--primary")}" type="submit"><span class="${cls("artdeco-button__text")}">${commentButton}</span></button>`
    : "";
  return (
    `<html><body><header class="${cls("global-nav")}"><a href="/feed/">Home</a></header><main class="${cls("scaffold-layout__main")}">` +
    `<div class="${cls("feed-shared-update-v2 artdeco-card")}" role="article" data-urn="urn:li:activity:1">` +
    `<div class="${cls("update-components-text")}"><p>We just shipped our quarterly community report.</p></div>` +
    `<div class="${cls("feed-shared-social-action-bar")}">` +
    ["Like", "Comment", "Repost", "Send"].map((n) => `<button class="${cls("artdeco-button social-actions-button")}" type="button" aria-label="${n}"><span>${n}</span></button>`).join("") +
    `</div><div class="${cls("comments-comments-list")}"><div class="${cls("comments-comment-box comments-comment-box--cr")}">` +
    `<form class="${cls("comments-comment-box__form")}"><div class="${cls("comments-comment-texteditor")}"><div class="${cls("editor-container")}">${quill("Add a comment…")}</div></div>${button}</form></div>` +
    `<article class="${cls("comments-comment-entity")}"><b>Priya Raman</b><p>Congratulations!</p><div class="${cls("comments-comment-social-bar")}">` +
    `<button class="${cls("comments-comment-social-bar__reply-action-button")}" type="button"><span>Reply</span></button></div></article></div></div></main>` +
    `<div id="artdeco-modal-outlet"><div class="${cls("artdeco-modal-overlay")}" aria-hidden="false"><div role="dialog" aria-labelledby="share-to-linkedin-modal__header" tabindex="-1" class="${cls("artdeco-modal share-box-v2__modal")}">` +
    `<button class="${cls("artdeco-modal__dismiss")}" aria-label="Dismiss" type="button">×</button><div class="${cls("artdeco-modal__header")}"><h2 id="share-to-linkedin-modal__header">Create a post</h2></div>` +
    `<div class="${cls("artdeco-modal__content")}"><div class="${cls("share-creation-state")}"><div class="${cls("share-creation-state__text-editor")}"><div class="${cls("editor-container")}">${quill("What do you want to talk about?")}</div></div></div></div>` +
    `<div class="${cls("share-box_actions share-creation-state__footer")}"><button class="${cls("share-actions__primary-action artdeco-button artdeco-button--2 artdeco-button--primary")}" type="button" disabled=""><span class="${cls("artdeco-button__text")}">Post</span></button></div>` +
    `</div></div></div></body></html>`
  );
}

export const LINKEDIN_MESSAGING =
  `<html><body><aside class="msg-overlay-conversation-bubble"><form class="msg-form"><div class="msg-form__msg-content-container"><div class="msg-form__contenteditable" contenteditable="true" role="textbox" aria-multiline="true" aria-label="Write a message…"><p><br></p></div></div>` +
  `<button class="msg-form__send-button" type="submit">Send</button></form></aside></body></html>`;
