// The toolbar popup (also the first-run tab): connection, pack versions, pack
// updates, pending uploads, the policy link, "report false positive" for the last
// finding, first-run policy acknowledgement, and pairing. All agent calls go
// through the service worker; the wording lives in view.js.

import { CONNECTION_LABELS, describeDrift, describeSync, describeUploads, healthWarnings, when } from "./view.js";

const $ = (id) => document.getElementById(id);
const WELCOME = new URLSearchParams(location.search).has("welcome");

async function send(type, payload = {}) {
  try {
    return (await chrome.runtime.sendMessage({ type, payload })) ?? { ok: false, error: { message: "no reply" } };
  } catch (error) {
    return { ok: false, error: { code: "offline", message: String(error?.message ?? error) } };
  }
}

function policyUrl(policy) {
  return policy?.packs?.find((p) => p.policy_url)?.policy_url ?? null;
}

function showLink(node, url, label) {
  node.hidden = !url;
  if (url) {
    node.href = url;
    if (label) node.textContent = label;
  }
}

function renderDrift(drift) {
  const box = $("drift");
  box.hidden = drift.length === 0;
  box.replaceChildren();
  if (drift.length === 0) return;
  const title = document.createElement("h2");
  title.textContent = drift.every((d) => d.what === "postButton")
    ? "Some composers are only partly gated"
    : "Some composers are not being checked";
  box.append(title);
  for (const d of drift) {
    const p = document.createElement("p");
    p.textContent = describeDrift(d);
    box.append(p);
  }
}

let shownFinding = null;

function renderLast(last) {
  $("last").hidden = last == null;
  if (!last) return;
  const key = `${last.rule_id}@${last.at}`;
  if (key !== shownFinding) {
    // A newer finding: its report has not been sent yet.
    shownFinding = key;
    $("report").disabled = false;
    $("report-status").textContent = "";
  }
  $("last-message").textContent = last.message;
  const section = last.policy ? ` · § ${last.policy.section}` : "";
  $("last-meta").textContent = `${last.rule_id}${section} · ${last.platform === "x" ? "X" : "LinkedIn"} · ${when(last.at)}`;
  $("report").onclick = async () => {
    $("report").disabled = true;
    const reply = await send("feedback", { rule_id: last.rule_id, pack: last.pack, kind: "false_positive" });
    $("report-status").textContent = reply.ok ? "Thanks, reported to IT." : `Not sent: ${reply.error?.message}`;
    $("report").disabled = reply.ok;
  };
}

function renderHealth(agent) {
  const warnings = agent ? healthWarnings(agent) : [];
  $("health").hidden = warnings.length === 0;
  $("health-list").replaceChildren(
    ...warnings.map((text) => {
      const li = document.createElement("li");
      li.textContent = text;
      return li;
    }),
  );
}

function renderWelcome(s) {
  $("welcome").hidden = !WELCOME;
  if (!WELCOME) return;
  const paired = s.paired && s.connection !== "unpaired";
  $("step-pair").dataset.done = String(paired);
  $("step-ack").dataset.done = String(s.connection === "connected" && s.agent?.policy_acknowledged === true);
}

let generation = 0;

async function refresh() {
  const mine = ++generation;
  const reply = await send("status");
  if (mine !== generation) return; // a newer refresh started (port or pairing changed)
  if (!reply.ok) {
    $("connection").dataset.state = "offline";
    $("connection").textContent = "Error";
    return;
  }
  const s = reply.value;
  $("connection").dataset.state = s.connection;
  $("connection").textContent = CONNECTION_LABELS[s.connection] ?? s.connection;
  $("mode").textContent = s.settings.failMode === "closed" ? "Posting waits for the agent when it is offline" : "";
  renderDrift(s.drift ?? []);
  renderLast(s.lastFinding);

  // Pairing is offered when unverified too: after a revocation the agent proves with a
  // token we no longer hold, and the exchange itself refuses anything but our agent.
  $("pair").hidden = s.paired && s.connection !== "unpaired" && s.connection !== "untrusted";
  // Why the browser could not pair by itself (the agent installed by IT registers a host
  // that pairs without a code); nothing when no host is installed.
  $("native-note").hidden = !s.nativePairing;
  $("native-note").textContent = s.nativePairing ? `Automatic pairing did not work: ${s.nativePairing}` : "";
  $("offline").hidden = !(s.connection === "offline" || s.connection === "untrusted");
  if (s.connection === "untrusted") {
    $("offline-title").textContent = "Agent not verified";
    $("offline-text").textContent =
      "The program on the agent's port cannot prove it is your PostGuard agent, so nothing is sent to it. " +
      "If this browser's pairing was revoked, pair again below; if the new code is refused too, ask IT.";
  } else if (s.connection === "offline") {
    $("offline-text").textContent = `Nothing answers on 127.0.0.1:${s.port}. Start the agent with postguard serve; until then posts are not checked.`;
  }

  const connected = s.connection === "connected";
  renderWelcome(s);
  renderHealth(connected ? s.agent : null);
  $("details").hidden = !connected;
  $("auto-paired").hidden = !(connected && s.pairedBy === "native");
  $("ack").hidden = true;
  if (!connected) return;
  const { agent, policy } = s;
  const packs = $("packs");
  packs.replaceChildren(
    ...(agent.packs ?? []).map((p) => {
      const li = document.createElement("li");
      const name = document.createElement("span");
      name.textContent = p.id;
      const version = document.createElement("span");
      version.textContent = `v${p.version}`;
      li.append(name, version);
      return li;
    }),
  );
  $("last-sync").textContent = describeSync(agent).line;
  const uploads = describeUploads(agent);
  $("pending").textContent = String(uploads.pending);
  $("uploads-note").textContent = uploads.note;
  $("agent-version").textContent = agent.agent_version ?? "–";
  const url = policyUrl(policy);
  showLink($("policy-link"), url);
  if (!agent.policy_acknowledged) {
    $("ack").hidden = false;
    showLink($("ack-link"), url);
    $("ack-button").onclick = async () => {
      $("ack-button").disabled = true;
      const ack = await send("acknowledge", { policy_version: policy.policy_version });
      if (ack.ok) refresh();
      else {
        $("ack-error").textContent = ack.error?.message ?? "not recorded";
        $("ack-button").disabled = false;
      }
    };
  }
}

$("pair-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const button = event.target.querySelector("button");
  button.disabled = true;
  $("pair-error").textContent = "";
  const reply = await send("pair", { code: $("pair-code").value });
  button.disabled = false;
  if (reply.ok) {
    $("pair-code").value = "";
    refresh();
  } else {
    $("pair-error").textContent =
      reply.error?.code === "offline" ? "The agent is not running. Start it with postguard serve." : reply.error?.message;
  }
});

// Pairing from another window, a new port or an IT policy change: show it at once.
chrome.storage.onChanged.addListener((changes, area) => {
  if (area === "managed" || (area === "local" && ("token" in changes || "agentPort" in changes || "failMode" in changes))) {
    refresh();
  }
});

if (WELCOME) document.body.classList.add("tab");
refresh();
// Status changes while the popup is open (an upload backlog, a failed pack update).
setInterval(refresh, 5000);
