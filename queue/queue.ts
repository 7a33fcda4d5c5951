/**
 * `Queue`: Python's FIFO `queue.Queue`, in shared memory, usable from
 * every worker; the base class of `LifoQueue` and `PriorityQueue`.
 *
 * @module
 */
import {
  SHARE,
  type SharedDescriptor,
  shareUrl,
} from "../_internal/share/codec.ts";
import {
  adopt,
  adoptedState,
  remember,
} from "../_internal/share/shared_object.ts";
import {
  evaluateFunction,
  type TargetSpec,
  toTargetSpec,
} from "../_internal/share/target.ts";
import { queueClassInfo, registerQueueClass } from "./_classes.ts";
import { type CompareFn, QueueCore, setCore } from "./_core.ts";
import * as blocking from "./_blocking.ts";
import { IndexKind } from "./_layout.ts";
import type { BlockOptions } from "./_options.ts";
import type { StoreState } from "./_store.ts";
import { ShutDown } from "./errors.ts";
import { checkOptions } from "../_internal/core/options.ts";

const _SHARE_URL = shareUrl(import.meta.url, "queue/queue.ts");

/** Options of the {@linkcode Queue} constructor (the number form is Python's). */
export interface QueueOptions {
  /** The most items the queue holds; 0 or less (the default) is unbounded. */
  maxsize?: number;
}

/** Options of {@linkcode Queue.put}: Python's `block` and `timeout` keywords. */
export type PutOptions = BlockOptions;

/** Options of {@linkcode Queue.get}: Python's `block` and `timeout` keywords. */
export type GetOptions = BlockOptions;

/** Options of {@linkcode Queue.shutdown}. */
export interface ShutdownOptions {
  /** Also drop every queued item (and count each as done for `join`). */
  immediate?: boolean;
}

/** What travels to another thread. */
interface _Shared {
  store: StoreState;
  compare: TargetSpec | null;
  compareFn?: CompareFn | null;
}

/** Checks Python's `maxsize` and turns it into the shared word. */
function _maxsizeWord(maxsize: unknown): number {
  if (maxsize === undefined || maxsize === null) return 0;
  if (typeof maxsize !== "number" || Number.isNaN(maxsize)) {
    throw new TypeError(
      `maxsize must be a number, got ${
        Number.isNaN(maxsize) ? "NaN" : typeof maxsize
      }`,
    );
  }
  if (maxsize <= 0) return 0;
  return Math.min(Math.ceil(maxsize), 0x7fffffff);
}

/**
 * A first-in, first-out queue, as Python's `queue.Queue`: any number of
 * producers and consumers in any number of threads (workers) share it.
 *
 * It lives in `SharedArrayBuffer` memory: pass it to a `Thread`, an
 * executor task or any library worker and the other side gets a live handle
 * on the same queue. Items are copied in (numbers, strings, booleans, null,
 * undefined and bigints by a fast path, everything else as structured clone
 * would copy it) and copied out by the getter, so a getter always receives
 * its own copy.
 *
 * Blocking calls come in two forms: `put`/`get`/`join` are async and never
 * block the event loop; `putSync`/`getSync`/`joinSync` block the calling
 * thread (for workers and scripts). Waiters are served in the order they
 * arrived: an item put while getters wait goes to the one that waited
 * longest, and newcomers cannot take it first.
 *
 * An unbounded `Queue` (like {@linkcode SimpleQueue}) carries small items
 * (numbers, strings of up to 112 bytes, small arrays and objects) through
 * a lock-free ring of 1024 slots, and everything else through its
 * mutex-guarded store. A `putSync` that finds that ring full while another
 * thread is taking items waits for it to make room, as long as it keeps
 * doing so (at most some 2 ms without progress), instead of sending every
 * later item the slow way; the async `put` waits at most 5 µs. It never
 * waits for a consumer that is not taking items: then the items go to the
 * store, as in any unbounded queue.
 *
 * @typeParam T the type of the items.
 *
 * @example Producer and consumer
 * ```ts
 * import { Queue } from "@pyconc/pyconc/queue";
 * const q = new Queue<number>();
 * await q.put(1);
 * q.putNowait(2);
 * console.assert(q.qsize() === 2);
 * console.assert(await q.get() === 1);
 * console.assert(q.getNowait() === 2);
 * q.taskDone();
 * q.taskDone();
 * await q.join();
 * ```
 */
export class Queue<T = unknown> {
  readonly #core: QueueCore;
  readonly #compare: TargetSpec | null;
  readonly #id: number;

