/**
 * Python's `concurrent.futures` for Deno and Bun: run calls in parallel on
 * a pool of Web Workers ({@linkcode ThreadPoolExecutor}) or of child
 * processes ({@linkcode ProcessPoolExecutor}), and collect their outcomes
 * through {@linkcode Future}s, {@linkcode wait} and {@linkcode asCompleted}.
 *
 * Blocking calls are async (`await future.result(2)`), timeouts are in
 * seconds, options are camelCase (`shutdown({ cancelFutures: true })`),
 * and executors support `await using`. Targets are self-contained functions
 * (sent as source) or `{ module, name }` references. Arguments, results and
 * errors travel by structured clone: instances of classes registered with
 * the root module's `registerClass` (errors of classes registered with
 * `registerError`) arrive as instances of their class, as with pickle, when
 * the other side registered them too (its target's module imports them);
 * an instance of any other class arrives as a plain object with its own
 * fields. A function or symbol in the arguments is a `DataCloneError` at
 * `submit` that names its path (`args[1].callbacks[0]`).
 *
 * A runaway task is stopped with `terminateWorkers()` or `killWorkers()`
 * (Python 3.14's `terminate_workers()` and `kill_workers()`): the pool shuts
 * down with its queued futures cancelled, its workers are ended (SIGTERM or
 * SIGKILL to a process pool's children; `Worker.terminate()` in a thread
 * pool, which Python cannot do), and the running futures fail with
 * {@linkcode BrokenProcessPool} or {@linkcode BrokenThreadPool}.
 *
 * @example Count primes in parallel
 * ```ts
 * import { asCompleted, type Future, ThreadPoolExecutor } from "@pyconc/pyconc/futures";
 *
 * const countPrimes = (lo: number, hi: number) => {
 *   let n = 0;
 *   for (let i = Math.max(2, lo); i < hi; i++) {
 *     let p = true;
 *     for (let d = 2; d * d <= i; d++) if (i % d === 0) { p = false; break; }
 *     if (p) n++;
 *   }
 *   return n;
 * };
 * await using ex = new ThreadPoolExecutor({ maxWorkers: 2 });
 * const fs = [0, 25_000, 50_000, 75_000].map((lo) => ex.submit(countPrimes, lo, lo + 25_000));
 * let total = 0;
 * for await (const f of asCompleted(fs)) {
 *   total += await (f as unknown as Future<number>).result(); // TypeScript types f as the result
 * }
 * console.assert(total === 9592);
 * ```
 *
 * @module
 */
export * from "./errors.ts";
export * from "./future.ts";
export * from "./executor.ts";
export * from "./thread_pool.ts";
export * from "./process_pool.ts";
export * from "./wait.ts";
export * from "./as_completed.ts";
export * from "./move.ts";
export type { ModuleTarget, Target } from "../_internal/share/target.ts";
export { OSError, RuntimeError, ValueError } from "../_internal/core/errors.ts";
