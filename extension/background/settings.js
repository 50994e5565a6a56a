// Effective settings: IT-managed values (chrome.storage.managed) win over the
// user's own (options page, chrome.storage.local), which win over defaults. One
// exception: the agent port the native messaging host reported (`hostPort`, native.js)
// wins over both, since it is the port this user's agent is configured with, read from
// the same settings files (the managed one included) that the agent reads.

export const DEFAULTS = Object.freeze({
  agentPort: 47600,
  failMode: "open",
  justificationMin: 20,
  enabledSites: ["linkedin", "x"],
});

const SITES = new Set(DEFAULTS.enabledSites);

export function validPort(value) {
  return Number.isInteger(value) && value >= 1024 && value <= 65535;
}

/** Keep only well-formed values; a bad managed value falls back rather than breaking checks. */
export function cleanSettings(raw) {
  const out = {};
  if (raw == null || typeof raw !== "object") return out;
  if (validPort(raw.agentPort)) out.agentPort = raw.agentPort;
  if (raw.failMode === "open" || raw.failMode === "closed") out.failMode = raw.failMode;
  if (Number.isInteger(raw.justificationMin) && raw.justificationMin >= 0) {
    out.justificationMin = Math.min(raw.justificationMin, 2000);
  }
  if (Array.isArray(raw.enabledSites)) out.enabledSites = raw.enabledSites.filter((s) => SITES.has(s));
  return out;
}

/** Merge layers; `managedKeys` tells the options page which fields it may not change. */
export function mergeSettings(managed, local) {
  const m = cleanSettings(managed);
  const l = cleanSettings(local);
  const merged = { ...DEFAULTS, ...l, ...m, managedKeys: Object.keys(m), portFromAgent: false };
  if (validPort(local?.hostPort)) {
    merged.agentPort = local.hostPort;
    merged.portFromAgent = true;
  }
  return merged;
}

const LOCAL_KEYS = ["agentPort", "failMode", "justificationMin", "enabledSites", "hostPort"];

export async function loadSettings(storage = chrome.storage) {
  let managed = {};
  try {
    managed = await storage.managed.get(null);
  } catch {
    // No policy installed (or managed storage unsupported): nothing is managed.
  }
  const local = await storage.local.get(LOCAL_KEYS);
  return mergeSettings(managed, local);
}
