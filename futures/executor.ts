/**
 * Executor: the abstract base of the executors, with map() and shutdown().
 *
 * @module
 */
import { ValueError } from "../_internal/core/errors.ts";
import type { Target } from "../_internal/share/target.ts";
import { timeoutToMs } from "../_internal/core/time.ts";
import type { Future } from "./future.ts";

/** Options of {@linkcode Executor.map}, Python's keyword arguments. */
export interface MapOptions {
  /**
   * Seconds, counted from the call to `map`, for all results; a result not
   * ready by then throws `TimeoutError` from the iteration.
   */
  timeout?: number | null;
  /**
   * How many items go to a worker as one task. Only
   * {@linkcode ProcessPoolExecutor} uses it (as in Python); the thread pool
   * batches small tasks on its own.
   */
  chunksize?: number;
  /**
   * At most this many tasks are submitted ahead of the item being read; the
   * iterables are then consumed lazily (Python 3.14). Unlimited when omitted.
   */
  buffersize?: number | null;
}

/** Options of {@linkcode Executor.shutdown}, Python's keyword arguments. */
export interface ShutdownOptions {
  /** Wait for pending and running tasks to finish and the workers to exit (default true). */
  wait?: boolean;
  /** Cancel every task that has not started yet (default false). */
  cancelFutures?: boolean;
}

function _isOptions(v: unknown): v is MapOptions {
  return typeof v === "object" && v !== null &&
    typeof (v as Iterable<unknown>)[Symbol.iterator] !== "function";
}

function _typeName(v: unknown): string {
  if (v === null) return "null";
  if (typeof v !== "object") return typeof v;
  return (v as object).constructor?.name ?? "Object";
}

/** Zips iterables like Python's `zip`: stops at the shortest. */
function _zip(iterables: unknown[]): Iterator<unknown[]> {
  const its = iterables.map((it) => {
    if (
      it === null || it === undefined ||
      typeof (it as Iterable<unknown>)[Symbol.iterator] !== "function"
    ) {
      throw new TypeError(`'${_typeName(it)}' object is not iterable`);
    }
    return (it as Iterable<unknown>)[Symbol.iterator]();
  });
  let finished = its.length === 0;
  return {
    next(): IteratorResult<unknown[]> {
      if (finished) return { done: true, value: undefined };
      const row: unknown[] = [];
      for (const it of its) {
        const r = it.next();
        if (r.done) {
          finished = true;
          return { done: true, value: undefined };
        }
        row.push(r.value);
      }
      return { done: false, value: row };
    },
  };
}

/**
 * The abstract base of {@linkcode ThreadPoolExecutor} and
 * {@linkcode ProcessPoolExecutor}, as Python's
 * `concurrent.futures.Executor`: subclasses implement `submit`, and get
 * `map`, `shutdown` and `await using` from here.
 *
 * @example An executor that runs calls inline
 * ```ts
 * import { Executor, Future } from "@pyconc/pyconc/futures";
 * class InlineExecutor extends Executor {
 *   submit<A extends unknown[], R>(fn: (...args: A) => R, ...args: A): Future<Awaited<R>> {
 *     const f = new Future<Awaited<R>>();
 *     f.setRunningOrNotifyCancel();
 *     Promise.resolve().then(() => fn(...args)).then((v) => f.setResult(v as Awaited<R>), (e) => f.setException(e));
 *     return f;
 *   }
 * }
 * await using ex = new InlineExecutor();
 * const out: number[] = [];
 * for await (const y of ex.map((x: number) => x * 2, [1, 2, 3])) out.push(y as number);
 * console.assert(out.join() === "2,4,6");
 * ```
 */
export abstract class Executor {
  /**
   * Schedules `target(...args)` and returns a {@linkcode Future} for its
   * outcome.
   *
   * In the pool executors the target runs in a worker or child process. A
   * function target runs from its source, without the variables around it:
   * pass what it needs as arguments (a `ReferenceError` from it says so);
   * it cannot `import()` a relative path or use `import.meta`. A
   * `{ module, name }` target names its module by URL or absolute path
   * (`import.meta.resolve("./lib.ts")`, not `"./lib.ts"`); each worker
   * imports it anew, so a module that is both the program and a target must
   * guard its top level with `if (import.meta.main) { ... }` (false where
   * the library imports it). As Python's spawn does, a pool worker, thread
   * or process started while a worker is still importing its target module
   * fails with `RuntimeError` (the task's future fails with it).
   *
   * @param target What to run.
   * @param args Its arguments.
   * @returns The future of the call.
   * @throws {TypeError} (pool executors) a target that cannot be sent: a
   * native or bound function, one with a relative `import()` or
   * `import.meta`, a relative `module` specifier.
   */
  // deno-lint-ignore no-explicit-any
  abstract submit(target: any, ...args: any[]): Future<any>;

