/**
 * Python's `multiprocessing.dummy`: the API of the
 * {@link ../mod.ts | multiprocessing} module over threads (Web Workers)
 * instead of processes. `Process` is a thread, `Pool` a thread pool, the
 * locks, events, conditions, semaphores and barriers are the threading
 * module's, `Queue` and `JoinableQueue` the queue module's, and `Value`
 * and `Array` live in real shared memory. Use it for IO-bound work, or to
 * test code written for processes.
 *
 * ```ts
 * import { Pool, Value } from "@pyconc/pyconc/multiprocessing/dummy";
 * await using pool = new Pool(2);
 * const hits = new Value("i", 0);
 * await pool.map(((v: Value) => {
 *   using _h = v.holdSync();
 *   v.value += 1;
 * }) as never, [hits, hits, hits]);
 * console.assert(hits.value === 3);
 * ```
 *
 * @module
 */
export {
  DummyProcess,
  DummyProcess as Process,
  type DummyProcessOptions,
} from "./process.ts";
export { Connection, Pipe } from "./connection.ts";
export * as connection from "./_connection_ns.ts";
export { type DummyCtypeOptions, type ThreadLock, Value } from "./value.ts";
export { Array } from "./array.ts";
export { IndexError } from "../../_internal/core/index_error.ts";
export {
  ThreadPool,
  ThreadPool as Pool,
  type ThreadPoolOptions,
} from "./pool.ts";
export { AsyncResult } from "../async_result.ts";
export type { AsyncOptions, MapOptions } from "../_pool_base.ts";
export { activeChildren, currentProcess } from "./functions.ts";
export { cpuCount } from "../functions.ts";
export {
  Barrier,
  BoundedSemaphore,
  BrokenBarrierError,
  Condition,
  Event,
  Lock,
  RLock,
  Semaphore,
} from "../../threading/mod.ts";
export { Queue, Queue as JoinableQueue, SimpleQueue } from "../../queue/mod.ts";
export {
  type BlockOptions,
  Empty,
  Full,
  type GetOptions,
  type PutOptions,
  type QueueOptions,
  type ShutdownOptions,
} from "../../queue/mod.ts";
export type { Thread } from "../../threading/mod.ts";
export { Manager, SyncManager } from "../managers.ts";
// The manager's objects travel to threads as live handles: register their classes.
import "../_proxy_classes.ts";
export {
  EOFError,
  OSError,
  RuntimeError,
  TimeoutError,
  ValueError,
} from "../../_internal/core/errors.ts";
