import assert from "node:assert/strict";
import { test } from "node:test";

import { createAgentClient } from "../background/agent_client.js";
import { HandlerError, createDispatcher } from "../background/dispatch.js";
import { expectedProof, randomNonce, sameProof } from "../background/proof.js";
import { DEFAULTS, mergeSettings } from "../background/settings.js";
import { listen } from "./loopback.js";

test("dispatch: named handlers, unknown types and errors all answer", async () => {
  const order = [];
  const dispatch = createDispatcher(
    {
      echo: (payload) => payload.value,
      fail: () => {
        throw new HandlerError("bad_request", "nope");
      },
      crash: () => {
        throw new TypeError("boom");
      },
    },
    { before: async () => order.push("ready") },
  );
  assert.deepEqual(await dispatch({ type: "echo", payload: { value: 7 } }), { ok: true, value: 7 });
  assert.deepEqual(await dispatch({ type: "fail" }), { ok: false, error: { code: "bad_request", message: "nope" } });
  assert.deepEqual(await dispatch({ type: "crash" }), { ok: false, error: { code: "internal", message: "boom" } });
  assert.equal((await dispatch({ type: "toString" })).error.code, "unknown_message");
  assert.equal((await dispatch(null)).error.code, "unknown_message");
  assert.equal(order.length, 3, "every known handler waits for ready; unknown types do not");
});

test("proof: HMAC-SHA256 over the prefixed nonce, as the agent computes it", async () => {
  // Reference value from Python's hmac module.
  const proof = await expectedProof("tok-1234567890abcdef", "00ff".repeat(8));
  assert.equal(proof, "6ba1fbdb164ee63cb19aacf44a56a9a773f6a3046fd31aa2ae2a7b5321df8618");
  assert.equal(sameProof(proof, proof), true);
  assert.equal(sameProof(proof, proof.replace(/.$/, "0")), proof.endsWith("0"));
  assert.equal(sameProof(proof, undefined), false);
  assert.match(randomNonce(), /^[0-9a-f]{64}$/);
  assert.notEqual(randomNonce(), randomNonce());
});

test("settings: managed beats local beats defaults; bad values fall back", () => {
  const merged = mergeSettings(
    { failMode: "closed", agentPort: 80, enabledSites: ["x", "myspace"] },
    { agentPort: 47611, failMode: "open", justificationMin: 5 },
  );
  assert.equal(merged.failMode, "closed");
  assert.equal(merged.agentPort, 47611);
  assert.equal(merged.justificationMin, 5);
  assert.deepEqual(merged.enabledSites, ["x"]);
  assert.deepEqual(merged.managedKeys.sort(), ["enabledSites", "failMode"]);
  assert.equal(mergeSettings(undefined, {}).agentPort, DEFAULTS.agentPort);
});

const TOKEN = "tok-1234567890abcdef-0123456789";

test("client: a squatter that cannot prove the token never sees the draft", async () => {
  const squatter = await listen(async (path) => [200, path === "/v1/challenge" ? { proof: "00".repeat(32) } : {}]);
  const client = createAgentClient({ port: () => squatter.port, token: () => TOKEN });
  await assert.rejects(client.call("/v1/check", { text: "secret draft" }), { code: "untrusted" });
  assert.deepEqual(squatter.seen.map((r) => r.path), ["/v1/challenge"]);
  assert.equal(squatter.seen[0].auth, null, "the challenge carries no token");
  await squatter.close();
});

test("client: proves before every request with the bearer token, after a connection error too", async () => {
  let up = true;
  const agent = await listen(async (path, body) => {
    if (path === "/v1/challenge") return [200, { proof: await expectedProof(TOKEN, body.nonce) }];
    return [200, { verdict: "ok", findings: [], packs: [] }];
  });
  const port = agent.port;
  const client = createAgentClient({ port: () => (up ? port : 1), token: () => TOKEN });
  try {
    await client.call("/v1/check", { text: "a" });
    await client.call("/v1/check", { text: "b" });
    assert.deepEqual(agent.seen.map((r) => r.path), ["/v1/challenge", "/v1/check", "/v1/challenge", "/v1/check"]);
    assert.deepEqual(agent.seen.map((r) => r.auth), [null, `Bearer ${TOKEN}`, null, `Bearer ${TOKEN}`]);
    up = false;
    await assert.rejects(client.call("/v1/check", { text: "c" }), { code: "offline" });
    up = true;
    await client.call("/v1/check", { text: "d" });
    assert.deepEqual(agent.seen.map((r) => r.path).slice(4), ["/v1/challenge", "/v1/check"]);
  } finally {
    await agent.close();
  }
});

test("client: no token means unpaired, and a 401 asks to pair again", async () => {
  let forgotten = false;
  const agent = await listen(async (path, body) => {
    if (path === "/v1/challenge") return [200, { proof: await expectedProof(TOKEN, body.nonce) }];
    return [401, { error: { code: "unauthorized", message: "unauthorized" } }];
  });
  const none = createAgentClient({ port: () => agent.port, token: () => null });
  await assert.rejects(none.call("/v1/check", { text: "a" }), { code: "unpaired" });
  const stale = createAgentClient({ port: () => agent.port, token: () => TOKEN, onUnauthorized: () => (forgotten = true) });
  await assert.rejects(stale.call("/v1/status", {}), { code: "unpaired" });
  assert.equal(forgotten, true);
  await agent.close();
});
