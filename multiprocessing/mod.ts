/**
 * Python's `multiprocessing` for Deno and Bun: a {@linkcode Process} is a
 * real child OS process running a new copy of the runtime (Python's
 * "spawn" start method), and queues, pipes, locks, events, conditions,
 * barriers, semaphores and shared values work across processes.
 *
 * How objects are shared: any process that receives a shared object (as
 * a `Process` argument, a `Pool` task argument, a `Queue` item or a
 * `Connection` message, anywhere inside arrays, plain objects and Maps)
 * gets a live handle to it. `Lock`, `RLock`, `Semaphore`,
 * `BoundedSemaphore`, `Event`, `Value` and `Array` live in shared memory
 * that every process maps (a memfd, through FFI: Linux on x86-64 or arm64;
 * on Deno with the ffi permission, which `-A` grants), as CPython's
 * semaphores and sharedctypes do: an uncontended acquire or a value read
 * costs well under a microsecond, and waits sleep on a futex. Everything
 * else, and those objects too where memory cannot be mapped, is served by
 * the process that created it from a worker thread of its own, on a local
 * socket, one round trip per operation, as Python's managers do; a queue's
 * `put` from another process is buffered and batched as Python's feeder
 * thread does. A process that dies holding a lock has it released, so no
 * one hangs. The creating process frees an object once no process holds
 * a handle to it (handles are counted per thread, and released when closed
 * or collected); an object reached through the server lives no longer
 * than the process that created it.
 *
 * Blocking calls come in two forms: the plain name is async
 * (`await q.get()`), the `Sync` twin blocks the calling thread
 * (`q.getSync()`), for code in children and workers. Timeouts are in
 * seconds. `multiprocessing/dummy` offers the same API over threads.
 *
 * ```ts
 * import { Lock, Process, Value } from "@pyconc/pyconc/multiprocessing";
 * const counter = new Value("i", 0);
 * const procs = [1, 2].map(() =>
 *   new Process({
 *     target: (c: Value) => {
 *       for (let i = 0; i < 10; i++) {
 *         using _held = c.holdSync();
 *         c.value += 1;
 *       }
 *     },
 *     args: [counter],
 *   })
 * );
 * for (const p of procs) await p.start();
 * for (const p of procs) await p.join();
 * console.assert(counter.value === 20);
 * ```
 *
 * @module
 */
export { Process, type ProcessOptions } from "./process.ts";
export {
  activeChildren,
  cpuCount,
  currentProcess,
  type ParentProcess,
  parentProcess,
} from "./functions.ts";
export {
  getAllStartMethods,
  getContext,
  getStartMethod,
  setStartMethod,
  type StartMethod,
} from "./context.ts";
export { Lock } from "./lock.ts";
export { SemLock } from "./_lock_base.ts";
export { BaseProxy, type ProxyRef } from "./_proxy.ts";
export type { ObjectInit } from "../_internal/mp/wire.ts";
export { type _PoolBackend, BasePool } from "./_pool_base.ts";
export { RLock } from "./rlock.ts";
export { BoundedSemaphore, Semaphore } from "./semaphore.ts";
export { Event } from "./event.ts";
export { Condition } from "./condition.ts";
export { Barrier, BrokenBarrierError } from "./barrier.ts";
export { Empty, Full, Queue, type QueueWaitOptions } from "./queues.ts";
export { JoinableQueue } from "./joinable_queue.ts";
export { SimpleQueue } from "./simple_queue.ts";
export { Connection, Pipe } from "./connection.ts";
export * as connection from "./_connection_ns.ts";
export { type SharedCtypeOptions, Value } from "./value.ts";
export { Array } from "./array.ts";
export type { Typecode } from "../_internal/mp/typecodes.ts";
export type { AcquireOptions } from "../threading/_acquire_args.ts";
export type { Held } from "../threading/_held.ts";
export type { ModuleTarget, Target } from "../_internal/share/target.ts";
export {
  EOFError,
  OSError,
  RuntimeError,
  TimeoutError,
  ValueError,
} from "../_internal/core/errors.ts";
export {
  type AsyncOptions,
  type MapOptions,
  Pool,
  type PoolOptions,
} from "./pool.ts";
export { AsyncResult } from "./async_result.ts";
export { ProcessError } from "./errors.ts";
export {
  DictProxy,
  ListProxy,
  Manager,
  Namespace,
  SyncManager,
} from "./managers.ts";
