/**
 * The wait/notify core on `SharedArrayBuffer` memory.
 *
 * Every blocking primitive is built from one step: "while this Int32 cell
 * still holds `expected`, wait up to `ms` milliseconds". The caller re-checks
 * its own condition after every wake-up, so spurious wake-ups, missed
 * `waitAsync` notifications and timer slices are all harmless.
 *
 * Design: docs/design/sync.md
 *
 * @module
 */

import { runtime } from "../runtime/adapter.ts";

/** What one wait step ended with. */
export type WaitResult = "ok" | "not-equal" | "timed-out";

/** How long a blocking wait spins before parking, in milliseconds. */
const _SPIN_MS = 0.05;
/** How long an async wait spins before yielding, in milliseconds. */
const _ASYNC_SPIN_MS = 0.01;
/** The longest single `waitAsync` slice, in milliseconds. */
const _ASYNC_SLICE_MS = 100;
/**
 * The longest single `Atomics.wait` on Bun: a worker parked in
 * `Atomics.wait` cannot be terminated there, so a daemon thread would keep
 * the program from exiting. Waking every slice lets termination through.
 */
const _SYNC_SLICE_MS = runtime === "bun" ? 50 : Infinity;

/**
 * Spins until `i32[index] !== expected` or `ms` pass; returns whether the
 * value changed.
 */
export function spinWhile(
  i32: Int32Array,
  index: number,
  expected: number,
  ms: number,
): boolean {
  if (Atomics.load(i32, index) !== expected) return true;
  if (ms <= 0) return false;
  const end = performance.now() + ms;
  for (;;) {
    for (let k = 0; k < 64; k++) {
      if (Atomics.load(i32, index) !== expected) return true;
    }
    if (performance.now() >= end) return false;
  }
}

/**
 * Blocks this thread while `i32[index] === expected`, at most `ms`
 * milliseconds (`Infinity` for no limit).
 */
export function waitSync(
  i32: Int32Array,
  index: number,
  expected: number,
  ms: number,
): WaitResult {
  if (spinWhile(i32, index, expected, Math.min(ms, _SPIN_MS))) {
    return "not-equal";
  }
  if (ms <= _SPIN_MS) return "timed-out";
  const left = ms - _SPIN_MS;
  const slice = Math.min(left, _SYNC_SLICE_MS);
  const r = Atomics.wait(
    i32,
    index,
    expected,
    slice === Infinity ? undefined : slice,
  );
  return r === "timed-out" && slice < left ? "ok" : r;
}

/**
 * Waits without blocking the event loop while `i32[index] === expected`, at
 * most `ms` milliseconds. May return `"ok"` early (a slice ended); callers
 * re-check their condition and wait again.
 */
export function waitAsync(
  i32: Int32Array,
  index: number,
  expected: number,
  ms: number,
): Promise<WaitResult> | WaitResult {
  if (spinWhile(i32, index, expected, Math.min(ms, _ASYNC_SPIN_MS))) {
    return "not-equal";
  }
  if (ms <= _ASYNC_SPIN_MS) return "timed-out";
  const slice = Math.min(ms, _ASYNC_SLICE_MS);
  const r = Atomics.waitAsync(i32, index, expected, slice);
  if (!r.async) return r.value;
  return new Promise<WaitResult>((resolve) => {
    let settled = false;
    const finish = (v: WaitResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(v === "timed-out" && slice !== ms ? "ok" : v);
    };
    // The timer keeps the event loop alive and bounds a lost wake-up.
    const timer = setTimeout(() => finish("timed-out"), slice + 1);
    r.value.then(finish);
  });
}

/**
 * Wakes up to `count` threads waiting on `i32[index]` (all when omitted),
 * oldest first.
 */
export function notify(i32: Int32Array, index: number, count?: number): number {
  return Atomics.notify(i32, index, count);
}
