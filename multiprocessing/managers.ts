/**
 * Manager: shared containers (dict, list, Namespace) and the module's shared
 * objects, made through one object as Python's SyncManager does.
 *
 * @module
 */
import { _adopting, _newRef, BaseProxy } from "./_proxy.ts";
import { Array as SharedArray } from "./array.ts";
import { Barrier } from "./barrier.ts";
import { Condition } from "./condition.ts";
import { Event } from "./event.ts";
import { JoinableQueue } from "./joinable_queue.ts";
import type { SemLock } from "./_lock_base.ts";
import { Lock } from "./lock.ts";
import { Queue } from "./queues.ts";
import { RLock } from "./rlock.ts";
import { BoundedSemaphore, Semaphore } from "./semaphore.ts";
import type { Typecode } from "../_internal/mp/typecodes.ts";
import { Value } from "./value.ts";
import type { Target } from "../_internal/share/target.ts";
import { findShareable } from "../_internal/mp/encode.ts";

type _Got<V> = { has: true; v: V } | { has: false };

/**
 * Refuses shared objects (locks, queues, values, proxies) anywhere in
 * `value`: containers store copies, and the copy of a shared object would
 * come back lifeless. Returns `value`.
 */
function _copies<T>(value: T, where: string): T {
  const shared = findShareable(value);
  if (shared === null) return value;
  const name = shared.constructor?.name ?? "shared object";
  throw new TypeError(
    `a ${name} cannot be stored in a Manager ${where}: its items are copies, and a copy of a shared object is not live; pass the ${name} to the child as an argument instead`,
  );
}

function _keyError(key: unknown): Error {
  const e = new Error(String(key));
  e.name = "KeyError";
  return e;
}

/**
 * A dict shared by processes, as the proxy Python's `manager.dict()`
 * returns: keys and values are copied with structured clone, and each
 * method is one round trip to the process serving it (async, with a `Sync`
 * twin). Key lookup follows `Map` (by value for primitives). Unlike
 * Python, which stores nested proxies, a shared object (lock, queue,
 * value, proxy) given to a container is refused with a `TypeError`, since
 * its stored copy would not be live.
 *
 * @example
 * ```ts
 * import { Manager } from "@pyconc/pyconc/multiprocessing";
 * await using manager = Manager();
 * const d = manager.dict<string, number>({ a: 1 });
 * await d.set("b", 2);
 * console.assert(await d.get("b") === 2);
 * console.assert(d.lenSync() === 2);
 * console.assert((await d.copy()).get("a") === 1);
 * ```
 */
export class DictProxy<K = unknown, V = unknown> extends BaseProxy {
  /**
   * @internal Made by {@linkcode SyncManager.dict}.
   */
  constructor(init?: Iterable<[K, V]> | Record<string, V> | null) {
    super(
      _adopting() ??
        _newRef("dict", {
          init: init == null ? null : _copies(
            Symbol.iterator in Object(init)
              ? [...(init as Iterable<[K, V]>)]
              : Object.entries(init),
            "dict",
          ),
        }),
    );
  }

