// The card that explains one finding: shown on hover over the underline, or when
// the caret enters it (keyboard users press Alt+Enter to move into the card).

import { CATEGORY_LABELS, SEVERITY_LABELS, suggestionActions } from "../findings.js";
import { el, getLayer } from "./layer.js";

const HIDE_DELAY_MS = 250;

export function policyLine(policy) {
  if (!policy) return null;
  const label = [policy.title, policy.section ? `§ ${policy.section}` : null].filter(Boolean).join(", ");
  const link = policy.url
    ? el("a", { href: policy.url, target: "_blank", rel: "noopener noreferrer" }, label)
    : el("span", {}, label);
  return el("span", {}, "Policy: ", link);
}

export class FindingCard {
  #node;
  #hideTimer = null;
  #finding = null;
  #handlers;

  /** @param {{onApply: Function, onReport: Function, onEscape: Function}} handlers */
  constructor(handlers) {
    this.#handlers = handlers;
    this.#node = el("div", { class: "card", role: "dialog", "aria-modal": "false", hidden: true });
    this.#node.addEventListener("mouseenter", () => this.#cancelHide());
    this.#node.addEventListener("mouseleave", () => this.hideSoon());
    this.#node.addEventListener("keydown", (event) => {
      if (event.key === "Escape") {
        event.stopPropagation();
        this.hide();
        this.#handlers.onEscape();
      }
    });
    getLayer().root.append(this.#node);
  }

  get finding() {
    return this.#finding;
  }

  get visible() {
    return !this.#node.hidden;
  }

  contains(node) {
    return this.#node.contains(node);
  }

  show(finding, rect) {
    this.#cancelHide();
    if (this.#finding !== finding || this.#node.hidden) this.#render(finding);
    this.#finding = finding;
    this.#node.hidden = false;
    this.#place(rect);
  }

  hideSoon() {
    this.#cancelHide();
    this.#hideTimer = setTimeout(() => this.hide(), HIDE_DELAY_MS);
  }

  hide() {
    this.#cancelHide();
    this.#node.hidden = true;
    this.#finding = null;
  }

  focusFirst() {
    this.#node.querySelector("button, a")?.focus();
  }

  remove() {
    this.#node.remove();
  }

  #cancelHide() {
    if (this.#hideTimer != null) clearTimeout(this.#hideTimer);
    this.#hideTimer = null;
  }

  #place(rect) {
    const width = Math.min(360, window.innerWidth - 16);
    const left = Math.max(8, Math.min(rect.left, window.innerWidth - width - 8));
    this.#node.style.left = `${left}px`;
    const below = rect.bottom + 8;
    const height = this.#node.offsetHeight || 220;
    const top = below + height > window.innerHeight && rect.top - height - 8 > 0 ? rect.top - height - 8 : below;
    this.#node.style.top = `${top}px`;
  }

  #render(finding) {
    const severity = finding.severity;
    const titleId = `pg-card-title-${Math.random().toString(36).slice(2)}`;
    this.#node.dataset.severity = severity;
    this.#node.setAttribute("aria-labelledby", titleId);
    // `suggestions` are advice to read; `replacements` are text to put in for the span or to add.
    const advice = (finding.suggestions ?? []).slice(0, 3).map((s) => el("li", {}, s));
    const replacements = suggestionActions(finding).map((action) =>
      el(
        "button",
        {
          class: "chip",
          type: "button",
          "data-kind": action.kind,
          "aria-label": action.kind === "append" ? `Add ${action.text} at the end` : `Replace with ${action.text}`,
          onclick: () => this.#handlers.onApply(finding, action),
        },
        action.label,
      ),
    );
    const report = el("button", { class: "link", type: "button" }, "Report false positive");
    report.addEventListener("click", async () => {
      report.disabled = true;
      const ok = await this.#handlers.onReport(finding);
      report.replaceWith(el("span", { class: "hint", role: "status" }, ok ? "Thanks, reported to IT" : "Could not report: agent offline"));
    });
    this.#node.replaceChildren(
      el("div", { class: "bar" }),
      el(
        "div",
        { class: "body" },
        el(
          "div",
          { class: "meta" },
          el("span", { class: "badge", "data-severity": severity }, SEVERITY_LABELS[severity] ?? severity),
          el("span", { class: "category" }, CATEGORY_LABELS[finding.category] ?? finding.category),
        ),
        el("p", { class: "message", id: titleId }, finding.message),
        finding.consequence ? el("p", { class: "consequence" }, finding.consequence) : null,
        el("p", { class: "policy" }, policyLine(finding.policy)),
        advice.length ? el("ul", { class: "advice" }, advice) : null,
        replacements.length ? el("div", { class: "suggestions" }, replacements) : null,
        severity === "block" && finding.contact ? el("p", { class: "consequence" }, `Questions: ${finding.contact}`) : null,
        // The matcher's own words ("regex matched; luhn: valid") are for the curious, folded away.
        finding.explanation?.detail
          ? el("details", { class: "why" }, el("summary", {}, "How this was detected"), el("p", {}, finding.explanation.detail))
          : null,
      ),
      el("div", { class: "foot" }, report, el("span", { class: "hint" }, "Esc to close")),
    );
  }
}
