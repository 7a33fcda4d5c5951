/**
 * A futex mutex in one Int32 cell (Drepper's "mutex2"): 0 unlocked,
 * 1 locked, 2 locked and someone may be parked. Unlock only calls
 * `Atomics.notify` when the cell says 2, so the uncontended path is one
 * compare-exchange to lock and one exchange to unlock.
 *
 * @module
 */
import { Deadline } from "../core/time.ts";
import { waitAsync, waitSync } from "./wait.ts";

const _SPIN_MS = 0.02;

/** Takes the mutex if it is free; returns whether it did. */
export function tryLock(i32: Int32Array, i: number): boolean {
  return Atomics.compareExchange(i32, i, 0, 1) === 0;
}

function _spinLock(i32: Int32Array, i: number): boolean {
  const end = performance.now() + _SPIN_MS;
  do {
    for (let k = 0; k < 64; k++) {
      if (Atomics.load(i32, i) === 0 && tryLock(i32, i)) return true;
    }
  } while (performance.now() < end);
  return false;
}

/** Takes the mutex, blocking the thread up to `ms` milliseconds; returns whether it did. */
export function lockSync(i32: Int32Array, i: number, ms: number): boolean {
  if (tryLock(i32, i)) return true;
  if (ms <= 0) return false;
  if (_spinLock(i32, i)) return true;
  const deadline = new Deadline(ms);
  for (;;) {
    if (Atomics.exchange(i32, i, 2) === 0) return true;
    const left = deadline.remainingMs();
    if (left <= 0) return false;
    waitSync(i32, i, 2, left);
  }
}

/** Takes the mutex without blocking the event loop, up to `ms` milliseconds. */
export async function lockAsync(
  i32: Int32Array,
  i: number,
  ms: number,
): Promise<boolean> {
  if (tryLock(i32, i)) return true;
  if (ms <= 0) return false;
  const deadline = new Deadline(ms);
  for (;;) {
    if (Atomics.exchange(i32, i, 2) === 0) return true;
    const left = deadline.remainingMs();
    if (left <= 0) return false;
    await waitAsync(i32, i, 2, left);
  }
}

/** Releases the mutex; returns false when it was not locked. */
export function unlock(i32: Int32Array, i: number): boolean {
  const prev = Atomics.exchange(i32, i, 0);
  if (prev === 2) Atomics.notify(i32, i, 1);
  return prev !== 0;
}