  #got(r: unknown, key: K, dflt: V | undefined, hasDefault: boolean): V {
    const g = r as _Got<V>;
    if (g.has) return g.v;
    if (hasDefault) return dflt as V;
    throw _keyError(key);
  }

  /**
   * The value of `key`, or `dflt` when it is missing.
   *
   * @param key The key.
   * @param dflt The value when missing; without it a missing key throws `KeyError`.
   * @returns The value.
   */
  async get(key: K, ...dflt: [V?]): Promise<V> {
    return this.#got(
      await this._call("get", key),
      key,
      dflt[0],
      dflt.length > 0,
    );
  }

  /**
   * The blocking twin of {@linkcode DictProxy.get}.
   *
   * @param key The key.
   * @param dflt The value when missing.
   * @returns The value.
   */
  getSync(key: K, ...dflt: [V?]): V {
    return this.#got(this._callSync("get", key), key, dflt[0], dflt.length > 0);
  }

  /**
   * Sets `key` to `value` (Python's `d[key] = value`).
   *
   * @param key The key.
   * @param value The value.
   * @returns A promise that settles once it is set.
   */
  async set(key: K, value: V): Promise<void> {
    await this._call("set", _copies(key, "dict"), _copies(value, "dict"));
  }

  /**
   * The blocking twin of {@linkcode DictProxy.set}.
   *
   * @param key The key.
   * @param value The value.
   */
  setSync(key: K, value: V): void {
    this._callSync("set", _copies(key, "dict"), _copies(value, "dict"));
  }

  /**
   * Removes `key` (Python's `del d[key]`).
   *
   * @param key The key.
   * @returns Whether it was there.
   */
  delete(key: K): Promise<boolean> {
    return this._call("delete", key) as Promise<boolean>;
  }

  /**
   * The blocking twin of {@linkcode DictProxy.delete}.
   *
   * @param key The key.
   * @returns Whether it was there.
   */
  deleteSync(key: K): boolean {
    return this._callSync("delete", key) as boolean;
  }

  /**
   * Whether `key` is there (Python's `key in d`).
   *
   * @param key The key.
   * @returns Whether it is there.
   */
  has(key: K): Promise<boolean> {
    return this._call("has", key) as Promise<boolean>;
  }

  /**
   * The blocking twin of {@linkcode DictProxy.has}.
   *
   * @param key The key.
   * @returns Whether it is there.
   */
  hasSync(key: K): boolean {
    return this._callSync("has", key) as boolean;
  }

  /**
   * The number of entries (Python's `len(d)`).
   *
   * @returns The size.
   */
  len(): Promise<number> {
    return this._call("len") as Promise<number>;
  }

  /**
   * The blocking twin of {@linkcode DictProxy.len}.
   *
   * @returns The size.
   */
  lenSync(): number {
    return this._callSync("len") as number;
  }

  /**
   * The keys, in insertion order.
   *
   * @returns A list of the keys.
   */
  keys(): Promise<K[]> {
    return this._call("keys") as Promise<K[]>;
  }

  /**
   * The values, in insertion order.
   *
   * @returns A list of the values.
   */
  values(): Promise<V[]> {
    return this._call("values") as Promise<V[]>;
  }

  /**
   * The entries, in insertion order.
   *
   * @returns A list of `[key, value]` pairs.
   */
  items(): Promise<[K, V][]> {
    return this._call("items") as Promise<[K, V][]>;
  }

  /**
   * A copy of the whole dict.
   *
   * @returns A `Map` of the entries.
   */
  async copy(): Promise<Map<K, V>> {
    return new Map(await this.items());
  }

  /**
   * The blocking twin of {@linkcode DictProxy.copy}.
   *
   * @returns A `Map` of the entries.
   */
  copySync(): Map<K, V> {
    return new Map(this._callSync("items") as [K, V][]);
  }

  /**
   * Sets many entries.
   *
   * @param entries Pairs, a Map, or a plain object.
   * @returns A promise that settles once they are set.
   */
  async update(
    entries: Iterable<[K, V]> | Record<string, V>,
  ): Promise<void> {
    const list = Symbol.iterator in Object(entries)
      ? [...(entries as Iterable<[K, V]>)]
      : Object.entries(entries);
    await this._call("update", _copies(list, "dict"));
  }

  /**
   * Removes `key` and returns its value, or `dflt` when missing.
   *
   * @param key The key.
   * @param dflt The value when missing; without it a missing key throws `KeyError`.
   * @returns The value.
   */
  async pop(key: K, ...dflt: [V?]): Promise<V> {
    return this.#got(
      await this._call("pop", key),
      key,
      dflt[0],
      dflt.length > 0,
    );
  }

  /**
   * The value of `key`, setting it to `dflt` first when missing.
   *
   * @param key The key.
   * @param dflt The value to set when missing.
   * @returns The value.
   */
  setdefault(key: K, dflt: V): Promise<V> {
    try {
      _copies([key, dflt], "dict");
    } catch (err) {
      return Promise.reject(err);
    }
    return this._call("setdefault", key, dflt) as Promise<V>;
  }

  /**
   * Removes every entry.
   *
   * @returns A promise that settles once it is empty.
   */
  async clear(): Promise<void> {
    await this._call("clear");
  }
}

