/**
 * The default delay functions: an async sleep for run() and an Atomics.wait
 * sleep for runSync(). Both take seconds, as Python's time.sleep does.
 *
 * @module
 */
import { ValueError } from "../_internal/core/errors.ts";
import {
  trackResource,
  untrackResource,
} from "../_internal/runtime/resources.ts";

/** setTimeout's largest delay; longer sleeps return early and run() re-delays. */
const MAX_TIMER_MS = 2 ** 31 - 1;

const _setImmediate = (globalThis as {
  setImmediate?: (fn: () => void) => unknown;
}).setImmediate;

/** The private cell the synchronous sleep waits on; nobody ever notifies it. */
let _cell: Int32Array | undefined;

function _toMs(seconds: number): number {
  if (typeof seconds !== "number") {
    throw new TypeError(
      `delay must be a number of seconds, got ${typeof seconds}`,
    );
  }
  if (Number.isNaN(seconds)) {
    throw new ValueError("Invalid value NaN (not a number)");
  }
  if (seconds < 0) throw new ValueError("sleep length must be non-negative");
  return seconds * 1000;
}

/**
 * Resolves after `seconds`; `0` yields to the event loop once (a macrotask,
 * so timers and I/O get their turn, as `time.sleep(0)` lets other threads
 * run). The pending timer keeps the program alive, as a running `sched.run()`
 * does in Python.
 */
export function _sleep(seconds: number): Promise<void> {
  const ms = _toMs(seconds);
  return new Promise((resolve) => {
    const token = {};
    trackResource("timer", token);
    const done = () => {
      untrackResource(token);
      resolve();
    };
    if (ms <= 0 && _setImmediate) _setImmediate(done);
    else setTimeout(done, Math.min(Math.ceil(ms), MAX_TIMER_MS));
  });
}

/** Blocks the calling thread for `seconds` with `Atomics.wait`. */
export function _sleepSync(seconds: number): void {
  const ms = _toMs(seconds);
  if (ms <= 0) return;
  _cell ??= new Int32Array(new SharedArrayBuffer(4));
  Atomics.wait(_cell, 0, 0, ms);
}
