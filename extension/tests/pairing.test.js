// Pairing is mutual: the program on the agent's port must prove it knows the code
// before the extension keeps its token or sends it anything else. A squatter that
// answers pairing with a token of its own (the old attack) gets refused, never sees
// the code, and never receives a draft.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";

import { createAgentClient } from "../background/agent_client.js";
import { createDispatcher } from "../background/dispatch.js";
import { createHandlers } from "../background/handlers.js";
import {
  ITERATIONS,
  agentProof,
  deriveKeys,
  extensionProof,
  normaliseCode,
  openToken,
  transcript,
} from "../background/pairing.js";
import { expectedProof, randomNonce } from "../background/proof.js";
import { DEFAULTS } from "../background/settings.js";
import { fakeAgent, memoryArea } from "./fake_agent.js";
import { listen } from "./loopback.js";

// Computed by the agent's own code (agent/security/pairing_proof.py); a pytest checks that
// Python still produces exactly these values.
const V = JSON.parse(readFileSync(new URL("./pairing_vectors.json", import.meta.url), "utf8"));
const CODE = "K7QM-3XTP";
const LIMIT = { timeout: 30_000 };

const hex = (bytes) => Buffer.from(bytes).toString("hex");

/** The service worker's message table on `port`, unpaired, with its storage in memory. */
function worker(port) {
  const state = { settings: { ...DEFAULTS, agentPort: port, managedKeys: [] }, token: null };
  const client = createAgentClient({ port: () => port, token: () => state.token });
  const local = memoryArea();
  const dispatch = createDispatcher(createHandlers({ client, state, session: memoryArea(), local }));
  return { dispatch, state, local, client };
}

/** A squatter playing the old attack: its own token for any pairing, its own proof for the challenge. */
function oldAttack(squatterToken) {
  return async (path, body) => {
    if (path === "/v1/health") return [200, { status: "ok" }];
    if (path === "/v1/challenge") return [200, { proof: await expectedProof(squatterToken, body.nonce) }];
    if (path === "/v1/pair") return [200, { token: squatterToken }];
    return [200, { verdict: "ok", findings: [] }];
  };
}

/** A squatter that follows the new protocol as far as it can without the code. */
function mimic(squatterToken) {
  return async (path, body) => {
    if (path === "/v1/challenge") return [200, { proof: await expectedProof(squatterToken, body.nonce) }];
    if (path === "/v1/pair" && body.step === "hello") return [200, { agent_nonce: randomNonce() }];
    if (path === "/v1/pair") {
      const random = (n) => hex(crypto.getRandomValues(new Uint8Array(n)));
      return [200, { iv: random(12), sealed_token: random(59), proof: random(32), token: squatterToken }];
    }
    return [200, { verdict: "ok", findings: [] }];
  };
}

test("vectors: the extension derives, proves and opens exactly as the agent does", LIMIT, async () => {
  assert.equal(ITERATIONS, V.iterations);
  assert.equal(normaliseCode(V.typed_code), V.code);
  const exchange = transcript(V.address, V.nonce, V.agent_nonce);
  assert.equal(exchange, V.transcript);
  const keys = await deriveKeys(V.code, V.nonce);
  assert.deepEqual({ extension: hex(keys.extension), agent: hex(keys.agent), token: hex(keys.token) }, V.keys);
  assert.equal(await extensionProof(keys, exchange), V.extension_proof);
  assert.equal(await agentProof(keys, exchange, V.token), V.agent_proof);
  assert.equal(await openToken(keys, exchange, { iv: V.iv, sealed_token: V.sealed_token }), V.token);

  // One flipped bit, another transcript (a relay on another port), or another code: nothing opens.
  const flipped = V.sealed_token.replace(/^./, (c) => (c === "0" ? "1" : "0"));
  assert.equal(await openToken(keys, exchange, { iv: V.iv, sealed_token: flipped }), null);
  const relayed = transcript("127.0.0.1:47601", V.nonce, V.agent_nonce);
  assert.equal(await openToken(keys, relayed, { iv: V.iv, sealed_token: V.sealed_token }), null);
  const other = await deriveKeys("K7QM3XTQ", V.nonce);
  assert.equal(await openToken(other, exchange, { iv: V.iv, sealed_token: V.sealed_token }), null);
  assert.equal(await openToken(keys, exchange, { iv: "00", sealed_token: V.sealed_token }), null);
  assert.equal(await openToken(keys, exchange, {}), null);
});

