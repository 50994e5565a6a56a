// Zero-touch pairing: the native host names the agent's port and a fresh code, and the
// extension runs the usual mutual exchange with it. Without a host, nothing changes: the
// code form is the way to pair. `send` stands in for chrome.runtime.sendNativeMessage
// (Chrome's side; the host itself is tested in tests/install and in real Chromium).

import assert from "node:assert/strict";
import { test } from "node:test";

import { createAgentClient } from "../background/agent_client.js";
import { createDispatcher } from "../background/dispatch.js";
import { createHandlers } from "../background/handlers.js";
import { RETRY_MS, createNativePairing, nativeSender } from "../background/native.js";
import { expectedProof } from "../background/proof.js";
import { DEFAULTS, mergeSettings } from "../background/settings.js";
import { fakeAgent, memoryArea } from "./fake_agent.js";
import { listen } from "./loopback.js";

const LIMIT = { timeout: 30_000 };
const CODE = "K7QM-3XTP";
const TOKEN = "tok_" + "N".repeat(40);

/** The worker's handlers with `send` as the native host; the agent port starts at `port`. */
function worker(port, send) {
  const state = { settings: { ...DEFAULTS, agentPort: port, managedKeys: [] }, token: null };
  const client = createAgentClient({ port: () => state.settings.agentPort, token: () => state.token });
  const local = memoryArea();
  const session = memoryArea();
  let clock = 1_000_000;
  const now = () => clock;
  const native = createNativePairing({ send, client, state, local, session, now });
  const dispatch = createDispatcher(createHandlers({ client, state, session, local, native }));
  return { dispatch, state, local, session, native, advance: (ms) => (clock += ms) };
}

async function agentWithCode() {
  let port = 0;
  const agent = await listen(fakeAgent(CODE, () => TOKEN, () => `127.0.0.1:${port}`));
  port = agent.port;
  return agent;
}

test("the host's port and code pair the extension with no typing, then checks flow", LIMIT, async () => {
  const agent = await agentWithCode();
  try {
    const asked = [];
    const send = async (message) => {
      asked.push(message);
      return { ok: true, port: agent.port, code: CODE, expires_at: "2030-01-01T00:00:00+00:00" };
    };
    // The extension starts on the default port; the host names this user's.
    const { dispatch, state, local } = worker(DEFAULTS.agentPort, send);
    const status = await dispatch({ type: "status" });
    assert.equal(status.value.connection, "connected");
    assert.equal(status.value.pairedBy, "native");
    assert.equal(status.value.port, agent.port);
    assert.deepEqual(asked, [{ type: "pair" }]);
    assert.equal(local.items.get("hostPort"), agent.port);
    assert.equal(local.items.get("token"), TOKEN);
    assert.equal(state.token, TOKEN);
    const paths = agent.seen.map((r) => r.path);
    assert.deepEqual(paths.slice(0, 2), ["/v1/pair", "/v1/pair"], "the usual two-step exchange");
    assert.equal(JSON.stringify(agent.seen).includes("K7QM"), false, "the code never left the extension");
    const checked = await dispatch({ type: "check", payload: { text: "hello", platform: "x" } });
    assert.equal(checked.value.state, "ok");
  } finally {
    await agent.close();
  }
});

test("no host registered: unpaired as before, no note, and the host is asked at most once a minute", async () => {
  let calls = 0;
  const send = async () => {
    calls += 1;
    throw new Error("Specified native messaging host not found.");
  };
  const { dispatch, advance } = worker(1, send);
  const first = await dispatch({ type: "status" });
  assert.equal(first.value.connection, "offline");
  assert.equal(first.value.nativePairing, null, "no host is not an error to show");
  await dispatch({ type: "status" });
  await dispatch({ type: "check", payload: { text: "hello", platform: "x" } });
  assert.equal(calls, 1);
  advance(RETRY_MS + 1);
  await dispatch({ type: "status" });
  assert.equal(calls, 2);
});

test("a host that refuses (a squatter on the port) leaves the extension unpaired and says why", async () => {
  const squatter = await listen(async (path, body) => [200, path === "/v1/challenge" ? { proof: await expectedProof("x".repeat(40), body.nonce) } : { status: "ok" }]);
  try {
    const send = async () => ({
      ok: false,
      port: squatter.port,
      error: { code: "not_your_agent", message: "the program on 127.0.0.1:1 is not your PostGuard agent (…)" },
    });
    const { dispatch, local } = worker(DEFAULTS.agentPort, send);
    const status = await dispatch({ type: "status" });
    assert.equal(status.value.connection, "unpaired");
    assert.match(status.value.nativePairing, /not your PostGuard agent/);
    assert.equal(local.items.has("token"), false);
    assert.deepEqual(squatter.seen.map((r) => r.path), ["/v1/health"], "no exchange was started");
  } finally {
    await squatter.close();
  }
});

test("replies that are not what the host sends are refused without pairing", async () => {
  for (const reply of [null, "text", { ok: true, port: 80, code: CODE }, { ok: true, port: 47601, code: "not a code" }]) {
    const { native, local } = worker(1, async () => reply);
    const outcome = await native.pair({ force: true });
    assert.equal(outcome.paired, false, JSON.stringify(reply));
    assert.equal(local.items.has("token"), false);
    assert.equal(local.items.get("hostPort") ?? null, reply?.port === 47601 ? 47601 : null, "only a valid port is kept");
  }
});

test("settings: the host's port wins over the user's and IT's own; without the permission nothing is sent", async () => {
  const merged = mergeSettings({ agentPort: 47700 }, { agentPort: 47611, hostPort: 47655 });
  assert.equal(merged.agentPort, 47655);
  assert.equal(merged.portFromAgent, true);
  assert.equal(mergeSettings({}, { hostPort: 80 }).agentPort, DEFAULTS.agentPort);
  await assert.rejects(nativeSender({})({ type: "pair" }), /not available/);
});
