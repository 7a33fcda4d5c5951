/**
 * SimpleQueue: an unbounded FIFO queue shared by processes, without extras.
 *
 * @module
 */
import { ValueError } from "../_internal/core/errors.ts";
import { _adopting, _newRef, BaseProxy } from "./_proxy.ts";
import { _PutBuffer } from "./_put_buffer.ts";
import { decodeItem, encodeItem } from "./_item_handles.ts";
import { registerLocal } from "../_internal/mp/client.ts";
import { Queue as LocalQueue } from "../queue/queue.ts";

/**
 * A plain unbounded queue shared by processes, as Python's
 * `multiprocessing.SimpleQueue`: `put`, `get`, `empty`, `close`.
 *
 * @example
 * ```ts
 * import { SimpleQueue } from "@pyconc/pyconc/multiprocessing";
 * const q = new SimpleQueue<string>();
 * q.putSync("a");
 * console.assert(!q.empty());
 * console.assert(await q.get() === "a");
 * ```
 */
export class SimpleQueue<T = unknown> extends BaseProxy {
  #closed = false;
  #buffer: _PutBuffer | null = null;
  #local: LocalQueue<T> | null = null;

  /** Creates an empty queue. */
  constructor() {
    const adopted = _adopting();
    const ref = adopted ?? _newRef("squeue", { maxsize: 0 });
    super(ref);
    if (!adopted) {
      // In this thread the items are used directly, in shared memory.
      this.#local = new LocalQueue<T>();
      registerLocal(ref.oid, this.#local);
    }
  }

  #check(): void {
    if (this.#closed) throw new ValueError("Queue is closed");
  }

  /**
   * Puts an item; resolves once it is on its way.
   *
   * @param item The item (copied with structured clone).
   * @returns A promise that settles when the item has been sent.
   * @throws {ValueError} the queue was closed by this process.
   */
  put(item: T): Promise<void> {
    try {
      this.#check();
    } catch (err) {
      return Promise.reject(err);
    }
    let it: T;
    try {
      it = encodeItem(item, "Queue items") as T;
    } catch (err) {
      return Promise.reject(err);
    }
    if (this.#local) return this.#local.put(it);
    return (this.#buffer ??= new _PutBuffer(this)).put(it);
  }

  /**
   * The blocking twin of {@linkcode SimpleQueue.put}.
   *
   * @param item The item.
   * @throws {ValueError} the queue was closed by this process.
   */
  putSync(item: T): void {
    this.#check();
    const it = encodeItem(item, "Queue items") as T;
    if (this.#local) this.#local.putSync(it);
    else this._callSync("put", it, Infinity);
  }

  /**
   * Takes the oldest item, waiting for one.
   *
   * @returns The item.
   */
  get(): Promise<T> {
    const got = this.#local
      ? this.#local.get()
      : this._call("get", Infinity) as Promise<T>;
    return got.then(decodeItem<T>);
  }

  /**
   * The blocking twin of {@linkcode SimpleQueue.get}.
   *
   * @returns The item.
   */
  getSync(): T {
    return decodeItem<T>(
      this.#local ? this.#local.getSync() : this._callSync("get", Infinity),
    );
  }

  /**
   * Whether the queue is empty now.
   *
   * @returns Whether there are no items.
   */
  empty(): boolean {
    if (this.#local) return this.#local.empty();
    return this._callSync("empty") as boolean;
  }

  /** Says that this process will use the queue no more. */
  close(): void {
    this.#closed = true;
  }
}
