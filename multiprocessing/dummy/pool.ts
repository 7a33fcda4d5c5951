/**
 * ThreadPool: the Pool API over futures' ThreadPoolExecutor.
 *
 * @module
 */
import { ValueError } from "../../_internal/core/errors.ts";
import { cpuCount } from "../../_internal/runtime/adapter.ts";
import type { Target } from "../../_internal/share/target.ts";
import { ThreadPoolExecutor } from "../../futures/thread_pool.ts";
import { BasePool } from "../_pool_base.ts";
import { checkOptions, isOptionsObject } from "../../_internal/core/options.ts";

/** Options of {@linkcode ThreadPool}, Python's keyword arguments. */
export interface ThreadPoolOptions {
  /**
   * How many threads (`cpuCount()` when omitted); only in the options-first
   * form, `new ThreadPool({ processes: 2 })`.
   */
  processes?: number | null;
  /** Runs once at the start of each worker thread, with `initargs`. */
  initializer?: Target | null;
  /** Arguments of the initializer (shareable objects arrive live). */
  initargs?: unknown[];
}

/**
 * The {@linkcode Pool} API over threads, as Python's
 * `multiprocessing.pool.ThreadPool` (and `multiprocessing.dummy.Pool`):
 * tasks run in `processes` worker threads (default `cpuCount()`), through
 * `futures.ThreadPoolExecutor`. Arguments may hold the threading, queue
 * and dummy modules' shareable objects. Threads cannot be killed: after
 * `terminate()` the unfinished results fail at once, but a task already
 * running ends on its own.
 *
 * @example
 * ```ts
 * import { Pool } from "@pyconc/pyconc/multiprocessing/dummy";
 * await using pool = new Pool(2);
 * console.assert((await pool.map((x: number) => x + 1, [1, 2])).join() === "2,3");
 * ```
 */
export class ThreadPool extends BasePool {
  /**
   * Creates the pool; no thread starts until the first task.
   *
   * As Python's `ThreadPool(processes=None, initializer=None, initargs=())`:
   * `new ThreadPool(2, { initializer })` or
   * `new ThreadPool({ processes: 2, initializer })`.
   *
   * @param processes How many threads (`cpuCount()` when omitted or
   *   `null`), or all the options.
   * @param options `{ initializer, initargs }`.
   * @throws {ValueError} "Number of processes must be at least 1".
   * @throws {TypeError} a count that is not an integer, options that are
   *   not an object, or an unknown option.
   */
  constructor(
    processes?: number | null | ThreadPoolOptions,
    options?: ThreadPoolOptions,
  ) {
    if (isOptionsObject(processes)) {
      if (options !== undefined) {
        throw new TypeError(
          "ThreadPool() takes the options once: (processes, options) or (options)",
        );
      }
      options = checkOptions(
        processes,
        ["processes", "initializer", "initargs"],
        "ThreadPool",
      );
      processes = options.processes;
    } else {
      options = checkOptions(
        options,
        ["initializer", "initargs"],
        "ThreadPool",
      );
    }
    const n = processes ?? cpuCount();
    if (typeof n !== "number" || !Number.isInteger(n)) {
      throw new TypeError(`processes must be an integer, got ${n}`);
    }
    if (n < 1) throw new ValueError("Number of processes must be at least 1");
    const ex = new ThreadPoolExecutor({
      maxWorkers: n,
      initializer: options?.initializer,
      initargs: options?.initargs,
    });
    super(n, {
      check: () => {},
      submit: (fn, args) => ex.submit(fn as never, ...args),
      submitItems: (fn, items, star) =>
        ex._submitItems(fn as never, items, star),
      close: () => ex.shutdown({ wait: true }),
      terminate: () => ex.shutdown({ wait: false, cancelFutures: true }),
    });
  }
}
