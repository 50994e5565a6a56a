// One composer on the page: checks its text as the employee types, underlines the
// findings, explains them in a card, keeps its status pill current, and answers
// the Post gate. Everything it adds listens on `signal`, so aborting it (SPA
// navigation, composer removed) tears it all down.

import { LatestOnly, debounce } from "./debounce.js";
import { findingKey, gateDecision, overrideFailure, pillState, plural, readPolicy } from "./findings.js";
import { clearHighlights, setHighlights } from "./highlights.js";
import { send } from "./messaging.js";
import { agentText, offsetOf, rangeFor, readComposer } from "./text_model.js";
import { openGateDialog, openPausedDialog } from "./ui/gate_dialog.js";
import { getLayer } from "./ui/layer.js";
import { StatusPill } from "./ui/pill.js";

export const DEBOUNCE_MS = 300;
// Overrides never outlive the submission they were given for (see gate.js).
const NO_OVERRIDES = new Set();
const SETTLE_TIMEOUT_MS = 3000;

export class Composer {
  /**
   * @param {{editor: Element, adapter: object, settings: object, card: import("./ui/card.js").FindingCard,
   *          signal: AbortSignal, onDrift?: (what: string, detail: string) => void}} options
   */
  constructor({ editor, adapter, settings, card, signal, onDrift = () => {} }) {
    this.editor = editor;
    this.adapter = adapter;
    this.settings = settings;
    this.card = card;
    this.signal = signal;
    this.state = "pending";
    this.findings = []; // each with a live `range`
    // Set only while the gate re-sends the post it held: an override covers that one
    // submission and nothing after it.
    this.allowNext = false;
    this.onDrift = onDrift;
    this.described = null;
    this.latest = new LatestOnly();
    this.inflight = null;
    this.lastInputAt = 0;
    this.lastText = null;
    this.announced = new Set();
    this.layer = getLayer();
    this.pill = new StatusPill({ onActivate: () => this.#showFirstFinding() });
    this.schedule = debounce(() => this.check(), DEBOUNCE_MS);
    this.#listen();
    this.#render();
    if (readComposer(editor).text.trim()) this.check();
  }

  get platform() {
    return this.adapter.platform;
  }

  /**
   * The composer's container and submit button. Looked up again only when the button
   * left the page or the composer: the pill asks on every scroll and the gate on every
   * click, and a lookup walks the editor's ancestors.
   */
  describe() {
    const known = this.described;
    if (known?.postButton?.isConnected && known.container.contains(this.editor) && known.container.contains(known.postButton)) {
      return known;
    }
    this.described = this.adapter.describe(this.editor);
    return this.described;
  }

  postButton() {
    return this.describe().postButton ?? null;
  }

  /**
   * A composer with text but no submit button PostGuard can find: some sites draw the
   * button only once there is text, so this is judged after a check, not on discovery.
   * The gate still holds Ctrl/Cmd+Enter and the form's submit; the popup says so.
   */
  #checkButton(text) {
    if (text.trim() === "" || this.postButton() != null) return;
    this.onDrift("postButton", "a composer's Post button was not found");
  }

  #listen() {
    const { editor, signal } = this;
    const opts = { signal };
    // The keystroke's own moment: "beforeinput" precedes the edit; Chrome may deliver
    // "input" after the mutation that arms the debounce, which would flatter the latency.
    editor.addEventListener("beforeinput", () => (this.lastInputAt = performance.now()), opts);
    editor.addEventListener("focus", () => {
      // First focus of an empty composer: an (empty) check tells whether the agent is there.
      if (this.state === "pending" && !this.busy()) this.check();
      this.#render();
    }, opts);
    editor.addEventListener("keydown", (event) => this.#onKey(event), opts);
    editor.addEventListener("mousemove", (event) => this.#onHover(event), opts);
    editor.addEventListener("mouseleave", () => {
      if (this.card.visible && this.#owns(this.card.finding)) this.card.hideSoon();
    }, opts);
    document.addEventListener("selectionchange", () => this.#onCaret(), opts);
    window.addEventListener("scroll", () => this.#place(), { ...opts, capture: true, passive: true });
    window.addEventListener("resize", () => this.#place(), opts);
    // Any change to the text, typed or done by the site (clearing after a post), re-checks.
    const observer = new MutationObserver(() => this.#onMutation());
    observer.observe(editor, { childList: true, subtree: true, characterData: true });
    const resize = new ResizeObserver(() => this.#place());
    resize.observe(editor);
    signal.addEventListener("abort", () => {
      observer.disconnect();
      resize.disconnect();
      this.schedule.cancel();
      this.latest.invalidate();
      clearHighlights(this);
      if (this.#owns(this.card.finding)) this.card.hide();
      this.pill.remove();
    });
  }

  #onMutation() {
    const model = readComposer(this.editor);
    if (agentText(model) === this.lastText) {
      // The same words in new nodes (an editor re-rendering its spans, or an edit
      // undone): the findings still hold, only their ranges move. No new check.
      if (this.findings.length > 0) this.#remap(model);
      return;
    }
    this.schedule();
    this.#place();
  }

  #remap(model) {
    for (const f of this.findings) f.range = rangeFor(model, f.start, f.end, document) ?? f.range;
    setHighlights(
      this,
      this.findings.map((f) => ({ severity: f.severity, range: f.range })),
    );
  }

  /** True while a check is waiting for the pause or for the agent. */
  busy() {
    return this.schedule.pending() || this.inflight != null;
  }

  /** Check now if a check is pending, and wait (bounded) for the answer. */
  async settle() {
    this.schedule.flush();
    if (this.inflight == null && agentText(readComposer(this.editor)) !== this.lastText) this.check();
    if (this.inflight == null) return;
    await Promise.race([this.inflight, new Promise((r) => setTimeout(r, SETTLE_TIMEOUT_MS))]);
  }

  check() {
    this.schedule.cancel();
    const model = readComposer(this.editor);
    const text = agentText(model);
    const ticket = this.latest.next();
    const startedFrom = this.lastInputAt;
    const request = send("check", { text, platform: this.platform, url: location.href }).then((reply) => {
      if (!this.latest.isCurrent(ticket) || this.signal.aborted) return; // a newer draft was sent
      const now = readComposer(this.editor);
      if (agentText(now) !== text) {
        this.schedule(); // the text moved on while the agent answered
        return;
      }
      const value = reply.ok ? reply.value : { state: "offline", message: reply.error?.message };
      this.#apply(value, now, text);
      if (startedFrom > 0) this.#recordLatency(startedFrom, value.result?.elapsed_ms);
    });
    this.inflight = request.finally(() => {
      if (this.latest.isCurrent(ticket)) this.inflight = null;
    });
  }

  #apply(value, model, text) {
    this.lastText = text;
    this.state = value.state;
    const findings = value.state === "ok" ? value.result?.findings ?? [] : [];
    this.findings = findings
      .map((f) => ({ ...f, range: rangeFor(model, f.start, f.end, document) }))
      .filter((f) => f.range != null);
    setHighlights(
      this,
      this.findings.map((f) => ({ severity: f.severity, range: f.range })),
    );
    const current = this.card.finding;
    if (current && this.#owns(current)) this.card.hide();
    this.#announce();
    this.#render();
    this.#checkButton(text);
    this.layer.host.dataset.checks = String(Number(this.layer.host.dataset.checks ?? 0) + 1);
  }

  /**
   * Typing pause → underline on screen, for the end-to-end latency report: measured
   * at the next frame after the highlights were set, so it includes the paint.
   */
  #recordLatency(startedFrom, agentMs) {
    const host = this.layer.host;
    let done = false;
    const record = () => {
      if (done) return;
      done = true;
      host.dataset.lastLatencyMs = (performance.now() - startedFrom).toFixed(1);
      host.dataset.agentMs = String(agentMs ?? "");
      host.dataset.latencySeq = String(Number(host.dataset.latencySeq ?? 0) + 1);
    };
    requestAnimationFrame(record);
    setTimeout(record, 100); // a hidden tab gets no frames
  }

  #announce() {
    const keys = new Set(this.findings.map(findingKey));
    const fresh = this.findings.filter((f) => !this.announced.has(findingKey(f)) && f.severity !== "info");
    this.announced = keys;
    if (fresh.length === 0) return;
    const first = fresh[0];
    const what = first.severity === "block" ? "Blocked" : "Policy warning";
    const more = fresh.length > 1 ? ` and ${plural(fresh.length - 1, "more issue")}` : "";
    this.layer.announce(`${what}: ${first.message}${more}. Move the cursor into the underlined text for details.`, first.severity === "block");
  }

  #render() {
    this.pill.set(pillState({ state: this.state, findings: this.findings, failMode: this.settings.failMode }));
    this.#place();
  }

  #place() {
    if (this.signal.aborted) return;
    const visible =
      this.editor.isConnected &&
      (document.activeElement === this.editor || this.editor.contains(document.activeElement) ||
        (this.lastText ?? "").trim() !== "" || this.findings.length > 0);
    const button = this.postButton();
    this.pill.place(this.editor.getBoundingClientRect(), button?.getBoundingClientRect() ?? null, visible);
  }

  #owns(finding) {
    return finding != null && this.findings.includes(finding);
  }

  #findingAtPoint(x, y) {
    for (const f of this.findings) {
      for (const rect of f.range.getClientRects()) {
        if (x >= rect.left && x <= rect.right && y >= rect.top - 2 && y <= rect.bottom + 2) return f;
      }
    }
    return null;
  }

  #onHover(event) {
    const f = this.#findingAtPoint(event.clientX, event.clientY);
    if (f) this.card.show(f, f.range.getBoundingClientRect());
    else if (this.card.visible && this.#owns(this.card.finding)) this.card.hideSoon();
  }

  #caretFinding() {
    const selection = document.getSelection();
    if (!selection || selection.rangeCount === 0 || !this.editor.contains(selection.anchorNode)) return null;
    const offset = offsetOf(readComposer(this.editor), selection.anchorNode, selection.anchorOffset);
    if (offset == null) return null;
    return this.findings.find((f) => f.start <= offset && offset <= f.end) ?? null;
  }

