/**
 * pyconc: Python's concurrency toolbox for Deno and Bun.
 *
 * Each module is a namespace here and a standalone entry point of its own
 * (`@pyconc/pyconc/threading`, `@pyconc/pyconc/queue`, ...). Python's
 * built-in errors that several modules raise are exported here
 * (`ValueError`, `RuntimeError`, `IndexError`, `OSError`, ..., and
 * `DataCloneError` for a value that cannot be sent to another thread or
 * process), and so are `registerClass()` and `registerError()`, which let
 * instances and errors of the program's own classes travel whole, and
 * `freezeSupport()`, which a program compiled into one binary calls first.
 *
 * ```ts
 * import { queue, threading } from "@pyconc/pyconc";
 * const lock = new threading.Lock();
 * lock.acquireSync();
 * lock.release();
 * const q = new queue.Queue();
 * q.putNowait(1);
 * console.assert(q.getNowait() === 1);
 * ```
 *
 * @module
 */
export * as threading from "./threading/mod.ts";
export * as queue from "./queue/mod.ts";
export * as futures from "./futures/mod.ts";
export * as subprocess from "./subprocess/mod.ts";
export * as sched from "./sched/mod.ts";
export * as multiprocessing from "./multiprocessing/mod.ts";
export {
  DataCloneError,
  EOFError,
  FileNotFoundError,
  OSError,
  PermissionError,
  RuntimeError,
  TimeoutError,
  ValueError,
} from "./_internal/core/errors.ts";
export { IndexError } from "./_internal/core/index_error.ts";
export { OverflowError } from "./_internal/core/overflow_error.ts";
export { freezeSupport } from "./multiprocessing/freeze_support.ts";
export {
  type ErrorClass,
  registerClass,
  type RegisteredClass,
  registerError,
  type RegisterOptions,
} from "./_internal/share/classes.ts";
