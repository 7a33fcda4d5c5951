/**
 * The `{ blocking, timeout }` argument every acquire takes, checked once.
 *
 * @module
 */
import { ValueError } from "../_internal/core/errors.ts";
import { timeoutToMs } from "../_internal/core/time.ts";

/** Options of every `acquire`, Python's `blocking` and `timeout` keywords. */
export interface AcquireOptions {
  /** Wait for the lock (default) or return `false` at once when it is taken. */
  blocking?: boolean;
  /** The longest wait in seconds; `null` or omitted waits forever. */
  timeout?: number | null;
}

/**
 * Turns `acquire(blocking?)` or `acquire({ blocking, timeout })` into a wait
 * in milliseconds: 0 for non-blocking, `Infinity` for forever.
 */
export function acquireWaitMs(
  arg: boolean | AcquireOptions | undefined,
): number {
  if (arg === undefined) return Infinity;
  if (typeof arg === "boolean") return arg ? Infinity : 0;
  if (arg === null || typeof arg !== "object") {
    throw new TypeError(
      `acquire() takes a boolean or { blocking, timeout }, got ${
        arg === null ? "null" : typeof arg
      }`,
    );
  }
  const blocking = arg.blocking ?? true;
  const hasTimeout = arg.timeout !== undefined && arg.timeout !== null;
  if (!blocking) {
    if (hasTimeout) {
      throw new ValueError("can't specify a timeout for a non-blocking call");
    }
    return 0;
  }
  return timeoutToMs(arg.timeout);
}
