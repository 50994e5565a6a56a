// The listener on the agent's port can change between two requests without any request
// failing: the agent exits (an update, a crash, the user quits it) and another program
// binds the port before the worker next speaks. Nothing the worker sees tells the two
// apart, so a proof made earlier says nothing about whoever answers now. Every request
// that carries the token or a draft must follow a challenge of its own, on the port it
// is about to use, answered by that listener.

import assert from "node:assert/strict";
import { test } from "node:test";

import { createAgentClient } from "../background/agent_client.js";
import { createDispatcher } from "../background/dispatch.js";
import { createHandlers } from "../background/handlers.js";
import { expectedProof } from "../background/proof.js";
import { DEFAULTS } from "../background/settings.js";
import { memoryArea } from "./fake_agent.js";
import { listen } from "./loopback.js";

const TOKEN = "tok-1234567890abcdef-0123456789";
const SQUATTER_TOKEN = "squatter-token-0123456789abcdefghij";
const DRAFT = "Canary draft 7f3a: speaking on behalf of the company";
const LIMIT = { timeout: 30_000 };
// Node's fetch, unlike a browser, fails a request sent on a pooled connection the server
// has just closed instead of retrying it; one connection per request takes that out.
const CLOSE_EACH = { keepAlive: false };

/** Our agent, as far as these requests go: it proves TOKEN and answers every endpoint. */
async function ourAgent(path, body) {
  if (path === "/v1/challenge") return [200, { proof: await expectedProof(TOKEN, body.nonce) }];
  if (path === "/v1/check") return [200, { verdict: "ok", findings: [], packs: [] }];
  if (path === "/v1/status") return [200, { policy_acknowledged: true, packs: [] }];
  if (path === "/v1/policy") return [200, { packs: [{ id: "baseline", version: "1" }], policy_version: "baseline@1" }];
  if (path === "/v1/overrides") return [200, { override_id: "ov-1" }];
  if (path === "/v1/feedback") return [200, { recorded: true }];
  if (path === "/v1/acknowledge") return [200, { acknowledged: true }];
  return [404, { error: { code: "not_found", message: "no such endpoint" } }];
}

/** A squatter: it proves a token of its own and answers anything else as if all were fine. */
async function squatter(path, body) {
  if (path === "/v1/challenge") return [200, { proof: await expectedProof(SQUATTER_TOKEN, body.nonce) }];
  return [200, { verdict: "ok", findings: [], packs: [], policy_acknowledged: true, override_id: "ov-s" }];
}

/** The service worker's message table, paired with TOKEN, its agent on `port()`. */
function worker(port) {
  const state = { settings: { ...DEFAULTS, agentPort: port(), managedKeys: [] }, token: TOKEN };
  const client = createAgentClient({ port, token: () => state.token });
  return createDispatcher(createHandlers({ client, state, session: memoryArea(), local: memoryArea() }));
}

const RULE = { rule_id: "company_voice.on-behalf", pack: { id: "baseline", version: "1" } };

// Every message the popup and the content scripts send that reaches the agent with the token.
const TOKEN_BEARING = {
  check: { text: DRAFT, platform: "x", url: "https://x.com/home" },
  status: {},
  policy: {},
  override: {
    findings: [{ ...RULE, start: 0, end: 5, matched: DRAFT }],
    platform: "x",
    reason: "approved",
    justification: `Approved by the communications team: ${DRAFT}`,
  },
  feedback: { ...RULE, kind: "false_positive", comment: DRAFT },
  acknowledge: { policy_version: "baseline@1" },
};

/** Nothing but challenges reached `server`: no token, no draft, no other endpoint. */
function onlyChallenges(server, what) {
  const received = JSON.stringify(server.seen);
  assert.ok(server.seen.length > 0, `${what}: the squatter was never challenged`);
  assert.deepEqual(
    server.seen.map((r) => r.path).filter((p) => p !== "/v1/challenge"),
    [],
    `${what}: a request went past the challenge`,
  );
  assert.ok(server.seen.every((r) => r.auth == null), `${what}: the squatter received an Authorization header`);
  assert.equal(received.includes(TOKEN), false, `${what}: the squatter received the token`);
  assert.equal(received.includes("Canary draft"), false, `${what}: the squatter received the draft`);
}

