/**
 * Python's `IndexError`, kept apart from `errors.ts` until the root module
 * exports it beside the other built-in errors.
 *
 * @module
 */
import { registerError } from "./errors.ts";

/**
 * Python's `IndexError`: a sequence index is out of range, such as
 * `arr[5]` on a shared `Array` of length 3 ("invalid index"). A subclass of
 * JavaScript's `RangeError`, so code that caught the `RangeError` thrown
 * before keeps working.
 *
 * @example
 * ```ts
 * import { Array, IndexError } from "@pyconc/pyconc/multiprocessing";
 * const a = new Array("i", 3);
 * try {
 *   a.getSync(5);
 * } catch (err) {
 *   console.assert(err instanceof IndexError && err.message === "invalid index");
 * }
 * ```
 */
export class IndexError extends RangeError {
  /** Creates the error with an optional message. */
  constructor(message?: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "IndexError";
  }
}

registerError(IndexError);
