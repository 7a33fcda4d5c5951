/**
 * ThreadPoolExecutor: tasks run in a pool of reused Web Workers.
 *
 * @module
 */
import { entryUrl } from "../_internal/runtime/entry.ts";
import {
  addLiveThreads,
  agent,
  nextIdent,
} from "../_internal/runtime/agent.ts";
import { encode } from "../_internal/share/codec.ts";
import { ValueError } from "../_internal/core/errors.ts";
import {
  type ItemsResult,
  PoolControl,
  type PoolReply,
  type PoolStartData,
  type RunMessage,
} from "../_internal/pool/protocol.ts";
import { cpuCount } from "../_internal/runtime/adapter.ts";
import { type Target, toTargetSpec } from "../_internal/share/target.ts";
import { spawnWorker, type WorkerHandle } from "../_internal/runtime/worker.ts";
import type { _Dispatcher, _Slot } from "./_dispatcher.ts";
import { _PoolCore } from "./_pool_executor.ts";
import { Executor, type ShutdownOptions } from "./executor.ts";
import type { Future } from "./future.ts";
import { type BrokenExecutor, BrokenThreadPool } from "./errors.ts";

/** Options of {@linkcode ThreadPoolExecutor}, Python's keyword arguments. */
export interface ThreadPoolExecutorOptions {
  /** The most workers to run at once; default `min(32, cpuCount() + 4)`, as Python. */
  maxWorkers?: number | null;
  /** The start of each worker's thread name; default `"ThreadPoolExecutor-N"`. */
  threadNamePrefix?: string;
  /**
   * Runs once at the start of each worker, with `initargs`. If it throws,
   * the pool breaks: pending and later tasks fail with {@linkcode BrokenThreadPool}.
   */
  initializer?: Target | null;
  /** Arguments of the initializer; shareable objects arrive live. */
  initargs?: unknown[];
}

const _ENTRY = entryUrl("_internal/pool/worker_entry.ts");
const _MAX_BATCH = 512;
const _TERMINATED =
  "A thread in the thread pool was terminated abruptly while the future was running or pending.";
let _counter = 0;

class _ThreadSlot implements _Slot {
  inflight = 0;
  inflightMs = 0;
  known = new Set<number>();
  stopping = false;
  sent = 0;
  readonly handle: WorkerHandle;
  #error: unknown = undefined;
  #control = new Int32Array(new SharedArrayBuffer(PoolControl.Size * 4));

