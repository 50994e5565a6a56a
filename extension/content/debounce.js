// Timing helpers for checking as you type: wait for a keystroke pause, and make
// sure only the answer to the latest request is ever applied.

/**
 * Call `fn` once `wait` ms have passed without another call. The returned function
 * has `cancel()`, `flush()` (run a pending call now) and `pending()`.
 * Timers are injectable so tests can drive time by hand.
 */
export function debounce(fn, wait, timers = globalThis) {
  let handle = null;
  let lastArgs = null;

  const run = () => {
    handle = null;
    const args = lastArgs;
    lastArgs = null;
    return fn(...args);
  };

  const debounced = (...args) => {
    lastArgs = args;
    if (handle != null) timers.clearTimeout(handle);
    handle = timers.setTimeout(run, wait);
  };
  debounced.cancel = () => {
    if (handle != null) timers.clearTimeout(handle);
    handle = null;
    lastArgs = null;
  };
  debounced.flush = () => {
    if (handle == null) return undefined;
    timers.clearTimeout(handle);
    return run();
  };
  debounced.pending = () => handle != null;
  return debounced;
}

/**
 * Numbers requests so a slow answer to an old draft never overwrites the answer
 * to a newer one: take a ticket before sending, apply the reply only if
 * `isCurrent(ticket)` still holds.
 */
export class LatestOnly {
  #issued = 0;

  next() {
    this.#issued += 1;
    return this.#issued;
  }

  isCurrent(ticket) {
    return ticket === this.#issued;
  }

  /** Make every outstanding ticket stale (e.g. the text was cleared). */
  invalidate() {
    this.#issued += 1;
  }
}
