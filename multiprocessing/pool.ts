// Pool: Python's process pool, on the futures module's pool machinery.
import { type ChildHandle, startChild } from "../_internal/child_parent.ts";
import { ValueError } from "../_internal/errors.ts";
import { checkForProcess } from "../_internal/mp_encode.ts";
import type {
  PoolReply,
  PoolStartData,
  RunMessage,
} from "../_internal/pool_protocol.ts";
import { encode } from "../_internal/codec.ts";
import { cpuCount } from "../_internal/runtime.ts";
import { signalName } from "../_internal/spawn.ts";
import { type Target, toTargetSpec } from "../_internal/target.ts";
import type { _Dispatcher, _Slot } from "../futures/_dispatcher.ts";
import { _PoolCore } from "../futures/_pool_executor.ts";
import { BrokenProcessPool } from "../futures/errors.ts";
import type { Future } from "../futures/future.ts";
import { AsyncResult } from "./async_result.ts";
import { ProcessError } from "./errors.ts";
import { RuntimeError } from "../_internal/errors.ts";

/** Options of {@linkcode Pool}, Python's keyword arguments. */
export interface PoolOptions {
  /** Runs once at the start of each worker, with `initargs`; a failure breaks the pool. */
  initializer?: Target | null;
  /** Arguments of the initializer (this module's shared objects arrive live). */
  initargs?: unknown[];
  /** Tasks a worker runs before a fresh one replaces it; unlimited when omitted. */
  maxtasksperchild?: number | null;
}

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

const _ROLE = {
  module: new URL("../_internal/child_pool.ts", import.meta.url).href,
  name: "runPool",
};

/** One worker process, as the futures dispatcher sees it. */
class _Worker implements _Slot {
  inflight = 0;
  inflightMs = 0;
  known = new Set<number>();
  stopping = false;
  ready = false;
  sent = 0;
  readonly child: ChildHandle;

  constructor(
    pool: { dispatcher: () => _Dispatcher; workers: Set<_Worker> },
    data: PoolStartData,
  ) {
    pool.workers.add(this);
    this.child = startChild({
      role: _ROLE,
      data,
      onMessage: (msg) => {
        const m = msg as PoolReply;
        if (m.type === "ready") this.ready = true;
        pool.dispatcher().onReply(this, m);
      },
      onExit: (status, error) => {
        pool.workers.delete(this);
        const d = pool.dispatcher();
        const pid = this.child.process?.pid ?? "";
        const how = error
          ? `could not start (${
            error instanceof Error ? error.message : String(error)
          })`
          : status?.signal
          ? `was killed by ${signalName(status.signal) ?? status.signal}`
          : `exited with code ${status?.code}`;
        if (this.stopping) {
          d.onExit(this, `worker ${pid} ${how}`);
          return;
        }
        // A worker died under its tasks: the one it ran fails, the others
        // go back to the queue, and a fresh worker takes its place.
        d.onCrash(
          this,
          new ProcessError(
            `worker process ${pid} ${how} while running this task`,
          ),
        );
      },
    });
  }

  send(msg: RunMessage, _transfer: Transferable[]): void {
    this.child.send(msg);
  }

  ref(): void {
    this.child.ref();
  }

  unref(): void {
    this.child.unref();
  }

  stop(force: boolean): Promise<void> {
    return this.child.stop(force);
  }
}

function _checkTarget(fn: unknown): void {
  toTargetSpec(fn, "func");
}

/**
 * A pool of worker processes, as Python's `multiprocessing.Pool`: tasks
 * run in child processes of the running runtime, `processes` at a time
 * (default `cpuCount()`). Workers start on demand and are reused, or
 * replaced after `maxtasksperchild` tasks. It shares the scheduling core of
 * `futures.ProcessPoolExecutor`: small tasks travel in batches.
 *
 * The blocking calls of Python are async here: `await pool.map(fn, xs)`.
 * `applyAsync`, `mapAsync` and `starmapAsync` return an
 * {@linkcode AsyncResult}; `imap` and `imapUnordered` are async iterables.
 * A target is a function that closes over no local variables, or a
 * `{ module, name }` reference. Arguments may hold this module's shared
 * objects (queues, locks, values...), which arrive live.
 *
 * Unlike Python's pool, which waits forever when a worker dies, a task
 * whose worker died fails with {@linkcode ProcessError} and a new worker
 * takes the dead one's place. `terminate()` fails the unfinished results.
 * `await using` terminates the pool at the end of the block, as Python's
 * `with` does.
 *
 * @example Squares on two worker processes
 * ```ts
 * import { Pool } from "@pyconc/pyconc/multiprocessing";
 * await using pool = new Pool(2);
 * const squares = await pool.map((x: number) => x * x, [1, 2, 3, 4]);
 * console.assert(squares.join() === "1,4,9,16");
 * console.assert(await pool.apply((a: number, b: number) => a + b, [2, 3]) === 5);
 * ```
 */