  constructor(
    dispatcher: _Dispatcher,
    name: string,
    data: PoolStartData,
  ) {
    this.handle = spawnWorker(_ENTRY, {
      agent: {
        ident: nextIdent(),
        name,
        daemon: false,
        parentIdent: agent.ident,
      },
      data: { ...data, control: this.#control.buffer as SharedArrayBuffer },
      ref: false,
      label: `pool worker ${name}`,
      onMessage: (msg) => dispatcher.onReply(this, msg as PoolReply),
      onError: (err) => {
        this.#error = err;
        dispatcher.onCrash(this, err);
      },
    });
    addLiveThreads(1);
    void this.handle.exited.then((code) => {
      addLiveThreads(-1);
      const why = this.#error instanceof Error
        ? `: ${this.#error.name}: ${this.#error.message}`
        : "";
      dispatcher.onExit(this, `worker ${name} exited with code ${code}${why}`);
    });
  }

  get ready(): boolean {
    return Atomics.load(this.#control, PoolControl.Ready) === 1;
  }

  set ready(_: boolean) {
    // The worker itself marks readiness in shared memory.
  }

  send(msg: RunMessage, transfer: Transferable[]): void {
    this.handle.worker.postMessage(msg, transfer as never);
  }

  ref(): void {
    this.handle.ref();
  }

  unref(): void {
    this.handle.unref();
  }

  async stop(_force: boolean): Promise<void> {
    // Stay alive until the exit is seen, so `await shutdown()` completes.
    this.handle.ref();
    await this.handle.terminate();
  }

  async end(_kill: boolean): Promise<void> {
    this.handle.ref();
    await this.handle.terminate();
  }
}

/**
 * An executor that runs each task in a pool of Web Workers
 * (`node:worker_threads`), as Python's
 * `concurrent.futures.ThreadPoolExecutor`. Workers start on demand, up to
 * `maxWorkers`, and are reused; an idle pool does not keep the program
 * alive, a pool with pending work does.
 *
 * A target is a function that closes over no local variables (its source
 * is sent to the worker once and cached there) or a `{ module, name }`
 * reference. Arguments and results travel by structured clone, except
 * shareable objects (locks, events, queues...), which arrive as live
 * handles, and buffers wrapped in {@linkcode move}, which are transferred.
 * An error thrown by a task comes back with its class, message and stack.
 * An async target is awaited before its worker takes the next task.
 *
 * Differences from Python that JavaScript forces: tasks run in separate
 * workers with their own globals, not in threads sharing the program's
 * objects. Small tasks are sent to a worker in batches; a task that is in a
 * batch already is "running" for {@linkcode Future.cancel} (tasks that take
 * a millisecond or more are sent one at a time, so this only affects tiny
 * ones). A worker that exits (for example by calling `process.exit()`)
 * breaks the pool with {@linkcode BrokenThreadPool}.
 *
 * @example Run tasks in parallel
 * ```ts
 * import { ThreadPoolExecutor } from "@pyconc/pyconc/futures";
 * await using ex = new ThreadPoolExecutor({ maxWorkers: 2 });
 * const f = ex.submit((a: number, b: number) => a + b, 1, 2);
 * console.assert((await f.result()) === 3);
 * const squares: number[] = [];
 * for await (const y of ex.map((x: number) => x * x, [1, 2, 3])) squares.push(y as number);
 * console.assert(squares.join() === "1,4,9");
 * ```
 */
export class ThreadPoolExecutor extends Executor {
  #maxWorkers: number;
  #core: _PoolCore;

  /**
   * Creates the pool; no worker starts until the first task.
   *
   * @throws {ValueError} `maxWorkers` is not positive.
   * @throws {TypeError} an initializer that cannot be sent to a worker, or bad options.
   */
  constructor(options: ThreadPoolExecutorOptions = {}) {
    if (options === null || typeof options !== "object") {
      throw new TypeError(
        "ThreadPoolExecutor options must be an object like { maxWorkers, threadNamePrefix, initializer, initargs }",
      );
    }
    const max = options.maxWorkers ?? Math.min(32, cpuCount() + 4);
    if (typeof max !== "number" || !Number.isInteger(max)) {
      throw new TypeError(`maxWorkers must be an integer, got ${max}`);
    }
    if (max <= 0) throw new ValueError("maxWorkers must be greater than 0");
    const initializer = options.initializer == null
      ? null
      : toTargetSpec(options.initializer, "initializer");
    const initargs = options.initargs ?? [];
    if (!Array.isArray(initargs)) {
      throw new TypeError(`initargs must be an array, got ${typeof initargs}`);
    }
    const data: PoolStartData = { initializer, initargs: encode(initargs) };
    const prefix = options.threadNamePrefix ||
      `ThreadPoolExecutor-${_counter++}`;
    super();
    this.#core = new _PoolCore({
      shareables: true,
      transfers: true,
      brokenOnSubmit: (b) => this.#brokenOnSubmit(b),
      host: (dispatcher) => ({
        maxWorkers: max,
        maxBatch: _MAX_BATCH,
        maxTasksPerSlot: Infinity,
        sharedResults: true,
        spawn: (i) => new _ThreadSlot(dispatcher(), `${prefix}_${i}`, data),
        crashed: (detail) =>
          new BrokenThreadPool(_TERMINATED, { cause: detail }),
        initFailed: (cause) => {
          console.error("Exception in initializer:", cause);
          return new BrokenThreadPool(
            "A thread initializer failed, the thread pool is not usable anymore",
            { cause },
          );
        },
      }),
    });
    this.#maxWorkers = max;
  }

  /** The most workers this pool runs at once. */
  get maxWorkers(): number {
    return this.#maxWorkers;
  }

