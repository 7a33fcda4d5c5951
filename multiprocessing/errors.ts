/**
 * ProcessError: the base of multiprocessing's own exceptions.
 *
 * @module
 */
import { registerError } from "../_internal/core/errors.ts";

/**
 * Python's `multiprocessing.ProcessError`, the base of the module's own
 * exceptions. Thrown by a {@linkcode Pool} task whose worker process died
 * while it ran (Python's pool would wait forever).
 *
 * @example
 * ```ts
 * import { ProcessError } from "@pyconc/pyconc/multiprocessing";
 * console.assert(new ProcessError("worker died").name === "ProcessError");
 * ```
 */
export class ProcessError extends Error {
  /** Creates the error with an optional message. */
  constructor(message?: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "ProcessError";
  }
}
registerError(ProcessError);
