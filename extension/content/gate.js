// The Post gate: catches the Post/Reply click, Ctrl/Cmd+Enter in the editor and the
// submit of the editor's form in the capture phase, before the site's own handlers,
// and lets them through only when the composer's findings allow it (or the employee
// overrode them for this post). A post that was held is re-sent the way the site
// takes it: a click on its button where there is one, else the same key or submit.
// Without a known button the key and the form still hold the post: a composer whose
// button moved is gated on everything PostGuard can still see.

function composerForClick(composers, target) {
  for (const composer of composers()) {
    const button = composer.postButton();
    if (button && (button === target || button.contains(target))) return composer;
  }
  return null;
}

function composerForNode(composers, target) {
  for (const composer of composers()) {
    if (composer.editor === target || composer.editor.contains(target)) return composer;
  }
  return null;
}

function composerForForm(composers, form) {
  for (const composer of composers()) if (form.contains(composer.editor)) return composer;
  return null;
}

function hold(event) {
  event.preventDefault();
  event.stopImmediatePropagation();
}

/**
 * Send the held post again, through the site's own path: its button where there is
 * one; else the form's submit (a held submit, or a click whose button has since gone);
 * else the same keys, which is also what X and Quill take when there is no form.
 */
function resend(composer, how) {
  const button = composer.postButton();
  if (button) {
    button.click();
    return;
  }
  const form = how.form ?? composer.editor.closest("form");
  if (form && how.type !== "key") {
    form.requestSubmit();
    return;
  }
  // React (X) and Quill (LinkedIn) read keys from DOM events, trusted or not; Quill
  // only from an editor that has focus, which the gate dialog took.
  composer.editor.focus();
  composer.editor.dispatchEvent(
    new KeyboardEvent("keydown", {
      key: "Enter",
      code: "Enter",
      keyCode: 13,
      which: 13,
      ctrlKey: how.ctrlKey ?? !/Mac/.test(navigator.platform),
      metaKey: how.metaKey ?? /Mac/.test(navigator.platform),
      bubbles: true,
      cancelable: true,
      composed: true,
    }),
  );
}

/**
 * @param {() => Iterable<import("./composer.js").Composer>} composers
 * @param {AbortSignal} signal
 */
export function installGate(composers, signal) {
  const running = new WeakSet();

  async function gate(composer, how) {
    if (running.has(composer)) return;
    running.add(composer);
    try {
      let decision = composer.decide();
      if (decision.action === "wait") {
        await composer.settle();
        decision = composer.decide();
        if (decision.action === "wait") decision = { action: composer.settings.failMode === "closed" ? "paused" : "pass", reason: "offline" };
      }
      const go = decision.action === "pass" ? true : await composer.runGate(decision);
      if (!go) return;
      // The override (if any) is spent on this one submission: the next post is checked afresh.
      composer.allowNext = true;
      try {
        resend(composer, how);
      } finally {
        composer.allowNext = false;
      }
    } finally {
      running.delete(composer);
    }
  }

  window.addEventListener(
    "click",
    (event) => {
      const composer = composerForClick(composers, event.target);
      if (!composer || composer.allowNext) return; // not a submit button, or our own re-sent click
      if (composer.decide().action === "pass") return;
      hold(event);
      gate(composer, { type: "click" });
    },
    { capture: true, signal },
  );

  window.addEventListener(
    "keydown",
    (event) => {
      if (event.key !== "Enter" || !(event.ctrlKey || event.metaKey)) return;
      const composer = composerForNode(composers, event.target);
      if (!composer || composer.allowNext || composer.decide().action === "pass") return;
      hold(event);
      gate(composer, { type: "key", ctrlKey: event.ctrlKey, metaKey: event.metaKey });
    },
    { capture: true, signal },
  );

  window.addEventListener(
    "submit",
    (event) => {
      const form = event.target;
      if (!(form instanceof HTMLFormElement)) return;
      const composer = composerForForm(composers, form);
      if (!composer || composer.allowNext || composer.decide().action === "pass") return;
      hold(event);
      gate(composer, { type: "submit", form });
    },
    { capture: true, signal },
  );
}