  /**
   * Creates a queue holding at most `maxsize` items (unbounded when 0 or
   * less, the default), as Python's `Queue(maxsize=0)`.
   *
   * @param maxsize the bound, or `{ maxsize }` (Python's keyword form).
   * @throws {TypeError} a `maxsize` that is not a number, or an unknown option.
   */
  constructor(maxsize: number | QueueOptions = 0) {
    const { state, id } = adoptedState<_Shared>();
    this.#id = id;
    if (state) {
      this.#core = new QueueCore(
        state.store,
        undefined,
        undefined,
        state.compareFn ?? null,
      );
      this.#compare = state.compare;
    } else {
      const info = queueClassInfo(new.target);
      const heap = info.kind === IndexKind.Heap;
      const opts: QueueOptions & { compare?: unknown } =
        typeof maxsize === "object" && maxsize !== null
          ? checkOptions(
            maxsize,
            heap ? ["maxsize", "compare"] : ["maxsize"],
            new.target.name,
          )
          : { maxsize: maxsize as number };
      const word = _maxsizeWord(opts.maxsize);
      let compare: CompareFn | null = null;
      this.#compare = null;
      if (heap && opts.compare !== undefined && opts.compare !== null) {
        if (typeof opts.compare !== "function") {
          throw new TypeError(
            `compare must be a function (a, b) => number, got ${typeof opts
              .compare}`,
          );
        }
        this.#compare = toTargetSpec(opts.compare, "compare");
        compare = opts.compare as CompareFn;
      }
      this.#core = new QueueCore(undefined, info.kind, word, compare);
    }
    setCore(this, this.#core);
    remember(id, this);
  }

  /** The bound given at creation; 0 means unbounded. */
  get maxsize(): number {
    return this.#core.maxsize;
  }

  /**
   * The number of items in the queue, as Python's `qsize()`. Only a hint
   * while other threads put and get.
   */
  qsize(): number {
    return this.#core.qsize();
  }

  /** Whether the queue holds no items (`qsize() === 0`). */
  empty(): boolean {
    return this.#core.qsize() === 0;
  }

  /** Whether the queue holds `maxsize` items (never, when unbounded). */
  full(): boolean {
    const max = this.#core.maxsize;
    return max > 0 && this.#core.qsize() >= max;
  }

  /**
   * Puts `item` into the queue, waiting (without blocking the event loop)
   * while a bounded queue is full.
   *
   * - `put(item)` waits as long as it takes;
   * - `put(item, { timeout: s })` waits at most `s` seconds, then rejects
   *   with `Full`;
   * - `put(item, { block: false })` never waits: `Full` when there is no room.
   *
   * @throws {ShutDown} the queue was shut down (also while waiting).
   * @throws {Full} no room in time, or at once with `block: false`.
   * @throws {ValueError} a negative timeout.
   * @throws {OverflowError} a timeout above `TIMEOUT_MAX` that would have to be waited for.
   * @throws {TypeError} an item structured clone cannot carry.
   */
  async put(item: T, options?: PutOptions): Promise<void> {
    await blocking.putAsync(
      this.#core,
      item,
      blocking.waitOrOverflowMs(options),
    );
  }

