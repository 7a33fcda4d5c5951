/**
 * The API of the multiprocessing module, every export but `getContext`:
 * `mod.ts` re-exports it, and `context.ts` builds the context object from
 * it (Python's module is likewise its default context's API). Importing it
 * also registers every shared class (see `_proxy_classes.ts`).
 *
 * @module
 */
import "./_proxy_classes.ts";
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
  getStartMethod,
  setStartMethod,
  type StartMethod,
} from "./start_method.ts";
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
export type { BarrierOptions } from "../threading/_barrier_args.ts";
export { Empty, Full, Queue, type QueueWaitOptions } from "./queues.ts";
export type { QueueOptions } from "../queue/queue.ts";
export { JoinableQueue } from "./joinable_queue.ts";
export { SimpleQueue } from "./simple_queue.ts";
export { Connection, Pipe } from "./connection.ts";
export * as connection from "./_connection_ns.ts";
export { type SharedCtypeOptions, Value } from "./value.ts";
export { Array } from "./array.ts";
export { IndexError } from "../_internal/core/index_error.ts";
export { OverflowError } from "../_internal/core/overflow_error.ts";
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
export { freezeSupport } from "./freeze_support.ts";
export {
  DictProxy,
  ListProxy,
  Manager,
  Namespace,
  SyncManager,
} from "./managers.ts";
