/**
 * pyconc: Python's concurrency toolbox for Deno and Bun.
 *
 * Each module is a namespace here and a standalone entry point of its own:
 *
 * ```ts
 * import { threading } from "@pyconc/pyconc";
 * const lock = new threading.Lock();
 * lock.acquireSync();
 * lock.release();
 * ```
 *
 * @module
 */
export {
  EOFError,
  FileNotFoundError,
  OSError,
  RuntimeError,
  TimeoutError,
  ValueError,
} from "./_internal/errors.ts";
