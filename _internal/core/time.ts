/**
 * Timeouts in seconds, as Python takes them, and monotonic deadlines.
 *
 * @module
 */
import { ValueError } from "./errors.ts";
import { OverflowError } from "./overflow_error.ts";

/** Python's `threading.TIMEOUT_MAX` on 64-bit Linux, in seconds. */
export const TIMEOUT_MAX = 9223372036.0;

/** CPython 3.11's message for a timeout beyond {@linkcode TIMEOUT_MAX}. */
export const TIMEOUT_OVERFLOW = "timestamp out of range for platform time_t";

/**
 * The error CPython raises for a wait of more than {@linkcode TIMEOUT_MAX}
 * seconds, `inf` included: `OverflowError`.
 */
export function timeoutOverflow(): OverflowError {
  return new OverflowError(TIMEOUT_OVERFLOW);
}

/** Whether a timeout in seconds is too large to wait for, as in CPython. */
export function overflows(timeout: unknown): boolean {
  return typeof timeout === "number" && timeout > TIMEOUT_MAX;
}

/** Seconds on a monotonic clock, like Python's `time.monotonic()`. */
export function monotonic(): number {
  return performance.now() / 1000;
}

/**
 * Checks a timeout in seconds and returns it in milliseconds; `null` and
 * `undefined` mean "wait forever" and return `Infinity`.
 *
 * @throws {ValueError} a negative or NaN timeout.
 * @throws {OverflowError} a timeout above `TIMEOUT_MAX`, such as `Infinity`.
 * @throws {TypeError} a timeout that is not a number.
 */
export function timeoutToMs(
  timeout: number | null | undefined,
  what = "timeout",
): number {
  if (timeout === null || timeout === undefined) return Infinity;
  if (typeof timeout !== "number") {
    throw new TypeError(
      `${what} must be a number of seconds or null, got ${typeof timeout}`,
    );
  }
  if (Number.isNaN(timeout)) {
    throw new ValueError(`${what} value must be a number, got NaN`);
  }
  if (timeout < 0) {
    throw new ValueError(`${what} value must be a non-negative number`);
  }
  if (timeout > TIMEOUT_MAX) throw timeoutOverflow();
  return timeout * 1000;
}

/**
 * A point on the monotonic clock by which a wait must end. Fix it once,
 * then ask what remains after each wake-up.
 */
export class Deadline {
  readonly #end: number;

  /** A deadline `ms` milliseconds from now; `Infinity` never passes. */
  constructor(ms: number) {
    this.#end = performance.now() + ms;
  }

  /** A deadline for a timeout in seconds (validated like {@linkcode timeoutToMs}). */
  static fromSeconds(
    timeout: number | null | undefined,
    what?: string,
  ): Deadline {
    return new Deadline(timeoutToMs(timeout, what));
  }

  /** Milliseconds left, never negative; `Infinity` for no deadline. */
  remainingMs(): number {
    const left = this.#end - performance.now();
    return left > 0 ? left : 0;
  }

  /** Whether the deadline has passed. */
  expired(): boolean {
    return performance.now() >= this.#end;
  }

  /** Whether this deadline never passes. */
  get infinite(): boolean {
    return this.#end === Infinity;
  }
}

/** Resolves after `ms` milliseconds; the timer keeps the event loop alive. */
export function sleepMs(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