export class Pool {
  #core: _PoolCore;
  #processes: number;
  #state: "run" | "close" | "terminate" = "run";
  #workers = new Set<_Worker>();
  #results = new Set<AsyncResult<unknown>>();
  #stopped: Promise<void> | null = null;

  /**
   * Creates the pool; no worker starts until the first task.
   *
   * @param processes How many workers; `cpuCount()` when omitted or `null`.
   * @param options `{ initializer, initargs, maxtasksperchild }`.
   * @throws {ValueError} "Number of processes must be at least 1", or a bad maxtasksperchild.
   * @throws {TypeError} an initializer that cannot be sent, or bad options.
   */
  constructor(processes?: number | null, options: PoolOptions = {}) {
    if (options === null || typeof options !== "object") {
      throw new TypeError(
        "Pool options must be an object like { initializer, initargs, maxtasksperchild }",
      );
    }
    const n = processes ?? cpuCount();
    if (typeof n !== "number" || !Number.isInteger(n)) {
      throw new TypeError(`processes must be an integer, got ${n}`);
    }
    if (n < 1) throw new ValueError("Number of processes must be at least 1");
    const perChild = options.maxtasksperchild ?? null;
    if (perChild !== null) {
      if (
        typeof perChild !== "number" || !Number.isInteger(perChild) ||
        perChild < 1
      ) {
        throw new ValueError("maxtasksperchild must be a positive int or None");
      }
    }
    const initializer = options.initializer == null
      ? null
      : toTargetSpec(options.initializer, "initializer");
    const initargs = options.initargs ?? [];
    if (!Array.isArray(initargs)) {
      throw new TypeError(`initargs must be an array, got ${typeof initargs}`);
    }
    checkForProcess(initargs, "initargs");
    const data: PoolStartData = { initializer, initargs: encode(initargs) };
    this.#processes = n;
    const pool = {
      dispatcher: () => this.#core.dispatcher,
      workers: this.#workers,
    };
    this.#core = new _PoolCore({
      shareables: true,
      transfers: false,
      brokenOnSubmit: (b) => b,
      host: () => ({
        maxWorkers: n,
        maxBatch: 256,
        maxTasksPerSlot: perChild ?? Infinity,
        sharedResults: true,
        spawn: () => new _Worker(pool, data),
        crashed: (detail) =>
          new BrokenProcessPool(`a worker of the pool died: ${detail}`),
        initFailed: (cause) => {
          console.error("Exception in initializer:", cause);
          return new BrokenProcessPool(
            "the pool's initializer failed; the pool is not usable anymore",
            { cause },
          );
        },
      }),
    });
  }

  /** How many worker processes the pool runs at most. */
  get processes(): number {
    return this.#processes;
  }

  #check(): void {
    if (this.#state !== "run") throw new ValueError("Pool not running");
  }

  #submit(fn: unknown, args: unknown[]): Future<unknown> {
    checkForProcess(args, "task arguments");
    return this.#core.submit(fn, args);
  }

  #chunks(
    fn: unknown,
    items: unknown[][],
    chunksize: number,
  ): Promise<unknown[]>[] {
    const out: Promise<unknown[]>[] = [];
    for (let i = 0; i < items.length; i += chunksize) {
      const chunk = items.slice(i, i + chunksize);
      checkForProcess(chunk, "task arguments");
      if (chunk.length === 1) {
        const f = this.#core.submit(fn, chunk[0]);
        out.push(Promise.resolve(f).then((v) => [v]));
      } else {
        out.push(Promise.resolve(this.#core.submitChunk(fn as never, chunk)));
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
    this.#stopped = this.#core.shutdown({ wait: true });
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
    void this.#core.shutdown({ wait: false, cancelFutures: true });
    const stops = [...this.#workers].map((w) => {
      w.stopping = true;
      return w.stop(true);
    });
    this.#stopped = Promise.all(stops).then(() => {});
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
    return `<multiprocessing.pool.Pool state=${state} pool_size=${this.#processes}>`;
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