/**
 * A list shared by processes, as the proxy Python's `manager.list()`
 * returns: items are copied with structured clone; negative indexes count
 * from the end; each method is one round trip (async, some with a `Sync`
 * twin). Shared objects are refused as in {@linkcode DictProxy}.
 *
 * @example
 * ```ts
 * import { Manager } from "@pyconc/pyconc/multiprocessing";
 * await using manager = Manager();
 * const l = manager.list([1, 2]);
 * await l.append(3);
 * console.assert(await l.get(-1) === 3);
 * console.assert((await l.toArray()).join() === "1,2,3");
 * ```
 */
export class ListProxy<T = unknown> extends BaseProxy {
  /**
   * @internal Made by {@linkcode SyncManager.list}.
   */
  constructor(init?: Iterable<T> | null) {
    super(
      _adopting() ??
        _newRef("list", {
          init: init == null ? null : _copies([...init], "list"),
        }),
    );
  }

  /**
   * The item at `i`.
   *
   * @param i The index.
   * @returns The item.
   * @throws {RangeError} "list index out of range".
   */
  get(i: number): Promise<T> {
    return this._call("get", i) as Promise<T>;
  }

  /**
   * The blocking twin of {@linkcode ListProxy.get}.
   *
   * @param i The index.
   * @returns The item.
   */
  getSync(i: number): T {
    return this._callSync("get", i) as T;
  }

  /**
   * Replaces the item at `i`.
   *
   * @param i The index.
   * @param value The new item.
   * @returns A promise that settles once it is set.
   */
  async set(i: number, value: T): Promise<void> {
    await this._call("set", i, _copies(value, "list"));
  }

  /**
   * Adds an item at the end.
   *
   * @param value The item.
   * @returns A promise that settles once it is added.
   */
  async append(value: T): Promise<void> {
    await this._call("append", _copies(value, "list"));
  }

  /**
   * The blocking twin of {@linkcode ListProxy.append}.
   *
   * @param value The item.
   */
  appendSync(value: T): void {
    this._callSync("append", _copies(value, "list"));
  }

  /**
   * Adds items at the end.
   *
   * @param values The items.
   * @returns A promise that settles once they are added.
   */
  async extend(values: Iterable<T>): Promise<void> {
    await this._call("extend", _copies([...values], "list"));
  }

  /**
   * Inserts an item before index `i`.
   *
   * @param i The index.
   * @param value The item.
   * @returns A promise that settles once it is inserted.
   */
  async insert(i: number, value: T): Promise<void> {
    await this._call("insert", i, _copies(value, "list"));
  }

  /**
   * Removes and returns the item at `i` (the last by default).
   *
   * @param i The index.
   * @returns The item.
   * @throws {RangeError} the list is empty or the index is out of range.
   */
  pop(i?: number): Promise<T> {
    return this._call("pop", i) as Promise<T>;
  }

  /**
   * Removes the first item equal to `value`.
   *
   * @param value The item.
   * @returns A promise that settles once it is removed.
   * @throws {ValueError} "list.remove(x): x not in list".
   */
  async remove(value: T): Promise<void> {
    await this._call("remove", value);
  }

  /**
   * The index of the first item equal to `value`.
   *
   * @param value The item.
   * @returns Its index.
   * @throws {ValueError} it is not in the list.
   */
  index(value: T): Promise<number> {
    return this._call("index", value) as Promise<number>;
  }

  /**
   * How many items equal `value`.
   *
   * @param value The item.
   * @returns The count.
   */
  count(value: T): Promise<number> {
    return this._call("count", value) as Promise<number>;
  }

  /**
   * The number of items (Python's `len(l)`).
   *
   * @returns The length.
   */
  len(): Promise<number> {
    return this._call("len") as Promise<number>;
  }

  /**
   * The blocking twin of {@linkcode ListProxy.len}.
   *
   * @returns The length.
   */
  lenSync(): number {
    return this._callSync("len") as number;
  }

  /**
   * Reverses the list in place.
   *
   * @returns A promise that settles once it is done.
   */
  async reverse(): Promise<void> {
    await this._call("reverse");
  }

  /**
   * Sorts the list in place: numbers by value, anything else by its string.
   *
   * @param options `{ reverse }`.
   * @returns A promise that settles once it is done.
   */
  async sort(options?: { reverse?: boolean }): Promise<void> {
    await this._call("sort", Boolean(options?.reverse));
  }

