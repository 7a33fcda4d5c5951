/**
 * The `{ blocking, timeout }` argument every acquire takes, checked once.
 *
 * @module
 */
import { ValueError } from "../_internal/core/errors.ts";
import {
  TIMEOUT_MAX,
  timeoutOverflow,
  timeoutToMs,
} from "../_internal/core/time.ts";

/** Options of every `acquire`, Python's `blocking` and `timeout` keywords. */
export interface AcquireOptions {
  /** Wait for the lock (default) or return `false` at once when it is taken. */
  blocking?: boolean;
  /** The longest wait in seconds; `null` or omitted waits forever. */
  timeout?: number | null;
}

/**
 * What `semaphoreWaitMs` returns for a timeout above `TIMEOUT_MAX`: CPython's
 * Semaphore raises `OverflowError` only once it would have to wait.
 */
export const OVERFLOW_MS = -1;

/**
 * Turns `acquire(blocking?)` or `acquire({ blocking, timeout })` into a wait
 * in milliseconds: 0 for non-blocking, `Infinity` for forever. Checks as
 * CPython's `Lock.acquire` does: the timeout first (NaN, then out of range),
 * then `blocking: false` with a timeout, then a negative timeout.
 *
 * @throws {OverflowError} a timeout above `TIMEOUT_MAX` or `-Infinity`.
 * @throws {ValueError} a NaN or negative timeout, or one with `blocking: false`.
 */
export function acquireWaitMs(
  arg: boolean | AcquireOptions | undefined,
): number {
  const o = _options(arg);
  if (o === true) return Infinity;
  if (o === false) return 0;
  const t = _timeout(o.timeout);
  if (t !== null && Number.isNaN(t)) {
    throw new ValueError("Invalid value NaN (not a number)");
  }
  if (t !== null && (t > TIMEOUT_MAX || t === -Infinity)) {
    throw timeoutOverflow();
  }
  if (!(o.blocking ?? true)) {
    if (t !== null) {
      throw new ValueError("can't specify a timeout for a non-blocking call");
    }
    return 0;
  }
  if (t === null) return Infinity;
  if (t < 0) throw new ValueError("timeout value must be positive");
  return t * 1000;
}

/**
 * `acquireWaitMs` for a Semaphore, which CPython writes in Python: its own
 * message for a timeout with `blocking: false`, and `OVERFLOW_MS` for a
 * timeout too large, to throw only when the semaphore must be waited for.
 *
 * @throws {ValueError} a NaN or negative timeout, or one with `blocking: false`.
 */
export function semaphoreWaitMs(
  arg: boolean | AcquireOptions | undefined,
): number {
  const o = _options(arg);
  if (o === true) return Infinity;
  if (o === false) return 0;
  const t = _timeout(o.timeout);
  if (!(o.blocking ?? true)) {
    if (t !== null) {
      throw new ValueError("can't specify timeout for non-blocking acquire");
    }
    return 0;
  }
  if (t === null) return Infinity;
  return t > TIMEOUT_MAX ? OVERFLOW_MS : timeoutToMs(t);
}

function _options(
  arg: boolean | AcquireOptions | undefined,
): boolean | AcquireOptions {
  if (arg === undefined) return true;
  if (typeof arg === "boolean") return arg;
  if (arg === null || typeof arg !== "object") {
    throw new TypeError(
      `acquire() takes a boolean or { blocking, timeout }, got ${
        arg === null ? "null" : typeof arg
      }`,
    );
  }
  return arg;
}

function _timeout(t: number | null | undefined): number | null {
  if (t === undefined || t === null) return null;
  if (typeof t !== "number") {
    throw new TypeError(
      `timeout must be a number of seconds or null, got ${typeof t}`,
    );
  }
  return t;
}
