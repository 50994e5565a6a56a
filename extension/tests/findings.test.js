import assert from "node:assert/strict";
import { test } from "node:test";

import { findingKey, gateDecision, pillState, readPolicy, unresolved } from "../content/findings.js";

const f = (severity, rule_id = `r.${severity}`, start = 0) => ({ rule_id, severity, matched: "x", start, end: start + 1 });

test("pill: offline, unpaired, counts and clean", () => {
  assert.equal(pillState({ state: "offline" }).label, "Agent offline");
  assert.equal(pillState({ state: "offline", failMode: "closed" }).detail, "Posting waits for the agent");
  assert.equal(pillState({ state: "unpaired" }).kind, "unpaired");
  assert.equal(pillState({ state: "ok", findings: [f("warn"), f("warn", "r2")] }).label, "2 warnings");
  assert.equal(pillState({ state: "ok", findings: [f("warn"), f("block")] }).kind, "block");
  assert.equal(pillState({ state: "ok", findings: [f("info")] }).label, "1 reminder");
  assert.equal(pillState({ state: "ok", findings: [] }).kind, "clean");
});

test("gate: warn gates until overridden, block always gates, info never", () => {
  const none = new Set();
  assert.equal(gateDecision({ state: "ok", findings: [f("info")], overridden: none }).action, "pass");
  const warn = gateDecision({ state: "ok", findings: [f("warn")], overridden: none });
  assert.equal(warn.action, "gate");
  assert.equal(warn.blocked, false);
  assert.equal(gateDecision({ state: "ok", findings: [f("warn")], overridden: new Set([findingKey(f("warn"))]) }).action, "pass");
  const block = gateDecision({ state: "ok", findings: [f("block")], overridden: new Set([findingKey(f("block"))]) });
  assert.equal(block.blocked, true);
  assert.deepEqual(unresolved([f("block"), f("info")], none).map((x) => x.severity), ["block"]);
});

test("gate: an offline agent never stops a post unless IT chose fail-closed", () => {
  const none = new Set();
  assert.equal(gateDecision({ state: "offline", overridden: none }).action, "pass");
  assert.equal(gateDecision({ state: "unpaired", overridden: none }).action, "pass");
  assert.equal(gateDecision({ state: "offline", overridden: none, failMode: "closed" }).action, "paused");
  assert.equal(gateDecision({ state: "ok", overridden: none, busy: true }).action, "wait");
});

test("policy: reasons in either shape, and the stricter minimum wins", () => {
  const p = readPolicy({ override_reasons: ["Approved by comms", { id: "public", label: "Already public" }], justification_min: 10 }, 25);
  assert.deepEqual(p.reasons.map((r) => r.id), ["Approved by comms", "public"]);
  assert.equal(p.min, 25);
  assert.equal(readPolicy({}, 0).reasons[0].id, "other");
});