  /**
   * A copy of the items (Python's `list(l)` or `l[start:end]`).
   *
   * @param start The first index.
   * @param end One past the last index.
   * @returns The items.
   */
  toArray(start?: number, end?: number): Promise<T[]> {
    return this._call("slice", start, end) as Promise<T[]>;
  }

  /**
   * The blocking twin of {@linkcode ListProxy.toArray}.
   *
   * @param start The first index.
   * @param end One past the last index.
   * @returns The items.
   */
  toArraySync(start?: number, end?: number): T[] {
    return this._callSync("slice", start, end) as T[];
  }

  /**
   * Removes every item.
   *
   * @returns A promise that settles once it is empty.
   */
  async clear(): Promise<void> {
    await this._call("clear");
  }
}

const _NS_OWN = new Set(["then", "toString", "constructor", "toJSON"]);

/**
 * A namespace shared by processes, as Python's `manager.Namespace()`:
 * reading or writing any property (`ns.x = 1`, `ns.x`) is one blocking
 * round trip to the process serving it; a missing property reads as
 * `undefined`. Values are copied with structured clone.
 *
 * @example
 * ```ts
 * import { Manager } from "@pyconc/pyconc/multiprocessing";
 * await using manager = Manager();
 * const ns = manager.Namespace({ x: 1 });
 * ns.y = "two";
 * console.assert(ns.x === 1 && ns.y === "two");
 * ```
 */
export class Namespace extends BaseProxy {
  /** Any property: read and written on the process serving the namespace. */
  // deno-lint-ignore no-explicit-any
  [name: string]: any;

  /**
   * @internal Made by {@linkcode SyncManager.Namespace}.
   */
  constructor(init?: Record<string, unknown> | null) {
    super(
      _adopting() ??
        _newRef("dict", {
          init: init ? _copies(Object.entries(init), "Namespace") : null,
        }),
    );
    return new Proxy(this, {
      get(t, prop) {
        if (typeof prop === "symbol" || _NS_OWN.has(prop) || prop in t) {
          const v: unknown = Reflect.get(t, prop, t);
          return typeof v === "function" ? (v as () => unknown).bind(t) : v;
        }
        const g = t._callSync("get", prop) as _Got<unknown>;
        return g.has ? g.v : undefined;
      },
      set(t, prop, value) {
        if (typeof prop === "symbol") return false;
        t._callSync("set", prop, _copies(value, "Namespace"));
        return true;
      },
      deleteProperty(t, prop) {
        if (typeof prop === "symbol") return false;
        t._callSync("delete", prop);
        return true;
      },
      has(t, prop) {
        if (typeof prop === "symbol") return prop in t;
        return t._callSync("has", prop) as boolean;
      },
    });
  }

  /** A short description, as Python's repr. */
  override toString(): string {
    const items = this._callSync("items") as [string, unknown][];
    return `Namespace(${
      items.map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(", ")
    })`;
  }
}

/**
 * Python's `SyncManager`: makes shared dicts, lists, namespaces and the
 * module's synchronization objects. Python runs a manager in a server
 * process of its own; here every process already serves the objects it
 * creates (see the module doc), so a manager is only a maker of objects
 * served by this process, and `shutdown()` only stops it making more.
 *
 * @example
 * ```ts
 * import { Manager } from "@pyconc/pyconc/multiprocessing";
 * await using manager = Manager();
 * const lock = manager.Lock();
 * const q = manager.Queue();
 * await q.put(1);
 * console.assert(await q.get() === 1 && await lock.acquire());
 * lock.release();
 * ```
 */
export class SyncManager {
  #running = true;

  #check(): void {
    if (!this.#running) throw new Error("Manager has shut down");
  }

  /** Python's `start()`: the manager is ready at once. */
  start(): void {}

  /** Stops the manager from making objects; those made keep working. */
  shutdown(): void {
    this.#running = false;
  }

  /** Shuts the manager down at the end of an `await using` block. */
  [Symbol.asyncDispose](): Promise<void> {
    this.shutdown();
    return Promise.resolve();
  }

