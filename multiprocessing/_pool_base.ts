/**
 * What Pool and the dummy module's ThreadPool share: apply, the map family,
 * AsyncResult bookkeeping, close, terminate and join, over a backend that
 * runs tasks (child processes or threads).
 *
 * @module
 */
import { ValueError } from "../_internal/core/errors.ts";
import { RuntimeError } from "../_internal/core/errors.ts";
import { type Target, toTargetSpec } from "../_internal/share/target.ts";
import { AsyncResult } from "./async_result.ts";
import { _ChunkStream, mapChunks } from "./_pool_map.ts";

/** Options of the `map` family. */
export interface MapOptions {
  /**
   * How many items go to a worker in one task. `map` and `starmap` default
   * to Python's choice (the items spread in about four chunks per worker);
   * `imap` and `imapUnordered` to 1.
   */
  chunksize?: number | null;
}

/** Options of the `Async` calls: Python's `callback` and `error_callback`. */
export interface AsyncOptions<T> {
  /** Called with the result when the call succeeds. */
  callback?: ((result: T) => void) | null;
  /** Called with the error when the call fails. */
  errorCallback?: ((error: unknown) => void) | null;
}

/** What runs a pool's tasks. */
export interface _PoolBackend {
  /** Throws when `args` cannot be sent to a worker. */
  check(args: unknown): void;
  /** Runs `fn(...args)`. */
  submit(fn: unknown, args: unknown[]): PromiseLike<unknown>;
  /**
   * Runs `fn` over `items` as one task (each item alone, or spread with
   * `star`), stopping at the first that throws. Its handle ends with the
   * results of the items that ran and the record of the error that stopped
   * it, or null (see `_internal/pool_protocol.ts`, `ItemsResult`).
   */
  submitItems(fn: unknown, items: unknown[], star: boolean): {
    /** Calls `fn` once the task is done. */
    addDoneCallback(fn: () => unknown): void;
    /** The outcome of a task that is done; throws when it failed as a whole. */
    resultSync(): [results: ArrayLike<unknown>, error: unknown];
  };
  /** Lets the workers finish what was given, then stops them. */
  close(): Promise<void>;
  /** Stops the workers now. */
  terminate(): Promise<void>;
}

function _checkTarget(fn: unknown): void {
  toTargetSpec(fn, "func");
}

/**
 * What {@linkcode Pool} and the dummy module's `ThreadPool` share: apply,
 * the map family, {@linkcode AsyncResult}s, `close`, `terminate` and
 * `join`, over whatever runs the tasks. Not made directly.
 *
 * @example
 * ```ts
 * import { BasePool, Pool } from "@pyconc/pyconc/multiprocessing";
 * await using pool = new Pool(1);
 * console.assert(pool instanceof BasePool);
 * ```
 */
export class BasePool {
  #backend: _PoolBackend;
  #processes: number;
  #state: "run" | "close" | "terminate" = "run";
  /** What terminate() fails: unsettled AsyncResults and imap streams. */
  #results = new Set<{ _abandon(err: unknown): void }>();
  #stopped: Promise<void> | null = null;

  /** @internal Subclasses pass the pool size and their backend. */
  constructor(processes: number, backend: _PoolBackend) {
    this.#processes = processes;
    this.#backend = backend;
  }

  /** How many worker processes the pool runs at most. */
  get processes(): number {
    return this.#processes;
  }

  #check(): void {
    if (this.#state !== "run") throw new ValueError("Pool not running");
  }

