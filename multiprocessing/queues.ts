/**
 * Queue: a FIFO queue shared by processes.
 *
 * @module
 */
import { ValueError } from "../_internal/core/errors.ts";
import { flushAll, registerLocal } from "../_internal/mp/client.ts";
import { Queue as LocalQueue, type QueueOptions } from "../queue/queue.ts";
import { timeoutToMs } from "../_internal/core/time.ts";
import { checkOptions, isOptionsObject } from "../_internal/core/options.ts";
import { Empty, Full } from "../queue/errors.ts";
import { _adopting, _newRef, BaseProxy } from "./_proxy.ts";
import { _PutBuffer } from "./_put_buffer.ts";
import { decodeItem, encodeItem } from "./_item_handles.ts";

/** Options of a queue's `put` and `get`, Python's keyword arguments. */
export interface QueueWaitOptions {
  /** Wait when the queue is full (put) or empty (get); default `true`. */
  block?: boolean;
  /** The longest wait in seconds; forever when omitted or `null`. */
  timeout?: number | null;
}

function _waitMs(options: QueueWaitOptions | undefined): number {
  if (options === undefined || options === null) return Infinity;
  if (typeof options !== "object") {
    throw new TypeError(
      `expected options like { block, timeout }, got ${typeof options}`,
    );
  }
  if (options.block === false) return 0;
  return timeoutToMs(options.timeout);
}

function _checkMaxsize(arg: number | QueueOptions, fn: string): number {
  const maxsize = isOptionsObject(arg)
    ? checkOptions(arg, ["maxsize"], fn).maxsize ?? 0
    : arg;
  if (typeof maxsize !== "number" || !Number.isInteger(maxsize)) {
    throw new TypeError(`maxsize must be an integer, got ${maxsize}`);
  }
  return maxsize;
}

/**
 * A first-in first-out queue that any number of processes (and their
 * threads) use at once, as Python's `multiprocessing.Queue`. Items are
 * copied with the structured-clone format, except the shared objects of
 * this module inside them (a Lock, a Value, another Queue, a Connection...),
 * which arrive as live handles, as Python's pickling of them does.
 *
 * The items live in shared memory of the thread that created the queue
 * (a queue of the queue module), which uses them directly, at the speed
 * of that module; its server worker serves them to other processes, one
 * round trip per `get`. From another process, `put` on an unbounded queue
 * buffers the item and returns, like Python's feeder thread: what
 * accumulated goes out in one frame when the event loop turns (a put that
 * fills a frame of 1,024 items waits for its write), so an item becomes
 * visible a moment after `put` returns, items put by one thread arrive in
 * order, and what is still buffered when the process exits (even through
 * `exit()`) is sent first. On a bounded queue `put` waits for room. `get`
 * is async; `getSync` and `putSync` block the calling thread, and a
 * `putSync` does not wait for earlier `put`s of the same thread. `Empty`
 * and `Full` are the queue module's.
 *
 * @example Producer and consumer
 * ```ts
 * import { Process, Queue } from "@pyconc/pyconc/multiprocessing";
 * const q = new Queue();
 * const p = new Process({
 *   target: (q: Queue) => {
 *     for (let i = 0; i < 3; i++) q.putSync(i);
 *   },
 *   args: [q],
 * });
 * await p.start();
 * const got = [await q.get(), await q.get(), await q.get()];
 * await p.join();
 * console.assert(got.join() === "0,1,2");
 * ```
 */
export class Queue<T = unknown> extends BaseProxy {
  #maxsize: number;
  #closed = false;
  #buffer: _PutBuffer | null = null;
  // In the thread that made the queue: the items themselves, in shared
  // memory that this thread's server also serves to other processes.
  #local: LocalQueue<T> | null = null;