for (const [type, payload] of Object.entries(TOKEN_BEARING)) {
  const name = `listener swapped after the proof, no request failing in between: ${type} sends the squatter nothing`;
  test(name, LIMIT, async () => {
    const agent = await listen(ourAgent, CLOSE_EACH);
    const port = agent.port;
    let taker = null;
    try {
      const dispatch = worker(() => port);
      // The worker proves our agent and uses it.
      const warm = await dispatch({ type: "check", payload: { text: "hello", platform: "x" } });
      assert.equal(warm.value.state, "ok");
      assert.equal(agent.seen.find((r) => r.path === "/v1/check").auth, `Bearer ${TOKEN}`);

      // The agent goes away and a squatter takes its port before the worker speaks again.
      await agent.close();
      taker = await listen(squatter, { port });

      const reply = await dispatch({ type, payload });
      onlyChallenges(taker, type);
      // Whatever the handler makes of it, it is never a success that came from the squatter.
      const said = JSON.stringify(reply);
      assert.match(said, /untrusted/, `${type}: ${said}`);
    } finally {
      await taker?.close();
      await agent.close();
    }
  });
}

test("an agent restarted on the same port is proved again before the token is sent", LIMIT, async () => {
  const first = await listen(ourAgent, CLOSE_EACH);
  const port = first.port;
  const dispatch = worker(() => port);
  assert.equal((await dispatch({ type: "check", payload: { text: "a", platform: "x" } })).value.state, "ok");
  await first.close();
  const second = await listen(ourAgent, { port, ...CLOSE_EACH });
  try {
    assert.equal((await dispatch({ type: "check", payload: { text: "b", platform: "x" } })).value.state, "ok");
    assert.equal((await dispatch({ type: "check", payload: { text: "c", platform: "x" } })).value.state, "ok");
    // Every request with the token follows its own challenge on this listener.
    assert.deepEqual(second.seen.map((r) => r.path), ["/v1/challenge", "/v1/check", "/v1/challenge", "/v1/check"]);
    assert.deepEqual(second.seen.map((r) => r.auth), [null, `Bearer ${TOKEN}`, null, `Bearer ${TOKEN}`]);
  } finally {
    await second.close();
  }
});

test("a port change between two requests: the new port is challenged before it gets the token", LIMIT, async () => {
  const agent = await listen(ourAgent, CLOSE_EACH);
  const other = await listen(squatter);
  let port = agent.port;
  try {
    // No reset(), no failure: only the port the settings name changes.
    const dispatch = worker(() => port);
    assert.equal((await dispatch({ type: "check", payload: { text: "a", platform: "x" } })).value.state, "ok");
    port = other.port;
    const reply = await dispatch({ type: "check", payload: { text: DRAFT, platform: "x" } });
    assert.equal(reply.value.state, "untrusted");
    onlyChallenges(other, "check after a port change");
  } finally {
    await other.close();
    await agent.close();
  }
});

test("the port is read once per request: the challenge and the token go to the same port", LIMIT, async () => {
  const agent = await listen(ourAgent, CLOSE_EACH);
  const other = await listen(squatter);
  try {
    // A port that changes after every read (settings reloaded mid-request).
    const ports = [agent.port, other.port];
    let reads = 0;
    const client = createAgentClient({ port: () => ports[reads++ % 2], token: () => TOKEN });
    await client.call("/v1/check", { text: DRAFT, platform: "x" });
    assert.deepEqual(agent.seen.map((r) => r.path), ["/v1/challenge", "/v1/check"]);
    assert.deepEqual(other.seen, []);
  } finally {
    await other.close();
    await agent.close();
  }
});

test("a challenge answered with a redirect to our agent elsewhere does not prove the listener", LIMIT, async () => {
  const agent = await listen(ourAgent, CLOSE_EACH);
  const redirector = await listen(async (path) => {
    if (path === "/v1/challenge") return [307, {}, { Location: `http://127.0.0.1:${agent.port}/v1/challenge` }];
    return [200, { verdict: "ok", findings: [] }];
  });
  try {
    const dispatch = worker(() => redirector.port);
    const reply = await dispatch({ type: "check", payload: { text: DRAFT, platform: "x" } });
    assert.equal(reply.value.state, "untrusted");
    onlyChallenges(redirector, "redirected challenge");
    assert.deepEqual(agent.seen, [], "the redirect was not followed");
  } finally {
    await redirector.close();
    await agent.close();
  }
});