  #submit(fn: unknown, args: unknown[]): PromiseLike<unknown> {
    this.#backend.check(args);
    return this.#backend.submit(fn, args);
  }

  #track<T>(
    promise: Promise<T>,
    options?: AsyncOptions<T>,
  ): AsyncResult<T> {
    const r = new AsyncResult<T>(
      promise,
      options?.callback,
      options?.errorCallback,
    );
    this.#results.add(r);
    void r.wait().then(() => this.#results.delete(r));
    return r;
  }

  #chunksize(n: number, chunksize: number | null | undefined): number {
    if (chunksize == null) {
      if (n === 0) return 1;
      const per = this.#processes * 4;
      return Math.floor(n / per) + (n % per ? 1 : 0);
    }
    if (!Number.isInteger(chunksize) || chunksize < 1) {
      throw new ValueError(`Chunksize must be 1+, not ${chunksize}`);
    }
    return chunksize;
  }

  /**
   * Calls `func(...args)` in a worker and resolves with its result.
   *
   * @param func A self-contained function or a `{ module, name }` reference.
   * @param args Its arguments.
   * @returns The result.
   * @throws {ValueError} "Pool not running" after `close()` or `terminate()`.
   * @throws {ProcessError} the worker died while running the call.
   */
  apply<A extends unknown[], R>(
    func: Target<A, R>,
    args: A = [] as unknown as A,
  ): Promise<Awaited<R>> {
    try {
      return this.applyAsync(func, args).get();
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /**
   * Starts `func(...args)` in a worker and returns its {@linkcode AsyncResult}.
   *
   * @param func A self-contained function or a `{ module, name }` reference.
   * @param args Its arguments.
   * @param options `{ callback, errorCallback }`.
   * @returns The handle of the call.
   * @throws {ValueError} "Pool not running".
   */
  applyAsync<A extends unknown[], R>(
    func: Target<A, R>,
    args: A = [] as unknown as A,
    options?: AsyncOptions<Awaited<R>>,
  ): AsyncResult<Awaited<R>> {
    this.#check();
    if (!Array.isArray(args)) {
      throw new TypeError(`args must be an array, got ${typeof args}`);
    }
    const f = this.#submit(func, args);
    return this.#track(Promise.resolve(f) as Promise<Awaited<R>>, options);
  }

  /**
   * Calls `func(item)` for each item, in chunks, and resolves with the
   * results in order. As in Python, each chunk is one task that carries its
   * items and returns one list of results; a chunk stops at the first item
   * that throws (its later items do not run), and the first chunk to fail
   * rejects the call with that item's error.
   *
   * @param func A self-contained function or a `{ module, name }` reference.
   * @param iterable The items.
   * @param options `{ chunksize }`.
   * @returns The results in the items' order.
   * @throws {ValueError} "Pool not running", or a chunksize below 1.
   */
  map<T, R>(
    func: Target<[T], R>,
    iterable: Iterable<T>,
    options?: MapOptions,
  ): Promise<Awaited<R>[]> {
    try {
      return this.mapAsync(func, iterable, options).get();
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /**
   * The {@linkcode AsyncResult} form of {@linkcode Pool.map}.
   *
   * @param func A self-contained function or a `{ module, name }` reference.
   * @param iterable The items.
   * @param options `{ chunksize, callback, errorCallback }`.
   * @returns The handle of the whole map.
   * @throws {ValueError} "Pool not running".
   */
  mapAsync<T, R>(
    func: Target<[T], R>,
    iterable: Iterable<T>,
    options?: MapOptions & AsyncOptions<Awaited<R>[]>,
  ): AsyncResult<Awaited<R>[]> {
    return this.#mapAsync(func, iterable, false, options);
  }

  /**
   * Like {@linkcode Pool.map}, but each item is an argument list:
   * `func(...item)`.
   *
   * @param func A self-contained function or a `{ module, name }` reference.
   * @param iterable The argument lists.
   * @param options `{ chunksize }`.
   * @returns The results in order.
   */
  starmap<A extends unknown[], R>(
    func: Target<A, R>,
    iterable: Iterable<A>,
    options?: MapOptions,
  ): Promise<Awaited<R>[]> {
    try {
      return this.starmapAsync(func, iterable, options).get();
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /**
   * The {@linkcode AsyncResult} form of {@linkcode Pool.starmap}.
   *
   * @param func A self-contained function or a `{ module, name }` reference.
   * @param iterable The argument lists.
   * @param options `{ chunksize, callback, errorCallback }`.
   * @returns The handle of the whole map.
   * @throws {ValueError} "Pool not running".
   */
  starmapAsync<A extends unknown[], R>(
    func: Target<A, R>,
    iterable: Iterable<A>,
    options?: MapOptions & AsyncOptions<Awaited<R>[]>,
  ): AsyncResult<Awaited<R>[]> {
    return this.#mapAsync(func, iterable, true, options);
  }

  #mapAsync<R>(
    func: unknown,
    iterable: Iterable<unknown>,
    star: boolean,
    options?: MapOptions & AsyncOptions<Awaited<R>[]>,
  ): AsyncResult<Awaited<R>[]> {
    this.#check();
    _checkTarget(func);
    const items = star ? _argLists(iterable) : _items(iterable);
    const size = this.#chunksize(items.length, options?.chunksize);
    const all = mapChunks(this.#backend, func, items, size, star);
    return this.#track(all as Promise<Awaited<R>[]>, options);
  }

  /**
   * Like {@linkcode Pool.map}, but yields the results one by one, in order,
   * as they are ready. With a `chunksize` above 1, the results of a chunk
   * come together once the whole chunk has run; when an item throws, the
   * results before it are yielded, then the error is thrown (Python loses
   * the results of a failing chunk's earlier items; here they come first,
   * as they would with a chunksize of 1).
   *
   * @param func A self-contained function or a `{ module, name }` reference.
   * @param iterable The items.
   * @param options `{ chunksize = 1 }`.
   * @returns An async iterable of the results.
   * @throws {ValueError} "Pool not running", or a chunksize below 1.
   */
  imap<T, R>(
    func: Target<[T], R>,
    iterable: Iterable<T>,
    options?: MapOptions,
  ): AsyncIterableIterator<Awaited<R>> {
    return this.#stream(func, iterable, options, true);
  }

  /**
   * Like {@linkcode Pool.imap}, but yields each chunk's results as soon as
   * the chunk is done, whatever its place. A failing chunk yields the
   * results before its failing item, then throws that item's error.
   *
   * @param func A self-contained function or a `{ module, name }` reference.
   * @param iterable The items.
   * @param options `{ chunksize = 1 }`.
   * @returns An async iterable of the results.
   * @throws {ValueError} "Pool not running", or a chunksize below 1.
   */
  imapUnordered<T, R>(
    func: Target<[T], R>,
    iterable: Iterable<T>,
    options?: MapOptions,
  ): AsyncIterableIterator<Awaited<R>> {
    return this.#stream(func, iterable, options, false);
  }

  #stream<R>(
    func: unknown,
    iterable: Iterable<unknown>,
    options: MapOptions | undefined,
    ordered: boolean,
  ): AsyncIterableIterator<Awaited<R>> {
    this.#check();
    _checkTarget(func);
    const items = _items(iterable);
    const size = this.#chunksize(items.length, options?.chunksize ?? 1);
    const stream: _ChunkStream = new _ChunkStream(() =>
      this.#results.delete(stream)
    );
    this.#results.add(stream);
    try {
      stream.start(this.#backend, func, items, size, false);
    } catch (err) {
      this.#results.delete(stream);
      throw err;
    }
    return stream.results(ordered) as AsyncIterableIterator<Awaited<R>>;
  }

  /** Stops accepting tasks; the workers exit once the tasks given are done. */
  close(): void {
    if (this.#state !== "run") return;
    this.#state = "close";
    this.#stopped = this.#backend.close();
  }

  /**
   * Stops the workers now; results not yet ready fail with
   * {@linkcode RuntimeError}.
   *
   * @returns A promise that settles once every worker has exited.
   */
  async terminate(): Promise<void> {
    if (this.#state === "terminate") return await this.#stopped!;
    this.#state = "terminate";
    const err = new RuntimeError(
      "the pool was terminated before the task finished",
    );
    for (const r of this.#results) r._abandon(err);
    this.#results.clear();
    this.#stopped = this.#backend.terminate();
    await this.#stopped;
  }

  /**
   * Waits until every worker has exited; call `close()` or `terminate()` first.
   *
   * @returns A promise that settles once the workers are gone.
   * @throws {ValueError} "Pool is still running".
   */
  async join(): Promise<void> {
    if (this.#state === "run") throw new ValueError("Pool is still running");
    await this.#stopped;
  }

  /** Terminates the pool, as Python's `with Pool() as pool:` does on exit. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.terminate();
  }

  /** A short description, as Python's repr. */
  toString(): string {
    const state = { run: "RUN", close: "CLOSE", terminate: "TERMINATE" }[
      this.#state
    ];
    return `<multiprocessing.pool.${this.constructor.name} state=${state} pool_size=${this.#processes}>`;
  }
}

/** The items of `iterable`, as an array (each chunk is copied out of it). */
function _items(iterable: Iterable<unknown>): unknown[] {
  if (
    iterable === null || iterable === undefined ||
    typeof (iterable as Iterable<unknown>)[Symbol.iterator] !== "function"
  ) {
    throw new TypeError("the items must be iterable");
  }
  return Array.isArray(iterable) ? iterable : [...iterable];
}

/** The argument lists of `iterable` (starmap's items). */
function _argLists(iterable: Iterable<unknown>): unknown[][] {
  const items = _items(iterable);
  for (const a of items) {
    if (!Array.isArray(a)) {
      throw new TypeError("starmap items must be argument arrays");
    }
  }
  return items as unknown[][];
}