  /**
   * Creates a queue holding at most `maxsize` items (unbounded when 0 or
   * less), as Python's `Queue(maxsize=0)`: `new Queue(5)` or
   * `new Queue({ maxsize: 5 })`.
   *
   * @param maxsize The capacity (0 for none), or `{ maxsize }`.
   * @throws {TypeError} a maxsize that is not an integer, or an unknown option.
   */
  constructor(maxsize: number | QueueOptions = 0) {
    const adopted = _adopting();
    const m = adopted
      ? (adopted.init.s as { maxsize: number }).maxsize
      : _checkMaxsize(maxsize, new.target.name);
    const ref = adopted ?? _newRef("squeue", { maxsize: m });
    super(ref);
    this.#maxsize = m;
    if (!adopted) {
      this.#local = new LocalQueue<T>(Math.max(0, m));
      registerLocal(ref.oid, this.#local);
    }
  }

  /**
   * @internal Whether a put from another process resolves only once its
   * item is written (see {@linkcode JoinableQueue}).
   */
  get _putsAwaitWrite(): boolean {
    return false;
  }

  /** @internal The shared-memory queue, in the thread that made this one. */
  get _local(): LocalQueue<T> | null {
    return this.#local;
  }

  /** The capacity given at creation (0 or less: unbounded). */
  get maxsize(): number {
    return this.#maxsize;
  }

  #checkOpen(): void {
    if (this.#closed) throw new ValueError(`Queue ${this} is closed`);
  }

  /**
   * Puts `item` in the queue. On an unbounded queue it resolves once the
   * item is buffered to be sent (see the class doc); on a bounded one it
   * waits for room: forever, at most `timeout` seconds, or not at all with
   * `block: false`.
   *
   * @param item The item (copied with structured clone).
   * @param options `{ block = true, timeout = null }`.
   * @returns A promise that settles when the item has been handed over.
   * @throws {Full} no room in time.
   * @throws {ValueError} the queue was closed by this process, or a negative timeout.
   */
  put(item: T, options?: QueueWaitOptions): Promise<void> {
    try {
      this.#checkOpen();
      const ms = _waitMs(options);
      const it = encodeItem(item, "Queue items") as T;
      if (this.#local) return this.#local.put(it, options);
      if (this.#maxsize <= 0) {
        this.#buffer ??= new _PutBuffer(this, this._putsAwaitWrite);
        return this.#buffer.put(it);
      }
      return this._call("put", it, ms) as Promise<void>;
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /**
   * The blocking twin of {@linkcode Queue.put}: returns once the item is in
   * the queue.
   *
   * @param item The item.
   * @param options `{ block = true, timeout = null }`.
   * @throws {Full} no room in time.
   * @throws {ValueError} the queue was closed by this process.
   */
  putSync(item: T, options?: QueueWaitOptions): void {
    this.#checkOpen();
    const ms = _waitMs(options);
    const it = encodeItem(item, "Queue items") as T;
    if (this.#local) this.#local.putSync(it, options);
    else this._callSync("put", it, ms);
  }

  /**
   * Puts without waiting for room: `putSync(item, { block: false })`.
   *
   * @param item The item.
   * @throws {Full} the queue is full.
   */
  putNowait(item: T): void {
    this.putSync(item, { block: false });
  }

  /**
   * Takes the oldest item, waiting for one: forever, at most `timeout`
   * seconds, or not at all with `block: false`.
   *
   * @param options `{ block = true, timeout = null }`.
   * @returns The item.
   * @throws {Empty} no item in time.
   * @throws {ValueError} a negative timeout.
   */
  get(options?: QueueWaitOptions): Promise<T> {
    let ms: number;
    try {
      ms = _waitMs(options);
    } catch (err) {
      return Promise.reject(err);
    }
    const got = this.#local
      ? this.#local.get(options)
      : this._call("get", ms) as Promise<T>;
    return got.then(decodeItem<T>);
  }

  /**
   * The blocking twin of {@linkcode Queue.get}.
   *
   * @param options `{ block = true, timeout = null }`.
   * @returns The item.
   * @throws {Empty} no item in time.
   */
  getSync(options?: QueueWaitOptions): T {
    const ms = _waitMs(options);
    return decodeItem<T>(
      this.#local ? this.#local.getSync(options) : this._callSync("get", ms),
    );
  }

  /**
   * Takes an item only if one is there now: `getSync({ block: false })`.
   *
   * @returns The item.
   * @throws {Empty} the queue is empty.
   */
  getNowait(): T {
    return this.getSync({ block: false });
  }

  /**
   * The number of items in the queue now (approximate, as in Python: others may change it at once).
   *
   * @returns The size.
   */
  qsize(): number {
    if (this.#local) return this.#local.qsize();
    return this._callSync("qsize") as number;
  }

  /**
   * Whether the queue is empty now (approximate).
   *
   * @returns Whether there are no items.
   */
  empty(): boolean {
    if (this.#local) return this.#local.empty();
    return this._callSync("empty") as boolean;
  }

  /**
   * Whether the queue is full now (approximate).
   *
   * @returns Whether a put would wait.
   */
  full(): boolean {
    if (this.#local) return this.#local.full();
    return this._callSync("full") as boolean;
  }

  /**
   * Says that this process will put no more items: later puts here throw
   * {@linkcode ValueError}. Other processes are not affected.
   */
  close(): void {
    this.#closed = true;
  }

  /** Resolves once every item this thread put has reached the queue. */
  async joinThread(): Promise<void> {
    await this.#buffer?.flush();
    await flushAll();
  }

  /** Python's `cancel_join_thread()`; nothing to cancel here, as a process flushes its puts before it exits. */
  cancelJoinThread(): void {}

  /** A short description, as Python's repr. */
  override toString(): string {
    return `<${this.constructor.name} object ${this._ref.oid}>`;
  }
}

export { Empty, Full };
