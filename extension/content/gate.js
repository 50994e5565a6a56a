// The Post gate: catches the Post/Reply click and Ctrl/Cmd+Enter in the capture
// phase, before the site's own handlers, and lets them through only when the
// composer's findings allow it (or the employee overrode them). A post that was
// held is re-sent by clicking the site's button once the gate opens.

function composerForClick(composers, target) {
  for (const composer of composers()) {
    const button = composer.postButton();
    if (button && (button === target || button.contains(target))) return { composer, button };
  }
  return null;
}

function composerForKey(composers, target) {
  for (const composer of composers()) {
    if (composer.editor === target || composer.editor.contains(target)) return composer;
  }
  return null;
}

function hold(event) {
  event.preventDefault();
  event.stopImmediatePropagation();
}

/**
 * @param {() => Iterable<import("./composer.js").Composer>} composers
 * @param {AbortSignal} signal
 */
export function installGate(composers, signal) {
  const running = new WeakSet();

  async function gate(composer) {
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
      const button = composer.postButton();
      if (button) {
        composer.allowNext = true;
        button.click();
        composer.allowNext = false;
      }
    } finally {
      running.delete(composer);
    }
  }

  window.addEventListener(
    "click",
    (event) => {
      const hit = composerForClick(composers, event.target);
      if (!hit) return;
      if (hit.composer.allowNext) return; // our own re-sent click
      if (hit.composer.decide().action === "pass") return;
      hold(event);
      gate(hit.composer);
    },
    { capture: true, signal },
  );

  window.addEventListener(
    "keydown",
    (event) => {
      if (event.key !== "Enter" || !(event.ctrlKey || event.metaKey)) return;
      const composer = composerForKey(composers, event.target);
      if (!composer || composer.decide().action === "pass") return;
      hold(event);
      gate(composer);
    },
    { capture: true, signal },
  );
}
