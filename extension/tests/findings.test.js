import assert from "node:assert/strict";
import { test } from "node:test";

import {
  findingKey,
  fitReplacement,
  gateDecision,
  overrideFailure,
  pillState,
  readPolicy,
  suggestionActions,
  unresolved,
} from "../content/findings.js";

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

test("override failure: only a timeout leaves the record open; nothing is ever posted", () => {
  const timeout = overrideFailure({ code: "timeout", message: "the request took too long" });
  assert.match(timeout, /may have been recorded/);
  assert.doesNotMatch(timeout, /not recorded/i);
  const refused = overrideFailure({
    code: "not_recorded",
    message: "not recorded: the audit log could not be written (disk full or read-only?); nothing was saved, please retry",
  });
  assert.match(refused, /^Not recorded: /);
  assert.doesNotMatch(refused, /not recorded: not recorded/i);
  assert.match(overrideFailure({ code: "offline", message: "no reply" }), /was not recorded/);
  assert.equal(
    overrideFailure({ code: "justification_rejected", message: "the justification contains personal data." }),
    "Not recorded: the justification contains personal data. Nothing was posted.",
  );
  assert.match(overrideFailure(undefined), /^Not recorded: unknown error\./);
  for (const code of ["timeout", "not_recorded", "offline", "busy", undefined]) {
    assert.match(overrideFailure({ code, message: "x" }), /Nothing was posted|nothing was posted/);
  }
});

test("suggestions: a disclosure is added, never put in place of the promoted product", () => {
  const finding = { category: "disclosure", matched: "Try ExampleDesk", replacements: ["#ExampleCoEmployee"] };
  assert.deepEqual(suggestionActions(finding), [{ kind: "append", text: "#ExampleCoEmployee", label: "Add “#ExampleCoEmployee”" }]);
  // A pack may say so itself, for any category.
  const explicit = { category: "company_voice", matched: "x", replacements: [{ text: "#ad", kind: "append" }, "In my view"] };
  assert.deepEqual(suggestionActions(explicit).map((a) => [a.kind, a.text]), [["append", "#ad"], ["replace", "In my view"]]);
});

test("suggestions: a placeholder URL keeps the scheme and host that were matched", () => {
  const template = "postgres://USER:PASSWORD@HOST/DB";
  assert.equal(fitReplacement(template, "https://deploy:tok3n-abc@git.example.org"), "https://USER:PASSWORD@git.example.org");
  assert.equal(fitReplacement(template, "postgres://app:Sup3r@db.prod:5432"), "postgres://USER:PASSWORD@db.prod:5432");
  // A URL that cannot be fitted to the match is not offered; plain text stands as written.
  assert.equal(fitReplacement(template, "the password is hunter2"), null);
  assert.equal(fitReplacement("https://example.com/help", "ftp://files.example.com"), null);
  assert.equal(fitReplacement("In my personal view", "Speaking on behalf of the company"), "In my personal view");
  const finding = { category: "credentials", matched: "https://deploy:tok3n-abc@git.example.org", replacements: [template] };
  assert.deepEqual(suggestionActions(finding).map((a) => a.label), ["Replace with “https://USER:PASSWORD@git.example.org”"]);
});

test("suggestions: malformed entries are skipped, at most three are offered", () => {
  const finding = { category: "company_voice", matched: "x", replacements: [null, 7, { kind: "replace" }, "", "a", "b", "c", "d"] };
  assert.deepEqual(suggestionActions(finding).map((a) => a.text), ["a", "b", "c"]);
});