test("codes: typed with or without dash and in any case; anything else is refused locally", () => {
  assert.equal(normaliseCode(" k7qm 3xtp "), "K7QM3XTP");
  for (const bad of ["", "K7QM-3XT", "K7QM-3XTPX", "K7QM-3XT1", "K7QM-3XTO", null, 42]) {
    assert.equal(normaliseCode(bad), null, String(bad));
  }
});

test("squatter at pairing time (old attack): refused, never sees the code, never gets a draft", LIMIT, async () => {
  const squatter = await listen(oldAttack("squatter-token-0123456789abcdefghij"));
  try {
    const { dispatch, local, state } = worker(squatter.port);
    const paired = await dispatch({ type: "pair", payload: { code: CODE } });
    assert.equal(paired.ok, false);
    assert.equal(paired.error.code, "untrusted");
    assert.match(paired.error.message, /not your PostGuard agent/);
    assert.equal(local.items.has("token"), false, "no token kept");
    assert.equal(state.token, null);

    const checked = await dispatch({ type: "check", payload: { text: "secret draft", platform: "x" } });
    assert.equal(checked.value.state, "unpaired");

    const received = JSON.stringify(squatter.seen);
    assert.equal(received.includes("K7QM"), false, "the code never left the extension");
    assert.equal(received.includes("3XTP"), false);
    assert.equal(received.includes("secret draft"), false);
    assert.deepEqual(squatter.seen.map((r) => r.path), ["/v1/pair"], "it stopped at the first reply");
    assert.ok(squatter.seen.every((r) => r.auth == null));
  } finally {
    await squatter.close();
  }
});

test("a squatter that follows the protocol without the code is refused after our proof", LIMIT, async () => {
  const squatter = await listen(mimic("squatter-token-0123456789abcdefghij"));
  try {
    const { dispatch, local } = worker(squatter.port);
    const paired = await dispatch({ type: "pair", payload: { code: CODE } });
    assert.equal(paired.error?.code, "untrusted");
    assert.equal(local.items.has("token"), false);
    assert.deepEqual(squatter.seen.map((r) => r.path), ["/v1/pair", "/v1/pair"]);
    const [hello, prove] = squatter.seen.map((r) => r.body);
    assert.deepEqual(Object.keys(hello).sort(), ["nonce", "step"]);
    assert.deepEqual(Object.keys(prove).sort(), ["agent_nonce", "nonce", "proof", "step"]);
    assert.equal(JSON.stringify(squatter.seen).includes("K7QM"), false);
    await dispatch({ type: "check", payload: { text: "secret draft", platform: "x" } });
    assert.equal(JSON.stringify(squatter.seen).includes("secret draft"), false);
  } finally {
    await squatter.close();
  }
});

test("an agent that knows the code pairs; the challenge then proves the new token", LIMIT, async () => {
  const issued = "tok_" + "A".repeat(40);
  let port = 0;
  const agent = await listen(fakeAgent(CODE, () => issued, () => `127.0.0.1:${port}`));
  port = agent.port;
  try {
    const { dispatch, local, state } = worker(port);
    const paired = await dispatch({ type: "pair", payload: { code: "k7qm3xtp" } });
    assert.deepEqual(paired, { ok: true, value: { paired: true } });
    assert.equal(local.items.get("token"), issued);
    assert.equal(state.token, issued);
    const checked = await dispatch({ type: "check", payload: { text: "hello", platform: "x" } });
    assert.equal(checked.value.state, "ok");
    assert.deepEqual(agent.seen.map((r) => r.path), ["/v1/pair", "/v1/pair", "/v1/challenge", "/v1/check"]);
    assert.equal(agent.seen[3].auth, `Bearer ${issued}`);
  } finally {
    await agent.close();
  }
});

test("a relay from our port to an agent elsewhere fails the proof: nothing is kept", LIMIT, async () => {
  // The agent knows the code but sees the connection arrive on another port (a relay).
  const agent = await listen(fakeAgent(CODE, () => "tok_" + "B".repeat(40), () => "127.0.0.1:1"));
  try {
    const { dispatch, local } = worker(agent.port);
    const paired = await dispatch({ type: "pair", payload: { code: CODE } });
    assert.equal(paired.ok, false);
    assert.equal(paired.error.code, "bad_code", "the agent refuses a proof made for another address");
    assert.equal(local.items.has("token"), false);
  } finally {
    await agent.close();
  }
});

test("a malformed code is refused before anything is sent", async () => {
  const squatter = await listen(oldAttack("squatter-token-0123456789abcdefghij"));
  try {
    const { dispatch } = worker(squatter.port);
    const paired = await dispatch({ type: "pair", payload: { code: "1234" } });
    assert.equal(paired.error.code, "bad_code");
    assert.deepEqual(squatter.seen, []);
  } finally {
    await squatter.close();
  }
});
