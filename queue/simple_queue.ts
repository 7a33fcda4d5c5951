/**
 * `SimpleQueue`: Python's unbounded FIFO `queue.SimpleQueue`, shared
 * across workers.
 *
 * @module
 */
import {
  registerShareable,
  SHARE,
  type SharedDescriptor,
  shareUrl,
} from "../_internal/share/codec.ts";
import {
  adopt,
  adoptedState,
  remember,
} from "../_internal/share/shared_object.ts";
import { QueueCore, setCore } from "./_core.ts";
import * as blocking from "./_blocking.ts";
import { IndexKind } from "./_layout.ts";
import type { BlockOptions } from "./_options.ts";
import type { StoreState } from "./_store.ts";

const _SHARE_URL = shareUrl(import.meta.url, "queue/simple_queue.ts");

/**
 * An unbounded first-in, first-out queue without task tracking, as Python's
 * `queue.SimpleQueue`: `put` never waits, and there is no `taskDone`,
 * `join`, `maxsize` or `shutdown`. Shareable with workers like
 * {@linkcode Queue}. (Python's `SimpleQueue` is also reentrant for signal
 * handlers; JavaScript has no such handlers.)
 *
 * @typeParam T the type of the items.
 *
 * @example
 * ```ts
 * import { SimpleQueue } from "@pyconc/pyconc/queue";
 * const q = new SimpleQueue<string>();
 * q.putNowait("x");
 * await q.put("y");
 * console.assert(q.qsize() === 2);
 * console.assert(await q.get() === "x");
 * console.assert(q.getNowait() === "y");
 * ```
 */
export class SimpleQueue<T = unknown> {
  readonly #core: QueueCore;
  readonly #id: number;

  /** Creates an empty queue. */
  constructor() {
    const { state, id } = adoptedState<StoreState>();
    this.#id = id;
    this.#core = new QueueCore(state, IndexKind.Fifo, 0);
    setCore(this, this.#core);
    remember(id, this);
  }

  /** The number of items in the queue (a hint while other threads work on it). */
  qsize(): number {
    return this.#core.qsize();
  }

  /** Whether the queue holds no items. */
  empty(): boolean {
    return this.#core.qsize() === 0;
  }

  /**
   * Puts `item` into the queue; never waits. `options` is accepted for
   * compatibility with {@linkcode Queue.put} and ignored, as in Python.
   *
   * @throws {TypeError} an item structured clone cannot carry.
   */
  put(item: T, options?: BlockOptions): Promise<void> {
    try {
      this.putSync(item, options);
      return Promise.resolve();
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /**
   * Puts `item` into the queue; never waits for room (at most, briefly, for
   * a running consumer to catch up: see {@linkcode Queue} on its ring).
   *
   * @throws {TypeError} an item structured clone cannot carry.
   */
  putSync(item: T, _options?: BlockOptions): void {
    blocking.putSync(this.#core, item, 0);
  }

  /**
   * The same as {@linkcode SimpleQueue.putSync}, as Python's `put_nowait`.
   *
   * @throws {TypeError} an item structured clone cannot carry.
   */
  putNowait(item: T): void {
    this.putSync(item);
  }

  /**
   * Removes and returns the next item, waiting (without blocking the event
   * loop) while the queue is empty; `{ timeout }` and `{ block: false }`
   * work as for {@linkcode Queue.get}.
   *
   * @throws {Empty} no item in time, or at once with `block: false`.
   * @throws {ValueError} a negative timeout.
   */
  async get(options?: BlockOptions): Promise<T> {
    return await blocking.getAsync(
      this.#core,
      blocking.waitOrOverflowMs(options),
    ) as T;
  }

  /**
   * The blocking twin of {@linkcode SimpleQueue.get}.
   *
   * @throws {Empty} no item in time, or at once with `block: false`.
   * @throws {ValueError} a negative timeout.
   */
  getSync(options?: BlockOptions): T {
    return blocking.getSync(
      this.#core,
      blocking.waitOrOverflowMs(options),
    ) as T;
  }

  /**
   * Removes and returns an item only if one is there at once.
   *
   * @throws {Empty} no item.
   */
  getNowait(): T {
    return this.getSync({ block: false });
  }

  /** A snapshot of the items, oldest first (copies). */
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

  /** @internal Describes this queue for another thread. */
  [SHARE](): SharedDescriptor {
    return {
      url: _SHARE_URL,
      name: "SimpleQueue",
      id: this.#id,
      state: this.#core.s.state,
    };
  }

  /** @internal Rebuilds a handle in another thread. */
  static _fromShared(state: unknown, id: number): SimpleQueue {
    return adopt(SimpleQueue, state, id);
  }

  /** A short description, as Python's repr. */
  toString(): string {
    return "<queue.SimpleQueue object>";
  }
}
registerShareable(_SHARE_URL, "SimpleQueue", SimpleQueue);