  /**
   * Like `items.map(target)` over several iterables zipped together (stops
   * at the shortest), with the calls run by this executor, as Python's
   * `Executor.map`. The tasks are submitted at once (or `buffersize` ahead
   * of the reader); the results come back as an async iterable in input
   * order. An error thrown by one call is thrown by the iteration when that
   * item is reached; the remaining tasks are then cancelled, as they are
   * when the loop stops early.
   *
   * A trailing plain object (not iterable) is the options.
   *
   * @param target What to run for each item.
   * @param iterables One iterable per argument of `target`, then optionally {@linkcode MapOptions}.
   * @returns The results, in order.
   * @throws {TypeError} an argument that is not iterable, or a bad `buffersize`.
   * @throws {ValueError} `chunksize` below 1, `buffersize` below 1, or a negative timeout.
   * @throws {TimeoutError} (during iteration) a result was not ready within `timeout`.
   */
  map<R = unknown>(
    target: Target,
    ...iterables: unknown[]
  ): AsyncIterableIterator<Awaited<R>> {
    let options: MapOptions = {};
    if (iterables.length > 0 && _isOptions(iterables[iterables.length - 1])) {
      options = iterables.pop() as MapOptions;
    }
    const ms = timeoutToMs(options.timeout);
    const end = performance.now() + ms;
    const chunksize = options.chunksize ?? 1;
    if (typeof chunksize !== "number" || !Number.isInteger(chunksize)) {
      throw new TypeError("chunksize must be an integer");
    }
    if (chunksize < 1) throw new ValueError("chunksize must be >= 1.");
    const buffersize = options.buffersize ?? null;
    if (
      buffersize !== null &&
      (typeof buffersize !== "number" || !Number.isInteger(buffersize))
    ) {
      throw new TypeError("buffersize must be an integer or None");
    }
    if (buffersize !== null && buffersize < 1) {
      throw new ValueError("buffersize must be None or > 0");
    }
    const rows = _zip(iterables);
    const chunked = chunksize > 1 && this._submitChunk !== undefined;
    const next = (): Future<unknown> | null => {
      if (!chunked) {
        const r = rows.next();
        return r.done ? null : this.submit(target, ...r.value);
      }
      const chunk: unknown[][] = [];
      while (chunk.length < chunksize) {
        const r = rows.next();
        if (r.done) break;
        chunk.push(r.value);
      }
      return chunk.length ? this._submitChunk!(target, chunk) : null;
    };
    const fs: Future<unknown>[] = [];
    for (
      let f;
      (buffersize === null || fs.length < buffersize) && (f = next());
    ) {
      fs.push(f);
    }
    return _results<Awaited<R>>(fs, next, buffersize !== null, chunked, end);
  }

  /**
   * @internal Submits one task that runs `target` over each argument list of
   * `chunk` and returns the list of results (for `map` with `chunksize`).
   */
  _submitChunk?(target: Target, chunk: unknown[][]): Future<unknown[]>;

  /**
   * Signals that no more tasks will be submitted, and releases the workers
   * once the pending tasks are done, as Python's `Executor.shutdown`. It is
   * safe to call more than once. Pending tasks still run unless
   * `cancelFutures` is set; with `wait` (the default) the promise resolves
   * after they finished and every worker exited. Either way the program
   * stays alive until the pending tasks are done: a task that never ends
   * keeps it waiting, as in Python. To stop such a task, the pool
   * executors have `terminateWorkers()` and `killWorkers()` (Python 3.14's
   * `terminate_workers()` and `kill_workers()`).
   *
   * @param options `{ wait = true, cancelFutures = false }`.
   */
  shutdown(_options: ShutdownOptions = {}): Promise<void> {
    return Promise.resolve();
  }

  /** `await using ex = new ThreadPoolExecutor()` shuts down (and waits) at the end of the block. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.shutdown({ wait: true });
  }
}

async function* _results<R>(
  fs: Future<unknown>[],
  next: () => Future<unknown> | null,
  lazy: boolean,
  chunked: boolean,
  end: number,
): AsyncGenerator<R> {
  let i = 0;
  try {
    while (i < fs.length) {
      const f = fs[i];
      fs[i++] = undefined as never;
      if (lazy) {
        const more = next();
        if (more) fs.push(more);
      }
      let value: unknown;
      try {
        value = end === Infinity
          ? await f.result()
          : await f.result(Math.max(0, end - performance.now()) / 1000);
      } finally {
        f.cancel();
      }
      if (chunked) {
        for (const v of value as unknown[]) yield v as R;
      } else yield value as R;
    }
  } finally {
    for (; i < fs.length; i++) fs[i].cancel();
  }
}
