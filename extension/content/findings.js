// Pure decisions over a check result: labels, which findings still need the
// employee's attention, what the pill says and what the Post gate does.

export const CATEGORY_LABELS = Object.freeze({
  confidential: "Confidential information",
  financial: "Financial disclosure",
  personal_data: "Personal data",
  credentials: "Credentials",
  harassment: "Harassment",
  company_voice: "Speaking for the company",
  disclosure: "Missing disclosure",
});

export const SEVERITY_LABELS = Object.freeze({ info: "Reminder", warn: "Warning", block: "Blocked" });

const RANK = { info: 0, warn: 1, block: 2 };

/** Identity of a finding across re-checks: the same rule on the same words. */
export function findingKey(finding) {
  return `${finding.rule_id}\u0000${finding.matched}`;
}

export function bySeverityThenPosition(a, b) {
  return (RANK[b.severity] ?? 0) - (RANK[a.severity] ?? 0) || a.start - b.start;
}

/** Findings that gate posting: every block, and each warn not yet overridden. */
export function unresolved(findings, overridden) {
  return findings.filter(
    (f) => f.severity === "block" || (f.severity === "warn" && !overridden.has(findingKey(f))),
  );
}

/**
 * What the status pill shows.
 * @param {{state: string, findings?: object[], checking?: boolean, failMode?: string}} s
 */
export function pillState({ state, findings = [], failMode = "open" }) {
  if (state === "unpaired") return { kind: "unpaired", label: "Not paired", detail: "Open PostGuard to pair" };
  if (state === "untrusted") return { kind: "offline", label: "Agent not verified", detail: "Checks are off" };
  if (state === "offline") {
    return {
      kind: "offline",
      label: "Agent offline",
      detail: failMode === "closed" ? "Posting waits for the agent" : "Checks are off",
    };
  }
  if (state === "pending") return { kind: "checking", label: "Checking…", detail: "" };
  const blocks = findings.filter((f) => f.severity === "block").length;
  const warns = findings.filter((f) => f.severity === "warn").length;
  const infos = findings.filter((f) => f.severity === "info").length;
  if (blocks > 0) return { kind: "block", label: "Blocked", detail: plural(blocks + warns, "issue") };
  if (warns > 0) return { kind: "warn", label: plural(warns, "warning"), detail: "" };
  if (infos > 0) return { kind: "info", label: plural(infos, "reminder"), detail: "" };
  return { kind: "clean", label: "Looks good", detail: "" };
}

export function plural(n, word) {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

/**
 * What happens when the employee clicks Post.
 * @returns {{action: "pass"} | {action: "wait"} | {action: "gate", findings: object[], blocked: boolean}
 *          | {action: "paused", reason: string}}
 */
export function gateDecision({ state, findings = [], overridden, failMode = "open", busy = false }) {
  if (busy) return { action: "wait" };
  if (state !== "ok") {
    if (failMode === "closed") return { action: "paused", reason: state };
    return { action: "pass" };
  }
  const open = unresolved(findings, overridden).sort(bySeverityThenPosition);
  if (open.length === 0) return { action: "pass" };
  return { action: "gate", findings: open, blocked: open.some((f) => f.severity === "block") };
}

/**
 * The parts of the agent's /v1/policy reply the gate needs, tolerating older
 * shapes: reasons as strings or {id, label}, limits flat or grouped.
 */
export function readPolicy(policy, justificationMin = 0) {
  const rawReasons = policy?.override_reasons ?? policy?.reasons ?? [];
  const reasons = rawReasons
    .map((r) => (typeof r === "string" ? { id: r, label: r } : { id: r.id ?? r.label, label: r.label ?? r.id }))
    .filter((r) => typeof r.id === "string" && r.id);
  const limits = policy?.justification ?? {};
  const agentMin = policy?.justification_min ?? limits.min_length ?? limits.min ?? 0;
  const agentMax = policy?.justification_max ?? limits.max_length ?? limits.max ?? 2000;
  return {
    reasons: reasons.length > 0 ? reasons : [{ id: "other", label: "Other" }],
    min: Math.max(Number(agentMin) || 0, Number(justificationMin) || 0),
    max: Number(agentMax) || 2000,
    url: policy?.policy_url ?? policy?.url ?? null,
  };
}

/**
 * What the gate dialog says when an override was not confirmed. Only a timeout leaves
 * the outcome open: the agent commits before it answers, so a late answer may hide a
 * stored record. Every other failure means nothing was stored.
 * @param {{code?: string, message?: string} | undefined} error  the reply's error
 */
export function overrideFailure(error) {
  switch (error?.code) {
    case "timeout":
      return "The agent did not confirm in time; your justification may have been recorded. Nothing was posted.";
    case "offline":
      return "The PostGuard agent is not answering, so your justification was not recorded and nothing was posted.";
    case "not_recorded":
      return (
        "Not recorded: the PostGuard agent could not write its audit log (its size limit or the disk is full). " +
        "Nothing was posted; try again later."
      );
    default: {
      const why = String(error?.message ?? "unknown error").replace(/[.\s]+$/, "");
      return `Not recorded: ${why}. Nothing was posted.`;
    }
  }
}

// scheme://user:secret@host… — the shape of a URL that carries credentials.
const CREDENTIAL_URL = /^([a-z][a-z0-9+.:-]*):\/\/([^\s@/]*)@([^\s/?#]+)/i;
const ANY_URL = /^([a-z][a-z0-9+.:-]*):\/\//i;

/**
 * Fit a "replace" text to the words it stands in for. A placeholder URL keeps the
 * scheme and host that were matched and swaps only the credentials, so an
 * `https://user:token@host` finding is never offered a `postgres://…` line. A URL that
 * cannot be fitted to what was matched is not offered. Anything else stands as written.
 * @returns {string | null}
 */
export function fitReplacement(text, matched) {
  const template = CREDENTIAL_URL.exec(text);
  if (template == null) {
    const url = ANY_URL.exec(text);
    const found = ANY_URL.exec(matched ?? "");
    if (url && (!found || found[1].toLowerCase() !== url[1].toLowerCase())) return null;
    return text;
  }
  const found = CREDENTIAL_URL.exec(matched ?? "");
  if (found == null) return null;
  return `${found[1]}://${template[2]}@${found[3]}`;
}

/**
 * What the card offers for a finding's `replacements`: `[{kind, text, label}]`, at most
 * three. An entry is a string or `{text, kind}` with kind "replace" (stand in for the
 * matched words) or "append" (add at the end of the post). A string from a
 * `disclosure` rule is an append: the remedy for an undisclosed promotion is to add
 * the disclosure, never to delete what was promoted.
 */
export function suggestionActions(finding) {
  const actions = [];
  for (const entry of finding.replacements ?? []) {
    const raw = typeof entry === "string" ? { text: entry } : entry;
    if (raw == null || typeof raw.text !== "string" || raw.text.trim() === "") continue;
    const kind = raw.kind === "append" || raw.kind === "replace" ? raw.kind : finding.category === "disclosure" ? "append" : "replace";
    const text = kind === "replace" ? fitReplacement(raw.text, finding.matched) : raw.text.trim();
    if (text == null || actions.some((a) => a.kind === kind && a.text === text)) continue;
    actions.push({ kind, text, label: kind === "append" ? `Add “${text}”` : `Replace with “${text}”` });
    if (actions.length === 3) break;
  }
  return actions;
}