  #onCaret() {
    if (document.activeElement !== this.editor && !this.editor.contains(document.activeElement)) return;
    // Positions are only trustworthy for the text the findings were computed on.
    if (this.busy()) return;
    const f = this.#caretFinding();
    if (f) {
      if (this.card.finding !== f) {
        this.layer.announce(`${f.message} Press Alt+Enter for details and suggestions.`);
      }
      this.card.show(f, f.range.getBoundingClientRect());
    } else if (this.card.visible && this.#owns(this.card.finding)) {
      this.card.hide();
    }
  }

  #onKey(event) {
    if (!this.card.visible || !this.#owns(this.card.finding)) return;
    if (event.key === "Enter" && event.altKey) {
      event.preventDefault();
      event.stopPropagation();
      this.card.focusFirst();
    } else if (event.key === "Escape") {
      event.preventDefault();
      event.stopPropagation();
      this.card.hide();
    }
  }

  #showFirstFinding() {
    const f = this.findings[0];
    if (!f) {
      this.editor.focus();
      return;
    }
    this.select(f);
    this.card.show(f, f.range.getBoundingClientRect());
    this.card.focusFirst();
  }

  /** Put the caret on a finding, so "Edit post" lands where the problem is. */
  select(finding) {
    this.editor.focus();
    const selection = document.getSelection();
    selection.removeAllRanges();
    selection.addRange(finding.range.cloneRange());
  }

  /**
   * Apply one of the card's suggestions through the editor's own editing path (a
   * selection, then insertText), so Quill / Draft.js update their models and undo
   * keeps working. A "replace" stands in for the finding's words; an "append" (a
   * disclosure such as #ad) goes at the end of the post and deletes nothing.
   * @param {{kind: "replace"|"append", text: string}} action
   */
  applySuggestion(finding, action) {
    if (!this.#owns(finding) || finding.range.toString().replace(/\u00a0/g, " ") !== finding.matched) {
      this.check();
      return false;
    }
    if (action.kind === "append") {
      const model = readComposer(this.editor);
      const end = rangeFor(model, 0, model.text.length, document);
      if (end == null) return false;
      end.collapse(false);
      this.editor.focus();
      const selection = document.getSelection();
      selection.removeAllRanges();
      selection.addRange(end);
      const gap = /\s$/.test(model.text) ? "" : " ";
      document.execCommand("insertText", false, gap + action.text);
    } else {
      this.select(finding);
      document.execCommand("insertText", false, action.text);
    }
    this.card.hide();
    this.lastInputAt = performance.now();
    return true;
  }

  async report(finding) {
    const reply = await send("feedback", { rule_id: finding.rule_id, pack: finding.pack, kind: "false_positive" });
    return reply.ok;
  }

  /** The gate's verdict for a Post click right now. */
  decide() {
    return gateDecision({
      state: this.state,
      findings: this.findings,
      overridden: NO_OVERRIDES,
      failMode: this.settings.failMode,
      busy: this.busy(),
    });
  }

  /** @returns {Promise<boolean>} true when the post may go through */
  async runGate(decision) {
    if (decision.action === "paused") {
      const how = await openPausedDialog({ reason: decision.reason, anchor: this.editor });
      if (how === "retry") {
        this.check();
        await this.settle();
        const again = this.decide();
        if (again.action === "pass") return true;
        if (again.action !== "paused" && again.action !== "wait") return this.runGate(again);
      }
      this.editor.focus();
      return false;
    }
    const policyReply = await send("policy");
    const policy = readPolicy(
      policyReply.ok && policyReply.value.state === "ok" ? policyReply.value.policy : null,
      this.settings.justificationMin,
    );
    const warns = decision.findings.filter((f) => f.severity === "warn");
    const how = await openGateDialog({
      anchor: this.editor,
      findings: decision.findings,
      blocked: decision.blocked,
      policy,
      onOverride: async ({ reason, justification }) => {
        const reply = await send("override", {
          findings: warns.map(({ rule_id, pack, start, end, matched }) => ({ rule_id, pack, start, end, matched })),
          platform: this.platform,
          reason,
          justification,
        });
        if (reply.ok && reply.value?.override_id) return { ok: true };
        const error = reply.ok ? { message: "the agent's reply did not confirm the override" } : reply.error;
        return { ok: false, message: overrideFailure(error) };
      },
    });
    if (how === "override") {
      this.layer.announce("Justification recorded. Posting.");
      return true;
    }
    if (decision.findings[0]) this.select(decision.findings[0]);
    else this.editor.focus();
    return false;
  }
}
