// An agent port that takes the connection and then says nothing: each request gives up
// after the client's deadline, the agent counts as offline, and in the default open mode
// the Post button goes through (Chrome Enterprise DLP: fail open on a scan timeout).
// An override whose answer never came may still have been stored, and is worded so.

import assert from "node:assert/strict";
import { test } from "node:test";

import { createAgentClient } from "../background/agent_client.js";
import { createDispatcher } from "../background/dispatch.js";
import { createHandlers } from "../background/handlers.js";
import { expectedProof } from "../background/proof.js";
import { DEFAULTS } from "../background/settings.js";
import { gateDecision, overrideFailure } from "../content/findings.js";
import { listen } from "./loopback.js";

const TOKEN = "tok-1234567890abcdef-0123456789";
// Shorter than the real 4 s so the suite stays quick, and long enough that a loaded CI
// machine still answers the requests meant to succeed.
const TIMEOUT_MS = 500;
const LIMIT = { timeout: 15_000 }; // a client with no deadline fails here instead of hanging

const never = () => new Promise(() => {});

/** chrome.storage.session / .local as the worker uses them, held in memory. */
function memoryArea() {
  const items = new Map();
  return {
    async get(keys) {
      const names = Array.isArray(keys) ? keys : [keys];
      return Object.fromEntries(names.filter((k) => items.has(k)).map((k) => [k, items.get(k)]));
    },
    async set(values) {
      for (const [k, v] of Object.entries(values)) items.set(k, v);
    },
    async remove(key) {
      items.delete(key);
    },
  };
}

/** The worker's message table over a client for `port`, as content scripts reach it. */
function worker(port) {
  const client = createAgentClient({ port: () => port, token: () => TOKEN, timeoutMs: TIMEOUT_MS });
  const state = { settings: { ...DEFAULTS, managedKeys: [] }, token: TOKEN };
  const handlers = createHandlers({ client, state, session: memoryArea(), local: memoryArea() });
  return createDispatcher(handlers);
}

function postAction(state, failMode) {
  return gateDecision({ state, findings: [], overridden: new Set(), failMode }).action;
}

const DRAFT = { text: "Speaking on behalf of the company, hello", platform: "x" };
const OVERRIDE = {
  findings: [
    { rule_id: "company_voice.on-behalf", pack: { id: "baseline", version: "1" }, start: 0, end: 33, matched: "x" },
  ],
  platform: "x",
  reason: "approved",
  justification: "Approved by the communications team this morning.",
};

test("silent port: offline after the timeout, the draft never leaves, open mode posts", LIMIT, async () => {
  const silent = await listen(never);
  try {
    const send = worker(silent.port);
    const reply = await send({ type: "check", payload: DRAFT });
    assert.equal(reply.ok, true);
    assert.equal(reply.value.state, "offline");
    assert.match(reply.value.message, /timed out/);
    // The challenge went unanswered, so no text followed it.
    assert.deepEqual(silent.seen.map((r) => r.path), ["/v1/challenge"]);
    assert.equal(postAction(reply.value.state, "open"), "pass");
    assert.equal(postAction(reply.value.state, "closed"), "paused");

    const status = await send({ type: "status" });
    assert.equal(status.value.connection, "offline");

    // An override stuck at the challenge was never sent: plainly not recorded.
    const override = await send({ type: "override", payload: OVERRIDE });
    assert.equal(override.error.code, "offline");
    assert.match(overrideFailure(override.error), /was not recorded/);
  } finally {
    await silent.close();
  }
});

test("proven agent goes silent: offline, proved before every request; a late override may be stored", LIMIT, async () => {
  let hang = false;
  const agent = await listen(async (path, body) => {
    if (path === "/v1/challenge") return [200, { proof: await expectedProof(TOKEN, body.nonce) }];
    if (hang) return never();
    if (path === "/v1/check") return [200, { verdict: "ok", findings: [], packs: [] }];
    return [200, { override_id: "ov-1" }];
  });
  try {
    const send = worker(agent.port);
    assert.equal((await send({ type: "check", payload: DRAFT })).value.state, "ok");

    hang = true;
    const late = await send({ type: "check", payload: DRAFT });
    assert.equal(late.value.state, "offline");
    assert.match(late.value.message, /timed out/);
    assert.equal(postAction(late.value.state, "open"), "pass");

    // The override reached the agent, which commits before it answers: it may be stored.
    const override = await send({ type: "override", payload: OVERRIDE });
    assert.equal(override.ok, false);
    assert.equal(override.error.code, "timeout");
    const said = overrideFailure(override.error);
    assert.match(said, /may have been recorded/);
    assert.doesNotMatch(said, /not recorded/i);

    hang = false;
    assert.equal((await send({ type: "check", payload: DRAFT })).value.state, "ok");
    const paths = agent.seen.map((r) => r.path);
    // Every request follows a challenge of its own (the agent answers those even while it
    // hangs on the rest).
    assert.deepEqual(paths, [
      "/v1/challenge", "/v1/check",
      "/v1/challenge", "/v1/check", // timed out
      "/v1/challenge", "/v1/overrides", // the override that got no answer
      "/v1/challenge", "/v1/check",
    ]);
  } finally {
    await agent.close();
  }
});

test("packs swapped between check and override: the override names today's versions", LIMIT, async () => {
  const overrides = [];
  const agent = await listen(async (path, body) => {
    if (path === "/v1/challenge") return [200, { proof: await expectedProof(TOKEN, body.nonce) }];
    if (path === "/v1/policy") return [200, { packs: [{ id: "baseline", version: "2" }], policy_version: "baseline@2" }];
    if (path === "/v1/overrides") {
      overrides.push(body.findings.map((f) => f.pack.version));
      if (body.findings[0].pack.version !== "2") {
        return [409, { error: { code: "version_mismatch", message: "the active pack 'baseline' is version 2" } }];
      }
      return [200, { override_id: "ov-1" }];
    }
    return [404, {}];
  });
  try {
    const send = worker(agent.port);
    const reply = await send({ type: "override", payload: OVERRIDE });
    assert.equal(reply.ok, true, JSON.stringify(reply));
    assert.equal(reply.value.override_id, "ov-1");
    assert.deepEqual(overrides, [["1"], ["2"]]);
  } finally {
    await agent.close();
  }
});
