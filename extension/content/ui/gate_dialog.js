// The Post gate dialog: lists what still conflicts with policy, and offers
// "Edit post" or, for warnings, "Post anyway…" with a reason and a written
// justification that the agent records before the post goes through.
// Modal: focus is trapped inside, Esc means "Edit post".

import { CATEGORY_LABELS, SEVERITY_LABELS, plural } from "../findings.js";
import { policyLine } from "./card.js";
import { dialogLayer, el, showAbove } from "./layer.js";

const FOCUSABLE = "button:not([disabled]), select, textarea, a[href], [tabindex]:not([tabindex='-1'])";

function trapFocus(dialog, event) {
  const items = Array.from(dialog.querySelectorAll(FOCUSABLE)).filter((n) => !n.closest("[hidden]"));
  if (items.length === 0) return;
  const active = dialog.getRootNode().activeElement;
  const first = items[0];
  const last = items[items.length - 1];
  if (event.shiftKey && (active === first || !dialog.contains(active))) {
    event.preventDefault();
    last.focus();
  } else if (!event.shiftKey && (active === last || !dialog.contains(active))) {
    event.preventDefault();
    first.focus();
  }
}

// Shows `dialog` over the page, and over anything else of PostGuard's (see showAbove);
// `close(how)` removes it and resolves the dialog's promise.
// Keys are caught at the window in the capture phase, before any listener of the site,
// so its own shortcuts (and its Ctrl+Enter "post", or Esc closing its own dialog) do
// not fire behind this one; Esc means "Edit post".
function showModal(layer, dialog, resolve) {
  const backdrop = el("div", { class: "backdrop" }, dialog);
  const onKey = (event) => {
    if (event.key === "Escape") {
      event.preventDefault();
      event.stopImmediatePropagation();
      close("edit");
    } else if (event.key === "Tab") {
      trapFocus(dialog, event);
    } else if (event.key === "Enter" && (event.ctrlKey || event.metaKey) && !dialog.contains(dialog.getRootNode().activeElement)) {
      // A site's focus trap may have put the caret back in its editor: its "post" key
      // must not publish behind the open dialog.
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  };
  let takeDown = null;
  const close = (how) => {
    window.removeEventListener("keydown", onKey, true);
    takeDown();
    layer.dispose();
    resolve(how);
  };
  window.addEventListener("keydown", onKey, true);
  takeDown = showAbove(layer, backdrop);
  return close;
}

function sentenceCase(text) {
  return text ? text[0].toUpperCase() + text.slice(1) : text;
}

function findingItem(finding) {
  return el(
    "li",
    {},
    el(
      "div",
      { class: "f-head" },
      el("span", { class: "badge", "data-severity": finding.severity }, SEVERITY_LABELS[finding.severity] ?? finding.severity),
      el("span", { class: "category" }, CATEGORY_LABELS[finding.category] ?? finding.category),
    ),
    el("div", { class: "f-message" }, finding.message),
    el("div", { class: "f-quote" }, "In your post: ", el("mark", { "data-severity": finding.severity }, finding.matched)),
    finding.policy ? el("div", { class: "f-policy" }, policyLine(finding.policy)) : null,
  );
}

/**
 * @param {{anchor?: Element, findings: object[], blocked: boolean, policy: {reasons, min, max},
 *          onOverride: (choice: {reason: string, justification: string}) => Promise<{ok: boolean, message?: string}>}} options
 * @returns {Promise<"override" | "edit">} how the dialog closed
 */
export function openGateDialog({ anchor, findings, blocked, policy, onOverride }) {
  const layer = dialogLayer(anchor);
  return new Promise((resolve) => {
    const titleId = "pg-gate-title";
    const descId = "pg-gate-desc";
    const warnCount = findings.filter((f) => f.severity === "warn").length;
    const contacts = [...new Set(findings.filter((f) => f.severity === "block").map((f) => f.contact).filter(Boolean))];

    const error = el("div", { class: "error", role: "alert" });
    const reason = el(
      "select",
      { id: "pg-reason", name: "reason", required: true },
      el("option", { value: "" }, "Choose a reason…"),
      policy.reasons.map((r) => el("option", { value: r.id }, sentenceCase(r.label))),
    );
    const justification = el("textarea", {
      id: "pg-justification",
      name: "justification",
      maxlength: policy.max,
      "aria-describedby": "pg-counter",
      placeholder: "Explain why this post is appropriate, e.g. who approved it.",
    });
    const counter = el("p", { class: "counter", id: "pg-counter", "aria-live": "polite" });
    const submit = el("button", { class: "primary", type: "submit", disabled: true }, "Record and post");
    const form = el(
      "form",
      { hidden: true, novalidate: true },
      el("label", { for: "pg-reason" }, "Reason"),
      reason,
      el("label", { for: "pg-justification" }, "Justification"),
      justification,
      counter,
      el("p", { class: "note" }, "Your reason and justification are recorded and shared with IT; the post text is not."),
    );

    const update = () => {
      const length = justification.value.trim().length;
      const ok = length >= policy.min;
      counter.dataset.ok = String(ok);
      counter.textContent = ok
        ? `${length} characters`
        : `${length} / ${policy.min} characters minimum`;
      submit.disabled = !(ok && reason.value);
    };
    reason.addEventListener("change", update);
    justification.addEventListener("input", update);
    update();

    // Editing is the safe choice, so it leads until the employee asks to post anyway.
    const edit = el("button", { class: "primary", type: "button" }, "Edit post");
    const postAnyway = blocked ? null : el("button", { class: "secondary", type: "button" }, "Post anyway…");

    const footer = el("footer", {}, postAnyway, edit);
    const dialog = el(
      "div",
      { class: "dialog", role: "dialog", "aria-modal": "true", "aria-labelledby": titleId, "aria-describedby": descId, "data-blocked": String(blocked) },
      el(
        "header",
        {},
        el("div", { class: "icon", "aria-hidden": "true" }, blocked ? "!" : "?"),
        el(
          "div",
          {},
          el("h2", { id: titleId }, blocked ? "This post can’t be published" : "Check this post before publishing"),
          el(
            "p",
            { class: "lead", id: descId },
            blocked
              ? "It contains something company policy does not allow in public posts."
              : `PostGuard found ${plural(warnCount, "possible policy issue")}. Edit the post, or post anyway with a justification.`,
          ),
        ),
      ),
      el("ul", { class: "findings", "aria-label": "Policy findings" }, findings.map(findingItem)),
      blocked
        ? el("p", { class: "contact" }, contacts.length ? `To publish this, contact ${contacts.join(" or ")}.` : "To publish this, contact your communications or compliance team.")
        : null,
      form,
      error,
      footer,
    );
    const close = showModal(layer, dialog, resolve);

    edit.addEventListener("click", () => close("edit"));
    postAnyway?.addEventListener("click", () => {
      form.hidden = false;
      edit.className = "secondary";
      // The primary action sits last, where "Edit post" was the lead before.
      postAnyway.remove();
      footer.append(submit);
      reason.focus();
    });
    submit.addEventListener("click", (event) => {
      event.preventDefault();
      form.requestSubmit();
    });
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      if (submit.disabled) return;
      submit.disabled = true;
      submit.textContent = "Recording…";
      error.textContent = "";
      const outcome = await onOverride({ reason: reason.value, justification: justification.value.trim() });
      if (outcome.ok) {
        close("override");
        return;
      }
      error.textContent = outcome.message ?? "Your justification could not be recorded, so nothing was posted. Try again.";
      submit.textContent = "Record and post";
      update();
    });

    layer.announce(
      blocked
        ? `Post blocked. ${findings[0].message}`
        : `Posting paused: ${plural(warnCount, "policy warning")}. Edit the post or post anyway with a justification.`,
      true,
    );
    edit.focus();
  });
}