  /**
   * The blocking twin of {@linkcode Queue.put}: blocks this thread while
   * the queue is full.
   *
   * @throws {ShutDown} the queue was shut down (also while waiting).
   * @throws {Full} no room in time, or at once with `block: false`.
   * @throws {ValueError} a negative timeout.
   * @throws {OverflowError} a timeout above `TIMEOUT_MAX` that would have to be waited for.
   * @throws {TypeError} an item structured clone cannot carry.
   */
  putSync(item: T, options?: PutOptions): void {
    blocking.putSync(this.#core, item, blocking.waitOrOverflowMs(options));
  }

  /**
   * Puts `item` only if there is room at once, as Python's `put_nowait`
   * (the same as `putSync(item, { block: false })`).
   *
   * @throws {Full} no room.
   * @throws {ShutDown} the queue was shut down.
   */
  putNowait(item: T): void {
    this.putSync(item, { block: false });
  }

  /**
   * Removes and returns the next item, waiting (without blocking the event
   * loop) while the queue is empty.
   *
   * - `get()` waits as long as it takes;
   * - `get({ timeout: s })` waits at most `s` seconds, then rejects with `Empty`;
   * - `get({ block: false })` never waits: `Empty` when there is no item.
   *
   * @throws {ShutDown} the queue was shut down and is empty (also while waiting).
   * @throws {Empty} no item in time, or at once with `block: false`.
   * @throws {ValueError} a negative timeout.
   * @throws {OverflowError} a timeout above `TIMEOUT_MAX` that would have to be waited for.
   */
  async get(options?: GetOptions): Promise<T> {
    return await blocking.getAsync(
      this.#core,
      blocking.waitOrOverflowMs(options),
    ) as T;
  }

  /**
   * The blocking twin of {@linkcode Queue.get}: blocks this thread while
   * the queue is empty.
   *
   * @throws {ShutDown} the queue was shut down and is empty (also while waiting).
   * @throws {Empty} no item in time, or at once with `block: false`.
   * @throws {ValueError} a negative timeout.
   * @throws {OverflowError} a timeout above `TIMEOUT_MAX` that would have to be waited for.
   */
  getSync(options?: GetOptions): T {
    return blocking.getSync(
      this.#core,
      blocking.waitOrOverflowMs(options),
    ) as T;
  }

  /**
   * Removes and returns an item only if one is there at once, as Python's
   * `get_nowait` (the same as `getSync({ block: false })`).
   *
   * @throws {Empty} no item.
   * @throws {ShutDown} the queue was shut down and is empty.
   */
  getNowait(): T {
    return this.getSync({ block: false });
  }

  /**
   * Tells the queue that a task taken with `get` is finished, as Python's
   * `task_done`. When every item ever put has been marked done, `join`
   * returns.
   *
   * @throws {ValueError} "task_done() called too many times".
   */
  taskDone(): void {
    const s = this.#core.s;
    s.lockSync();
    try {
      this.#core.taskDone();
    } finally {
      s.unlock();
    }
  }

  /**
   * Waits, without blocking the event loop, until every item ever put has
   * been marked done with `taskDone` (or dropped by `shutdown({ immediate:
   * true })`), as Python's `join`.
   */
  join(): Promise<void> {
    return this.#core.join();
  }

  /** The blocking twin of {@linkcode Queue.join}. */
  joinSync(): void {
    this.#core.joinSync();
  }

  /**
   * Shuts the queue down, as Python 3.13's `shutdown`: later `put`s throw
   * `ShutDown`, `get`s drain what is left and then throw `ShutDown`, and
   * every caller blocked in `get` or `put` wakes up with `ShutDown`. With
   * `{ immediate: true }` the remaining items are dropped too (each counted
   * as done, so `join` returns when nothing is being worked on).
   */
  shutdown(options?: ShutdownOptions): void {
    const immediate = Boolean(options?.immediate);
    const s = this.#core.s;
    s.lockSync();
    try {
      this.#core.shutdown(immediate);
    } finally {
      s.unlock();
    }
  }

  /**
   * A snapshot of the items in the queue's internal order, as Python's
   * `q.queue`: oldest first for `Queue`, the top of the stack last for
   * `LifoQueue`, the heap array for `PriorityQueue` (the same array CPython's
   * `heapq` holds after the same operations). Items are copies.
   */
  get queue(): T[] {
    const s = this.#core.s;
    s.lockSync();
    let raw;
    try {
      raw = this.#core.snapshotRaw();
    } finally {
      s.unlock();
    }
    return QueueCore.finishSnapshot(raw) as T[];
  }

  /** The number of unfinished tasks (`put`s not yet matched by `taskDone`). */
  get unfinishedTasks(): number {
    return this.#core.unfinished();
  }

  /** Whether `shutdown()` has been called. */
  get isShutdown(): boolean {
    return this.#core.isShutDown();
  }

  /**
   * Drains the queue with `for await`: yields items from `get()` until the
   * queue is shut down and empty (the loop then ends instead of throwing
   * `ShutDown`). Call `taskDone()` per item if anyone `join`s.
   */
  async *[Symbol.asyncIterator](): AsyncGenerator<T, void, undefined> {
    for (;;) {
      let item: T;
      try {
        item = await this.get();
      } catch (err) {
        if (err instanceof ShutDown) return;
        throw err;
      }
      yield item;
    }
  }

  /** @internal Describes this queue for another thread. */
  [SHARE](): SharedDescriptor {
    const { url, name } = queueClassInfo(this.constructor);
    const state: _Shared = {
      store: this.#core.s.state,
      compare: this.#compare,
    };
    return { url, name, id: this.#id, state };
  }

  /** @internal Rebuilds a handle in another thread. */
  static _fromShared(state: unknown, id: number): unknown {
    const st = state as _Shared;
    const compareFn = st.compare?.kind === "fn"
      ? evaluateFunction(st.compare.source) as CompareFn
      : null;
    return adopt(
      this as unknown as new () => unknown,
      { ...st, compareFn },
      id,
    );
  }

  /** A short description, as Python's repr. */
  toString(): string {
    return `<queue.${queueClassInfo(this.constructor).name} object>`;
  }
}
registerQueueClass(Queue, {
  kind: IndexKind.Fifo,
  url: _SHARE_URL,
  name: "Queue",
});
