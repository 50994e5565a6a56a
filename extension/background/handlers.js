// The named message handlers of the service worker. Content scripts and the popup
// send `{type, payload}`; only these functions reach the agent.

import { AgentError, AgentState } from "./agent_client.js";
import { HandlerError } from "./dispatch.js";

const MAX_TEXT = 100_000;
const POLICY_TTL_MS = 5 * 60 * 1000;
const PLATFORMS = new Set(["linkedin", "x"]);
const FEEDBACK_KINDS = new Set(["false_positive", "unclear", "other"]);

function requireString(value, name, { max = 10_000, min = 0 } = {}) {
  if (typeof value !== "string" || value.length < min || value.length > max) {
    throw new HandlerError("bad_request", `${name} must be a string of ${min}–${max} characters`);
  }
  return value;
}

function requirePlatform(value) {
  if (!PLATFORMS.has(value)) throw new HandlerError("bad_request", "platform must be linkedin or x");
  return value;
}

// What the popup may show about the last finding: never the draft or the matched text.
function summarise(finding, platform) {
  return {
    rule_id: finding.rule_id,
    pack: finding.pack,
    category: finding.category,
    severity: finding.severity,
    message: finding.message,
    policy: finding.policy,
    platform,
    at: Date.now(),
  };
}

/** A reply for the composer when the agent cannot be used: why, in one line. */
function unavailable(error) {
  if (error instanceof AgentError && Object.values(AgentState).includes(error.code)) {
    return { state: error.code, message: error.message };
  }
  throw error;
}

/**
 * @param {{client, state, session}} deps  `state` holds the in-memory settings and token;
 *   `session` is chrome.storage.session (memory only: nothing here reaches disk).
 */