/** Fail-closed mode with no agent: say why posting waits; "Try again" re-checks. */
export function openPausedDialog({ reason, anchor }) {
  const layer = dialogLayer(anchor);
  return new Promise((resolve) => {
    const retry = el("button", { class: "primary", type: "button" }, "Try again");
    const cancel = el("button", { class: "secondary", type: "button" }, "Close");
    const dialog = el(
      "div",
      { class: "dialog", role: "dialog", "aria-modal": "true", "aria-labelledby": "pg-paused-title", "data-blocked": "true" },
      el(
        "header",
        {},
        el("div", { class: "icon", "aria-hidden": "true" }, "!"),
        el(
          "div",
          {},
          el("h2", { id: "pg-paused-title" }, "Posting waits for the PostGuard agent"),
          el(
            "p",
            { class: "lead" },
            reason === "unpaired"
              ? "This browser is not paired with the PostGuard agent. Open the PostGuard popup to pair it."
              : "Your organisation requires a policy check before posting, and the PostGuard agent on this computer is not answering. Your draft stays here: try again in a moment, or contact IT if this keeps happening.",
          ),
        ),
      ),
      el("footer", {}, cancel, retry),
    );
    const close = showModal(layer, dialog, resolve);
    retry.addEventListener("click", () => close("retry"));
    cancel.addEventListener("click", () => close("edit"));
    layer.announce("Posting waits for the PostGuard agent.", true);
    retry.focus();
  });
}
