// What Pool and the dummy module's ThreadPool share: apply, the map
// family, AsyncResult bookkeeping, close, terminate and join, over a
// backend that runs tasks (child processes or threads).
import { ValueError } from "../_internal/errors.ts";
import { RuntimeError } from "../_internal/errors.ts";
import { type Target, toTargetSpec } from "../_internal/target.ts";
import { AsyncResult } from "./async_result.ts";

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
  /** Runs `fn` over each argument list of `chunk` as one task. */
  submitChunk(fn: unknown, chunk: unknown[][]): PromiseLike<unknown[]>;
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
  #results = new Set<AsyncResult<unknown>>();
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

  #chunks(
    fn: unknown,
    items: unknown[][],
    chunksize: number,
  ): Promise<unknown[]>[] {
    const out: Promise<unknown[]>[] = [];
    for (let i = 0; i < items.length; i += chunksize) {
      const chunk = items.slice(i, i + chunksize);
      this.#backend.check(chunk);
      if (chunk.length === 1) {
        const f = this.#backend.submit(fn, chunk[0]);
        out.push(Promise.resolve(f).then((v) => [v]));
      } else {
        out.push(Promise.resolve(this.#backend.submitChunk(fn, chunk)));
      }
    }
    return out;
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
    this.#results.add(r as AsyncResult<unknown>);
    void r.wait().then(() => this.#results.delete(r as AsyncResult<unknown>));
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
   * results in order. The first error rejects it.
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
    return this.starmapAsync(
      func as Target<unknown[], R>,
      _argLists(iterable),
      options,
    );
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
    this.#check();
    _checkTarget(func);
    const items = [...iterable].map((a) => {
      if (!Array.isArray(a)) {
        throw new TypeError("starmap items must be argument arrays");
      }
      return a as unknown[];
    });
    const size = this.#chunksize(items.length, options?.chunksize);
    const parts = this.#chunks(func, items, size);
    const all = Promise.all(parts).then((chunks) => chunks.flat());
    return this.#track(all as Promise<Awaited<R>[]>, options);
  }

  /**
   * Like {@linkcode Pool.map}, but yields the results one by one, in order,
   * as they are ready.
   *
   * @param func A self-contained function or a `{ module, name }` reference.
   * @param iterable The items.
   * @param options `{ chunksize = 1 }`.
   * @returns An async iterable of the results.
   * @throws {ValueError} "Pool not running".
   */
  imap<T, R>(
    func: Target<[T], R>,
    iterable: Iterable<T>,
    options?: MapOptions,
  ): AsyncIterableIterator<Awaited<R>> {
    const results = this.#imapResults(func, iterable, options);
    return (async function* () {
      for (const r of results) yield* await r.get() as Awaited<R>[];
    })();
  }

  /**
   * Like {@linkcode Pool.imap}, but yields each result as soon as it is
   * ready, whatever its place.
   *
   * @param func A self-contained function or a `{ module, name }` reference.
   * @param iterable The items.
   * @param options `{ chunksize = 1 }`.
   * @returns An async iterable of the results.
   * @throws {ValueError} "Pool not running".
   */
  imapUnordered<T, R>(
    func: Target<[T], R>,
    iterable: Iterable<T>,
    options?: MapOptions,
  ): AsyncIterableIterator<Awaited<R>> {
    const results = this.#imapResults(func, iterable, options);
    return (async function* () {
      const pending = new Map(
        results.map((r, i) => [i, r.wait().then(() => i)]),
      );
      while (pending.size > 0) {
        const i = await Promise.race(pending.values());
        pending.delete(i);
        yield* await results[i].get() as Awaited<R>[];
      }
    })();
  }

  #imapResults<T, R>(
    func: Target<[T], R>,
    iterable: Iterable<T>,
    options?: MapOptions,
  ): AsyncResult<unknown[]>[] {
    this.#check();
    _checkTarget(func);
    const items = _argLists(iterable);
    const size = this.#chunksize(items.length, options?.chunksize ?? 1);
    return this.#chunks(func, items, size).map((p) => this.#track(p));
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

function _argLists<T>(iterable: Iterable<T>): unknown[][] {
  if (
    iterable === null || iterable === undefined ||
    typeof (iterable as Iterable<T>)[Symbol.iterator] !== "function"
  ) {
    throw new TypeError("the items must be iterable");
  }
  return [...iterable].map((x) => [x]);
}