export function createHandlers({ client, state, session, local, native = null }) {
  /** Ask the native host to pair (rate-limited there); true when something changed. */
  async function recovered() {
    if (native == null) return false;
    const port = state.settings.agentPort;
    const outcome = await native.pair();
    return outcome.paired || state.settings.agentPort !== port;
  }

  /** The popup's view of the agent: connection, how we paired, the last native attempt. */
  async function connection() {
    const { drift = {}, lastFinding = null, nativePairing = null } = await session.get([
      "drift",
      "lastFinding",
      "nativePairing",
    ]);
    const { pairedBy = null } = await local.get("pairedBy");
    const base = {
      paired: state.token != null,
      pairedBy: state.token != null ? pairedBy : null,
      nativePairing: nativePairing?.message ?? null,
      port: state.settings.agentPort,
      settings: state.settings,
      drift: Object.values(drift),
      lastFinding,
    };
    if (state.token == null) {
      const reachable = await client.health();
      return { ...base, connection: reachable ? AgentState.UNPAIRED : AgentState.OFFLINE };
    }
    try {
      const [agent, policyValue] = await Promise.all([client.call("/v1/status", {}), policy()]);
      return { ...base, connection: "connected", agent, policy: policyValue };
    } catch (error) {
      const { state: connection, message } = unavailable(error);
      return { ...base, connection, message };
    }
  }

  async function policy() {
    const { policyCache } = await session.get("policyCache");
    if (policyCache && Date.now() - policyCache.at < POLICY_TTL_MS) return policyCache.value;
    const value = await client.call("/v1/policy", {});
    await session.set({ policyCache: { at: Date.now(), value } });
    return value;
  }

  /** `refs` with each pack's version as the agent enforces it now (fetched afresh). */
  async function withCurrentVersions(refs) {
    await session.remove("policyCache");
    const current = new Map((await policy()).packs.map((p) => [p.id, p.version]));
    return refs.map((ref) =>
      current.has(ref.pack?.id) ? { ...ref, pack: { id: ref.pack.id, version: current.get(ref.pack.id) } } : ref,
    );
  }

  return {
    settings() {
      const { failMode, justificationMin, enabledSites } = state.settings;
      return { failMode, justificationMin, enabledSites, paired: state.token != null };
    },

    async check({ text, platform, url }) {
      requireString(text, "text", { max: MAX_TEXT });
      requirePlatform(platform);
      let result;
      const body = { text, platform };
      if (typeof url === "string" && url.startsWith("https://")) body.url = url.split(/[?#]/)[0];
      try {
        result = await client.call("/v1/check", body);
      } catch (error) {
        const reply = unavailable(error);
        // Not paired, not verified or not found: the native host may pair us (or name the
        // right port) at once; then this check is sent again, once.
        if (!(await recovered())) return reply;
        try {
          result = await client.call("/v1/check", body);
        } catch (again) {
          return unavailable(again);
        }
      }
      const findings = Array.isArray(result?.findings) ? result.findings : [];
      if (findings.length > 0) {
        const top = [...findings].sort((a, b) => rank(b.severity) - rank(a.severity))[0];
        await session.set({ lastFinding: summarise(top, platform) });
      }
      return { state: "ok", result };
    },

    async policy() {
      try {
        return { state: "ok", policy: await policy() };
      } catch (error) {
        return unavailable(error);
      }
    },

    async override({ findings, platform, reason, justification }) {
      requirePlatform(platform);
      requireString(reason, "reason", { min: 1, max: 200 });
      requireString(justification, "justification", { min: 1, max: 5000 });
      if (!Array.isArray(findings) || findings.length === 0) {
        throw new HandlerError("bad_request", "an override names at least one finding");
      }
      const refs = findings.map((f) => ({
        rule_id: f.rule_id,
        pack: f.pack,
        start: f.start,
        end: f.end,
        matched: f.matched,
      }));
      const send = (named) => client.call("/v1/overrides", { findings: named, platform, reason, justification });
      try {
        try {
          return await send(refs);
        } catch (error) {
          if (!(error instanceof AgentError && error.code === "version_mismatch")) throw error;
          // The agent swapped packs between the check and this override, and records only
          // the version it enforces now. The rule ids stand; name today's versions and
          // send once more (the agent still refuses a rule that no longer applies).
          return await send(await withCurrentVersions(refs));
        }
      } catch (error) {
        // The agent commits before it answers: an answer that never came may hide a
        // stored override, so this must not read as "not recorded".
        if (error instanceof AgentError && error.unconfirmed === "/v1/overrides") {
          throw new HandlerError("timeout", "the agent did not confirm the override in time");
        }
        throw error;
      }
    },

    async feedback({ rule_id, pack, kind, comment }) {
      requireString(rule_id, "rule_id", { min: 1, max: 200 });
      if (!FEEDBACK_KINDS.has(kind)) throw new HandlerError("bad_request", "unknown feedback kind");
      const body = { rule_id, kind };
      if (pack && typeof pack.id === "string" && typeof pack.version === "string") {
        body.pack = { id: pack.id, version: pack.version };
      }
      if (typeof comment === "string" && comment.trim()) body.comment = comment.slice(0, 2000);
      return client.call("/v1/feedback", body);
    },

    async acknowledge({ policy_version }) {
      requireString(policy_version, "policy_version", { min: 1, max: 200 });
      try {
        return await client.call("/v1/acknowledge", { policy_version });
      } finally {
        // Accepted: the status changes. Refused (the policy changed under the popup): the
        // next policy request must fetch the version in force, not the cached one.
        await session.remove("policyCache");
      }
    },

    async pair({ code }) {
      requireString(code, "code", { min: 1, max: 64 });
      const token = await client.pair(code.trim());
      await local.set({ token, pairedBy: "code" });
      state.token = token;
      await session.remove("policyCache");
      return { paired: true };
    },

    async unpair() {
      await local.remove(["token", "pairedBy"]);
      state.token = null;
      return { paired: false };
    },

    async drift({ site, what, detail }) {
      requireString(site, "site", { min: 1, max: 20 });
      requireString(what, "what", { min: 1, max: 100 });
      const { drift = {} } = await session.get("drift");
      drift[`${site}:${what}`] = { site, what, detail: String(detail ?? "").slice(0, 200), at: Date.now() };
      await session.set({ drift });
      return null;
    },

    async status() {
      if (state.token == null) await recovered();
      const reply = await connection();
      if (reply.connection === "connected" || !(await recovered())) return reply;
      return connection();
    },
  };
}

function rank(severity) {
  return { info: 0, warn: 1, block: 2 }[severity] ?? 0;
}
