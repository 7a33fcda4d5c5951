/**
 * The `{ block, timeout }` options of put and get, checked once.
 *
 * @module
 */
import { ValueError } from "../_internal/core/errors.ts";
import { Deadline } from "../_internal/core/time.ts";

/** Options of a blocking `put` or `get`: Python's `block` and `timeout` keywords. */
export interface BlockOptions {
  /** Wait when the queue is full (put) or empty (get); `true` by default. */
  block?: boolean;
  /**
   * With `block`, the longest wait in seconds, after which `Full` or `Empty`
   * is thrown; `null` or omitted waits as long as it takes. Ignored when
   * `block` is `false`.
   */
  timeout?: number | null;
}

/**
 * Turns `{ block, timeout }` into a wait in milliseconds: 0 for "do not
 * wait", `Infinity` for "wait forever".
 *
 * @throws {ValueError} a negative or NaN timeout.
 * @throws {TypeError} options that are not an object, or a timeout that is not a number.
 */
export function waitMs(options: BlockOptions | undefined): number {
  if (options === undefined) return Infinity;
  if (options === null || typeof options !== "object") {
    throw new TypeError(
      `expected options like { block, timeout }, got ${
        options === null ? "null" : typeof options
      }`,
    );
  }
  if (options.block === false) return 0;
  const t = options.timeout;
  if (t === undefined || t === null) return Infinity;
  if (typeof t !== "number") {
    throw new TypeError(
      `'timeout' must be a number of seconds or null, got ${typeof t}`,
    );
  }
  if (!(t >= 0)) {
    throw new ValueError("'timeout' must be a non-negative number");
  }
  return t * 1000;
}

/** A deadline for a finite, positive wait; `null` for none or forever. */
export function deadlineFor(ms: number): Deadline | null {
  return ms > 0 && ms !== Infinity ? new Deadline(ms) : null;
}
