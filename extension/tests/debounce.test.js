import assert from "node:assert/strict";
import { test } from "node:test";

import { LatestOnly, debounce } from "../content/debounce.js";

// A hand-driven clock: time moves only when the test says so.
function fakeTimers() {
  let now = 0;
  let nextId = 1;
  const timers = new Map();
  return {
    setTimeout(fn, ms) {
      const id = nextId++;
      timers.set(id, { fn, at: now + ms });
      return id;
    },
    clearTimeout(id) {
      timers.delete(id);
    },
    advance(ms) {
      now += ms;
      for (const [id, t] of [...timers].sort((a, b) => a[1].at - b[1].at)) {
        if (t.at <= now) {
          timers.delete(id);
          t.fn();
        }
      }
    },
  };
}

test("fires once after a pause, with the latest arguments", () => {
  const clock = fakeTimers();
  const calls = [];
  const d = debounce((text) => calls.push(text), 300, clock);
  d("h");
  clock.advance(100);
  d("he");
  clock.advance(299);
  assert.deepEqual(calls, []);
  clock.advance(1);
  assert.deepEqual(calls, ["he"]);
  clock.advance(1000);
  assert.deepEqual(calls, ["he"]);
});

test("typing without pause keeps postponing", () => {
  const clock = fakeTimers();
  let count = 0;
  const d = debounce(() => (count += 1), 300, clock);
  for (let i = 0; i < 10; i += 1) {
    d();
    clock.advance(250);
  }
  assert.equal(count, 0);
  clock.advance(50);
  assert.equal(count, 1);
});

test("flush runs a pending call now; cancel drops it", () => {
  const clock = fakeTimers();
  const calls = [];
  const d = debounce((x) => calls.push(x), 300, clock);
  d(1);
  assert.equal(d.pending(), true);
  assert.equal(d.flush(), 1);
  assert.equal(d.pending(), false);
  assert.equal(d.flush(), undefined);
  d(2);
  d.cancel();
  clock.advance(1000);
  assert.deepEqual(calls, [1]);
});

test("only the latest ticket is current", () => {
  const latest = new LatestOnly();
  const first = latest.next();
  const second = latest.next();
  assert.equal(latest.isCurrent(first), false);
  assert.equal(latest.isCurrent(second), true);
  latest.invalidate();
  assert.equal(latest.isCurrent(second), false);
});
