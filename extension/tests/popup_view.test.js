import assert from "node:assert/strict";
import { test } from "node:test";

import { describeDrift, describeSync, describeUploads, healthWarnings } from "../popup/view.js";

// Shapes as /v1/status returns them (agent/events/upload.py UploadStatus, agent/sync/status.py).
const uploads = (over = {}) => ({
  enrolled: true,
  collector: "https://collector.example",
  pending: 3,
  backlog: false,
  oldest_pending: "2026-05-01T09:00:00Z",
  last_attempt: "2026-05-01T09:05:00Z",
  last_success: "2026-05-01T09:05:00Z",
  last_error: null,
  next_attempt_in_s: 60,
  uploaded_since_start: 12,
  ...over,
});
const sync = (over = {}) => ({
  index_url: "https://packs.example/index.json",
  source: "synced",
  serial: 7,
  packs: [{ id: "baseline", version: "2026.2.0" }],
  expires_at: "2026-06-01T00:00:00Z",
  last_attempt: "2026-05-01T09:00:00Z",
  last_success: "2026-05-01T09:00:00Z",
  last_result: "unchanged",
  last_error: null,
  next_attempt: null,
  state: "ok",
  ...over,
});
const agent = (sections, over = {}) => ({
  packs_source: "synced",
  pending_uploads: sections.uploads?.pending ?? 3,
  pack_error: null,
  sections,
  ...over,
});

test("uploads: a healthy, enrolled agent shows its count and no warning", () => {
  const view = describeUploads(agent({ uploads: uploads() }));
  assert.equal(view.pending, 3);
  assert.match(view.note, /^Last upload /);
  assert.equal(view.warning, null);
  assert.deepEqual(healthWarnings(agent({ uploads: uploads(), sync: sync() })), []);
});

test("uploads: the backlog flag is a warning that says how many wait, since when, and why", () => {
  const a = agent({ uploads: uploads({ pending: 1204, backlog: true, last_error: "collector answered HTTP 503" }) });
  const view = describeUploads(a);
  assert.equal(view.pending, 1204);
  assert.match(view.warning, /^1,204 events waiting to reach IT since /);
  assert.match(view.warning, /Last error: collector answered HTTP 503\./);
  assert.match(view.warning, /kept safely on this computer/);
  assert.equal(healthWarnings(a).length, 1);
  // The same count without the flag is not a warning.
  assert.equal(describeUploads(agent({ uploads: uploads({ pending: 1204 }) })).warning, null);
});

test("uploads: not enrolled is a note, not a warning; a failed upload is a note too", () => {
  const unenrolled = uploads({ enrolled: false, collector: null, pending: 1, last_error: "not enrolled: run `postguard enroll URL --token T`" });
  const view = describeUploads(agent({ uploads: unenrolled }));
  assert.equal(view.note, "Not enrolled with IT: events are kept on this computer.");
  assert.equal(view.warning, null);
  assert.match(describeUploads(agent({ uploads: uploads({ last_error: "timed out" }) })).note, /Last upload failed: timed out/);
});

test("uploads: the live top-level count wins over the section's periodic one", () => {
  assert.equal(describeUploads(agent({ uploads: uploads({ pending: 4 }) }, { pending_uploads: 6 })).pending, 6);
  assert.equal(describeUploads(agent({ uploads: uploads({ pending: 4 }) }, { pending_uploads: undefined })).pending, 4);
});

test("uploads: an agent without the section falls back to pending_uploads", () => {
  assert.deepEqual(describeUploads(agent({}, { pending_uploads: 5 })), { pending: 5, note: "", warning: null });
  assert.equal(describeUploads(agent({ uploads: { state: "starting" } }, { pending_uploads: 2 })).pending, 2);
  assert.equal(describeUploads(agent({ uploads: { error: "TypeError" } }, { pending_uploads: 2 })).warning, null);
});

test("sync: ok, disabled and pending are lines without warnings", () => {
  assert.match(describeSync(agent({ sync: sync() })).line, /^Up to date \(set 7\) · /);
  assert.equal(describeSync(agent({ sync: sync({ state: "disabled", index_url: null }) }, { packs_source: "bundled" })).line, "Off · packs bundled with the agent");
  assert.equal(describeSync(agent({}, { packs_source: "bundled" })).line, "Off · packs bundled with the agent");
  assert.equal(describeSync(agent({ sync: sync({ state: "pending" }) })).warning, null);
});

test("sync: stale and error warn, naming the enforced versions or the error", () => {
  const stale = describeSync(agent({ sync: sync({ state: "stale" }) }));
  assert.equal(stale.line, "Out of date (set 7)");
  assert.match(stale.warning, /^Policy packs are out of date: the signed update expired /);
  assert.match(stale.warning, /last good packs \(baseline 2026\.2\.0\)/);
  const failing = describeSync(agent({ sync: sync({ state: "error", last_error: "signature does not verify" }) }));
  assert.match(failing.line, /^Failing · last good /);
  assert.equal(failing.warning, "Policy updates are failing: signature does not verify. PostGuard keeps enforcing the last good packs.");
  assert.equal(describeSync(agent({ sync: sync({ state: "error", last_success: null, last_error: "x" }) })).line, "Failing");
});

test("warnings: a refused pack, failing sync and an upload backlog all show, most urgent first", () => {
  const warnings = healthWarnings(
    agent(
      { sync: sync({ state: "error", last_error: "connection refused" }), uploads: uploads({ backlog: true, pending: 1001 }) },
      { pack_error: "baseline: version 2026.1.0 is not newer than 2026.2.0" },
    ),
  );
  assert.equal(warnings.length, 3);
  assert.match(warnings[0], /^The last policy pack update was refused/);
  assert.match(warnings[1], /^Policy updates are failing: connection refused/);
  assert.match(warnings[2], /^1,001 events waiting/);
});

test("layout drift: a composer without a known button is said to be partly gated", () => {
  const text = describeDrift({ site: "x", what: "postButton", detail: "a composer's Post button was not found" });
  assert.match(text, /^X changed its page layout: PostGuard found a composer but not its Post button\./);
  assert.match(text, /still checked/);
  assert.match(text, /Ctrl\+Enter/);
  assert.match(describeDrift({ site: "linkedin", what: "editor", detail: "" }), /^LinkedIn changed its page layout \(editor: not found\)/);
});
