/**
 * Python's `OverflowError`, kept apart from `errors.ts` like `IndexError`.
 *
 * @module
 */
import { registerError } from "./errors.ts";

/**
 * Python's `OverflowError`: a number too large for the platform, such as a
 * timeout of `Infinity` or above `TIMEOUT_MAX` for a wait that would block
 * ("timestamp out of range for platform time_t", as CPython 3.11 says).
 * Python's is an `ArithmeticError`; JavaScript has none, so this is a plain
 * `Error` subclass.
 *
 * @example
 * ```ts
 * import { Lock, OverflowError } from "@pyconc/pyconc/threading";
 * try {
 *   new Lock().acquireSync({ timeout: Infinity });
 * } catch (err) {
 *   console.assert(err instanceof OverflowError);
 * }
 * ```
 */
export class OverflowError extends Error {
  /** Creates the error with an optional message. */
  constructor(message?: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "OverflowError";
  }
}

registerError(OverflowError);
