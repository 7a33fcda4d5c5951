/**
 * Python's `queue` for Deno and Bun: `Queue`, `LifoQueue`, `PriorityQueue`
 * and `SimpleQueue`, with `Empty`, `Full` and `ShutDown`. Every queue lives
 * in `SharedArrayBuffer` memory, so the same queue works in the main thread
 * and in any number of workers at once: pass it to a `threading.Thread` (or
 * any library worker) and the worker gets a live handle, not a copy. Any
 * number of producers and consumers may use it at once; nothing is lost or
 * delivered twice, and blocked getters and putters are served in the order
 * they arrived.
 *
 * Blocking calls come in two forms: `put`, `get` and `join` are async and
 * never block the event loop; `putSync`, `getSync` and `joinSync` block the
 * calling thread (for code inside workers). Options are Python's keywords
 * in one object: `q.get({ timeout: 0.5 })`, `q.put(x, { block: false })`.
 * Timeouts are in seconds.
 *
 * Where JavaScript forces a difference from Python:
 * - Items are copied, not shared: a queue holds values that structured clone
 *   can carry (numbers, strings, bigints, arrays, plain objects, `Map`,
 *   `Set`, `Date`, typed arrays, errors...), and every `get` returns a fresh
 *   copy. Errors and instances of classes registered with the root module's
 *   `registerClass`/`registerError` come back as instances of their class
 *   (the getting thread must have registered it too); an instance of any
 *   other class comes back as a plain object with its own fields.
 *   Functions and symbols cannot be items (a `DataCloneError`, which is a
 *   `TypeError`, names their path in the item at `put`), nor can
 *   `SharedArrayBuffer`s (and views of them) and shareable objects (locks,
 *   queues): a `TypeError` says so at `put`. Pass those to workers as
 *   thread arguments instead.
 * - An unbounded queue grows until its storage reaches 4 GiB (Bun's limit
 *   for a growable `SharedArrayBuffer`) or 8 GiB (Deno) of encoded items;
 *   past that `put` throws `RangeError`. Freed space is reused, so memory
 *   stays flat however many items pass through.
 * - A blocking `get` or `put` first polls for a few microseconds before it
 *   parks, so a producer and a consumer running side by side hand items
 *   over without waking each other.
 * - `PriorityQueue` compares as Python's `<` would, with JavaScript values
 *   standing for Python's: arrays for tuples, `Uint8Array` for `bytes`,
 *   `Date` for `datetime`, `null`/`undefined` for `None` (not orderable),
 *   plain objects for `dict` (not orderable). A put or get whose comparison
 *   throws leaves the heap as it was (CPython leaves it half-updated).
 * - Python's `Condition`-based queue lets a newcomer take an item a woken
 *   getter was about to take, and woken threads run in whatever order the
 *   scheduler picks. Here a `put` that finds getters waiting hands its item
 *   to the one that waited longest, and a `get` that frees a place moves
 *   the item of the putter that waited longest into the queue: waiters are
 *   served strictly in arrival order. An item in transit to a woken getter
 *   is no longer counted by `qsize()` (nor listed by `queue`), and a putter
 *   woken that way has completed even if `shutdown()` follows at once.
 * - Negative timeouts are always a `ValueError`, even for a `put` that would
 *   not have waited.
 * - `for await (const item of q)` drains a `Queue` until it is shut down.
 *
 * @example Workers sharing one queue
 * ```ts
 * import { Queue } from "@pyconc/pyconc/queue";
 * import { Thread } from "@pyconc/pyconc/threading";
 *
 * const q = new Queue<number>();
 * const worker = new Thread({
 *   target: (q: Queue<number>) => {
 *     for (;;) {
 *       const item = q.getSync();
 *       if (item < 0) break;
 *       q.taskDone();
 *     }
 *     q.taskDone();
 *   },
 *   args: [q],
 * });
 * worker.start();
 * for (let i = 0; i < 100; i++) await q.put(i);
 * await q.put(-1);
 * await q.join();
 * await worker.join();
 * ```
 *
 * @module
 */
export { Empty, Full, ShutDown } from "./errors.ts";
export { OverflowError } from "../_internal/core/overflow_error.ts";
export {
  type GetOptions,
  type PutOptions,
  Queue,
  type QueueOptions,
  type ShutdownOptions,
} from "./queue.ts";
export { LifoQueue } from "./lifo_queue.ts";
export { PriorityQueue, type PriorityQueueOptions } from "./priority_queue.ts";
export { SimpleQueue } from "./simple_queue.ts";
export type { BlockOptions } from "./_options.ts";