  #brokenOnSubmit(broken: BrokenExecutor): BrokenExecutor {
    const msg = broken.message.startsWith("A thread initializer failed")
      ? broken.message
      : "A thread in the thread pool terminated abruptly, the thread pool is not usable anymore";
    return new BrokenThreadPool(msg, { cause: broken });
  }

  /**
   * Schedules `target(...args)` and returns its {@linkcode Future}.
   *
   * @param target A self-contained function or a `{ module, name }` reference.
   * @param args Its arguments.
   * @returns The future of the call.
   * @throws {RuntimeError} "cannot schedule new futures after shutdown".
   * @throws {BrokenThreadPool} the pool is broken.
   * @throws {TypeError} a target that cannot be sent, or an argument that cannot go .
   */
  submit<A extends unknown[], R>(
    target: Target<A, R>,
    ...args: A
  ): Future<Awaited<R>> {
    return this.#core.submit(target, args) as Future<Awaited<R>>;
  }

  /**
   * @internal Submits one task running `target` over `items` (spread with
   * `star`), for the map family of `multiprocessing.dummy.Pool`.
   */
  _submitItems(
    // deno-lint-ignore no-explicit-any
    target: Target<any[], unknown>,
    items: unknown[],
    star: boolean,
  ): Future<ItemsResult> {
    return this.#core.submitItems(target, items, star);
  }

  /**
   * Stops accepting tasks and releases the workers once pending tasks are
   * done; see {@linkcode Executor.shutdown}.
   *
   * @param options `{ wait = true, cancelFutures = false }`.
   */
  override shutdown(options: ShutdownOptions = {}): Promise<void> {
    return this.#core.shutdown(options);
  }

  /**
   * Shuts the pool down with `cancelFutures: true`, then ends every worker
   * with `Worker.terminate()`, whatever it is running: the stop for a
   * runaway task, which `shutdown()` would wait for forever. Queued futures
   * are cancelled, running ones fail with {@linkcode BrokenThreadPool}, and
   * `submit` throws `RuntimeError` afterwards. Resolves once every worker
   * has exited.
   *
   * This goes beyond Python, which cannot end a thread: Python 3.14 has
   * `terminate_workers()` on `ProcessPoolExecutor` only. A terminated task
   * stops wherever it was: a lock it held stays held, an item it was
   * putting in a queue may be half written.
   *
   * Runtime limits: on Bun a worker blocked in a long `Atomics.wait` may
   * not end until the wait does (the library's own blocking calls wait in
   * short slices, so they do). Deno (2.9) ends a worker only when it
   * returns to its event loop: a task stuck in synchronous code (`for (;;);`)
   * is detached instead: its future fails, the pool and the promise carry
   * on, the worker no longer keeps the program alive, but its thread goes
   * on running until the program exits (denoland/deno#35657). A process
   * pool's `ProcessPoolExecutor.terminateWorkers()` ends such a
   * task for real on both runtimes.
   *
   * @example Stop a task that never ends
   * ```ts
   * import { ThreadPoolExecutor } from "@pyconc/pyconc/futures";
   * const ex = new ThreadPoolExecutor({ maxWorkers: 1 });
   * const f = ex.submit(() => { for (;;); });
   * await new Promise((r) => setTimeout(r, 200));
   * await ex.terminateWorkers();
   * console.assert((await f.exception()) instanceof Error); // BrokenThreadPool
   * ```
   */
  terminateWorkers(): Promise<void> {
    return this.#core.terminate(
      new BrokenThreadPool(_TERMINATED, {
        cause: "terminateWorkers() terminated the pool's workers",
      }),
      false,
    );
  }

  /**
   * The same as {@linkcode ThreadPoolExecutor.terminateWorkers}: a worker
   * has no signals, both end it with `Worker.terminate()`. It exists so
   * that code written for `ProcessPoolExecutor.killWorkers()` works
   * with either pool.
   *
   * @example Kill the workers of a pool
   * ```ts
   * import { ThreadPoolExecutor } from "@pyconc/pyconc/futures";
   * const ex = new ThreadPoolExecutor({ maxWorkers: 1 });
   * const f = ex.submit(() => { for (;;); });
   * await new Promise((r) => setTimeout(r, 200));
   * await ex.killWorkers();
   * console.assert(f.done());
   * ```
   */
  killWorkers(): Promise<void> {
    return this.#core.terminate(
      new BrokenThreadPool(_TERMINATED, {
        cause: "killWorkers() terminated the pool's workers",
      }),
      true,
    );
  }
}