  /**
   * A shared dict.
   *
   * @param init Initial entries.
   * @returns The dict.
   */
  dict<K = unknown, V = unknown>(
    init?: Iterable<[K, V]> | Record<string, V> | null,
  ): DictProxy<K, V> {
    this.#check();
    return new DictProxy<K, V>(init);
  }

  /**
   * A shared list.
   *
   * @param init Initial items.
   * @returns The list.
   */
  list<T = unknown>(init?: Iterable<T> | null): ListProxy<T> {
    this.#check();
    return new ListProxy<T>(init);
  }

  /**
   * A shared namespace.
   *
   * @param init Initial properties.
   * @returns The namespace.
   */
  Namespace(init?: Record<string, unknown> | null): Namespace {
    this.#check();
    return new Namespace(init);
  }

  /**
   * A shared {@linkcode Queue}.
   *
   * @param maxsize The capacity; 0 for none.
   * @returns The queue.
   */
  Queue<T = unknown>(maxsize = 0): Queue<T> {
    this.#check();
    return new Queue<T>(maxsize);
  }

  /**
   * A shared {@linkcode JoinableQueue}.
   *
   * @param maxsize The capacity; 0 for none.
   * @returns The queue.
   */
  JoinableQueue<T = unknown>(maxsize = 0): JoinableQueue<T> {
    this.#check();
    return new JoinableQueue<T>(maxsize);
  }

  /**
   * A shared {@linkcode Lock}.
   *
   * @returns The lock.
   */
  Lock(): Lock {
    this.#check();
    return new Lock();
  }

  /**
   * A shared {@linkcode RLock}.
   *
   * @returns The lock.
   */
  RLock(): RLock {
    this.#check();
    return new RLock();
  }

  /**
   * A shared {@linkcode Semaphore}.
   *
   * @param value The initial count.
   * @returns The semaphore.
   */
  Semaphore(value = 1): Semaphore {
    this.#check();
    return new Semaphore(value);
  }

  /**
   * A shared {@linkcode BoundedSemaphore}.
   *
   * @param value The initial and highest count.
   * @returns The semaphore.
   */
  BoundedSemaphore(value = 1): BoundedSemaphore {
    this.#check();
    return new BoundedSemaphore(value);
  }

  /**
   * A shared {@linkcode Condition}.
   *
   * @param lock Its lock; a new RLock when omitted.
   * @returns The condition.
   */
  Condition(lock?: SemLock | null): Condition {
    this.#check();
    return new Condition(lock);
  }

  /**
   * A shared {@linkcode Event}.
   *
   * @returns The event.
   */
  Event(): Event {
    this.#check();
    return new Event();
  }

  /**
   * A shared {@linkcode Barrier}.
   *
   * @param parties How many must wait.
   * @param action Run by the last to arrive.
   * @param timeout The default timeout of `wait`.
   * @returns The barrier.
   */
  Barrier(
    parties: number,
    action?: Target | null,
    timeout?: number | null,
  ): Barrier {
    this.#check();
    return new Barrier(parties, action, timeout);
  }

  /**
   * A shared {@linkcode Value} without a lock, as Python's manager value.
   *
   * @param typecode The typecode.
   * @param value The initial value.
   * @returns The value.
   */
  Value(typecode: Typecode, value: number | bigint = 0): Value {
    this.#check();
    return new Value(typecode, value, { lock: false });
  }

  /**
   * A shared {@linkcode Array} without a lock.
   *
   * @param typecode The typecode.
   * @param sequence The initial values, or a length.
   * @returns The array.
   */
  Array(
    typecode: Typecode,
    sequence: number | ArrayLike<number | bigint>,
  ): SharedArray {
    this.#check();
    return new SharedArray(typecode, sequence, { lock: false });
  }
}

/**
 * Starts a {@linkcode SyncManager}, as Python's `multiprocessing.Manager()`.
 *
 * @returns The manager.
 * @example
 * ```ts
 * import { Manager } from "@pyconc/pyconc/multiprocessing";
 * await using manager = Manager();
 * const d = manager.dict();
 * await d.set("k", [1, 2]);
 * console.assert((await d.get("k") as number[]).length === 2);
 * ```
 */
export function Manager(): SyncManager {
  return new SyncManager();
}
