// The toolbar popup: connection, pack versions, last sync, pending uploads, the
// policy link, "report false positive" for the last finding, first-run policy
// acknowledgement, and pairing. All agent calls go through the service worker.

const $ = (id) => document.getElementById(id);

async function send(type, payload = {}) {
  try {
    return (await chrome.runtime.sendMessage({ type, payload })) ?? { ok: false, error: { message: "no reply" } };
  } catch (error) {
    return { ok: false, error: { code: "offline", message: String(error?.message ?? error) } };
  }
}

const CONNECTION_LABELS = {
  connected: "Connected",
  offline: "Agent offline",
  unpaired: "Not paired",
  untrusted: "Agent not verified",
};

function when(value) {
  if (!value) return "never";
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return String(value);
  return date.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
}

function lastSync(agent) {
  const sync = agent?.sections?.sync;
  if (sync && typeof sync === "object") {
    if (sync.last_success) return when(sync.last_success);
    if (sync.last_error) return `failed: ${sync.last_error}`;
  }
  return agent?.packs_source ? `${agent.packs_source} packs, ${when(agent.packs_activated_at)}` : "–";
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
  title.textContent = "Some composers are not being checked";
  box.append(title);
  for (const d of drift) {
    const p = document.createElement("p");
    const site = d.site === "x" ? "X" : "LinkedIn";
    p.textContent = `${site} changed its page layout (${d.what}: ${d.detail || "not found"}). PostGuard may miss posts there until it is updated.`;
    box.append(p);
  }
}

function renderLast(last) {
  $("last").hidden = last == null;
  if (!last) return;
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

async function refresh() {
  const reply = await send("status");
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

  $("pair").hidden = s.paired && s.connection !== "unpaired";
  $("offline").hidden = !(s.connection === "offline" || s.connection === "untrusted");
  if (s.connection === "untrusted") {
    $("offline-title").textContent = "Agent not verified";
    $("offline-text").textContent =
      "A program answers on the agent's port but cannot prove it is your PostGuard agent. Nothing is sent to it. Ask IT.";
  } else if (s.connection === "offline") {
    $("offline-text").textContent = `Nothing answers on 127.0.0.1:${s.port}. Start the agent with postguard serve; until then posts are not checked.`;
  }

  const connected = s.connection === "connected";
  $("details").hidden = !connected;
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
  $("last-sync").textContent = lastSync(agent);
  $("pending").textContent = String(agent.pending_uploads ?? 0);
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

refresh();
