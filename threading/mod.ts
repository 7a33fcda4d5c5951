/**
 * Python's `threading` for Deno and Bun: threads are Web Workers, and every
 * synchronization object lives in `SharedArrayBuffer` memory, so the same
 * `Lock`, `Condition`, `Semaphore`, `Event` or `Barrier` works in the main
 * thread and in any number of workers at once.
 *
 * Blocking calls come in two forms: the plain name is async and never blocks
 * the event loop (`await lock.acquire()`), the `Sync` twin blocks the calling
 * thread (`lock.acquireSync()`), for code inside workers. Timeouts are in
 * seconds.
 *
 * Threads are `node:worker_threads` Workers on both runtimes (they can be
 * unref'd, so daemon threads and idle workers never keep a program alive);
 * on Deno that needs `--allow-read` for the library's own files.
 *
 * Where JavaScript forces a difference from Python: a thread's target is a
 * function sent as source (no closures) or a `{ module, name }` reference,
 * not an overridden `run()`; module state is per thread, so data is shared
 * through arguments (shareable objects, `SharedArrayBuffer`s); a `Timer`
 * calls its function on the starting thread's event loop; an uncaught
 * error in a thread reaches the `excepthook` of the thread that started it.
 * Arguments travel by structured clone (shareable objects as live handles):
 * an instance of a class registered with the root module's `registerClass`
 * (an error of one registered with `registerError`) arrives as an instance
 * of its class, an instance of any other class as a plain object with its
 * own fields; a function or symbol in them is a `DataCloneError` at
 * `start()` that names its path (`args[1].callbacks[0]`).
 *
 * ```ts
 * import { Event, Thread } from "@pyconc/pyconc/threading";
 * const done = new Event();
 * const t = new Thread({ target: (e: Event) => e.set(), args: [done] });
 * t.start();
 * console.assert(await done.wait(10));
 * await t.join();
 * ```
 *
 * @module
 */
export { Thread, type ThreadOptions } from "./thread.ts";
export { Lock } from "./lock.ts";
export type { Held } from "./_held.ts";
export { RLock } from "./rlock.ts";
export { Condition, type ConditionLock } from "./condition.ts";
export { BoundedSemaphore, Semaphore } from "./semaphore.ts";
export { Event } from "./event.ts";
export { Barrier, type BarrierOptions, BrokenBarrierError } from "./barrier.ts";
export { Timer, type TimerOptions } from "./timer.ts";
export { local } from "./local.ts";
export type { AcquireOptions } from "./_acquire_args.ts";
export {
  activeCount,
  currentThread,
  enumerate,
  getIdent,
  getNativeId,
  mainThread,
} from "./functions.ts";
export { excepthook, setExcepthook } from "./_hooks.ts";
export type { ExceptHook, ExceptHookArgs } from "./_excepthook.ts";
export { TIMEOUT_MAX } from "../_internal/core/time.ts";
export type { ModuleTarget, Target } from "../_internal/share/target.ts";
export { RuntimeError, ValueError } from "../_internal/core/errors.ts";
export { OverflowError } from "../_internal/core/overflow_error.ts";
