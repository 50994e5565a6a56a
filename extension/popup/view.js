// What the popup says about the agent, as plain data: no DOM, no chrome.* calls, so
// every wording (and every warning) is unit-tested against sample /v1/status replies.

export const CONNECTION_LABELS = Object.freeze({
  connected: "Connected",
  offline: "Agent offline",
  unpaired: "Not paired",
  untrusted: "Agent not verified",
});

const SOURCE_LABELS = { bundled: "bundled with the agent", synced: "signed updates", local: "local folder" };

/** A date for people; anything unparseable is shown as it came. */
export function when(value, locale = undefined) {
  if (!value) return "never";
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return String(value);
  return date.toLocaleString(locale, { dateStyle: "medium", timeStyle: "short" });
}

function count(n, word) {
  return `${n.toLocaleString("en")} ${word}${n === 1 ? "" : "s"}`;
}

function isObject(value) {
  return value != null && typeof value === "object" && !Array.isArray(value);
}

/**
 * The "Pack updates" line and, when updates are failing or the packs are past their
 * date, a warning. `sync` is `/v1/status` → `sections.sync`.
 */
export function describeSync(agent) {
  const sync = isObject(agent?.sections?.sync) ? agent.sections.sync : null;
  const source = SOURCE_LABELS[agent?.packs_source] ?? agent?.packs_source ?? "unknown";
  if (sync == null || sync.state === "disabled") {
    return { line: `Off · packs ${source}`, warning: null };
  }
  const set = sync.serial != null ? ` (set ${sync.serial})` : "";
  const versions = Array.isArray(sync.packs) ? sync.packs.map((p) => `${p.id} ${p.version}`).join(", ") : "";
  switch (sync.state) {
    case "ok":
      return { line: `Up to date${set} · ${when(sync.last_success)}`, warning: null };
    case "pending":
      return { line: "Waiting for the first update", warning: null };
    case "stale":
      return {
        line: `Out of date${set}`,
        warning:
          `Policy packs are out of date: the signed update expired ${when(sync.expires_at)}. ` +
          `PostGuard keeps enforcing the last good packs${versions ? ` (${versions})` : ""}.`,
      };
    case "error":
      return {
        line: sync.last_success ? `Failing · last good ${when(sync.last_success)}` : "Failing",
        warning:
          `Policy updates are failing: ${sync.last_error ?? "unknown error"}. ` +
          "PostGuard keeps enforcing the last good packs.",
      };
    default:
      return { line: String(sync.state ?? "unknown"), warning: null };
  }
}

/**
 * The "Pending uploads" count, a note under it, and a warning when events pile up.
 * `uploads` is `/v1/status` → `sections.uploads` (present even when not enrolled).
 */
export function describeUploads(agent) {
  const uploads = isObject(agent?.sections?.uploads) ? agent.sections.uploads : null;
  // The top-level count is read per request; the section's may be a few seconds old.
  const pending = Number.isInteger(agent?.pending_uploads) ? agent.pending_uploads : (uploads?.pending ?? 0);
  if (uploads == null || uploads.state === "starting") return { pending, note: "", warning: null };
  let note = "";
  if (uploads.enrolled === false) note = "Not enrolled with IT: events are kept on this computer.";
  else if (uploads.last_error) note = `Last upload failed: ${uploads.last_error}. Retrying.`;
  else if (uploads.last_success) note = `Last upload ${when(uploads.last_success)}.`;
  let warning = null;
  if (uploads.backlog === true) {
    const since = uploads.oldest_pending ? ` since ${when(uploads.oldest_pending)}` : "";
    const why = uploads.last_error ? ` Last error: ${uploads.last_error}.` : "";
    warning =
      `${count(pending, "event")} waiting to reach IT${since}.${why} ` +
      "They are kept safely on this computer and sent when the collector answers.";
  }
  return { pending, note, warning };
}

/** Every warning the popup shows at the top, most urgent first. */
export function healthWarnings(agent) {
  const warnings = [];
  if (agent?.pack_error) warnings.push(`The last policy pack update was refused: ${agent.pack_error}.`);
  const sync = describeSync(agent).warning;
  if (sync) warnings.push(sync);
  const uploads = describeUploads(agent).warning;
  if (uploads) warnings.push(uploads);
  return warnings;
}

/**
 * One line of the "site layout" warning, for a drift report `{site, what, detail}` from
 * a content script. A composer whose submit button was not found is still checked and
 * its Ctrl/Cmd+Enter and form submit still gated; only a click on the button may slip.
 */
export function describeDrift(drift) {
  const site = drift?.site === "x" ? "X" : "LinkedIn";
  if (drift?.what === "postButton") {
    return (
      `${site} changed its page layout: PostGuard found a composer but not its Post button. ` +
      "Posts there are still checked, and Ctrl+Enter and the composer's form are still held " +
      "for warnings, but a click on the Post button may not be until PostGuard is updated."
    );
  }
  return `${site} changed its page layout (${drift?.what ?? "layout"}: ${drift?.detail || "not found"}). PostGuard may miss posts there until it is updated.`;
}
