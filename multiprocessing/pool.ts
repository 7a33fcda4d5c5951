/**
 * Pool: Python's process pool, on the futures module's pool machinery.
 *
 * @module
 */
import { isOptionsObject } from "../_internal/core/options.ts";
import { entryUrl } from "../_internal/runtime/entry.ts";
import { type ChildHandle, startChild } from "../_internal/child/parent.ts";
import { ValueError } from "../_internal/core/errors.ts";
import { checkForProcess } from "../_internal/mp/encode.ts";
import type {
  PoolReply,
  PoolStartData,
  RunMessage,
} from "../_internal/pool/protocol.ts";
import { encode } from "../_internal/share/codec.ts";
import { cpuCount } from "../_internal/runtime/adapter.ts";
import { signalName } from "../_internal/spawn/signals.ts";
import { type Target, toTargetSpec } from "../_internal/share/target.ts";
export type { AsyncOptions, MapOptions } from "./_pool_base.ts";
import type { _Dispatcher, _Slot } from "../futures/_dispatcher.ts";
import { _PoolCore } from "../futures/_pool_executor.ts";
import { BrokenProcessPool } from "../futures/errors.ts";
import { BasePool } from "./_pool_base.ts";
import { ProcessError } from "./errors.ts";

/** Options of {@linkcode Pool}, Python's keyword arguments. */
export interface PoolOptions {
  /** The number of worker processes, when given as an option: `cpuCount()` when omitted. */
  processes?: number | null;
  /** Runs once at the start of each worker, with `initargs`; a failure breaks the pool. */
  initializer?: Target | null;
  /** Arguments of the initializer (this module's shared objects arrive live). */
  initargs?: unknown[];
  /** Tasks a worker runs before a fresh one replaces it; unlimited when omitted. */
  maxtasksperchild?: number | null;
}

const _ROLE = {
  module: entryUrl("_internal/child/pool_role.ts").href,
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
    // Only once the child is starting: startChild throws when Deno lacks a
    // permission, and then there is no worker to stop.
    pool.workers.add(this);
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

/**
 * A pool of worker processes, as Python's `multiprocessing.Pool`: tasks
 * run in child processes of the running runtime, `processes` at a time
 * (default `cpuCount()`). Workers start on demand and are reused, or
 * replaced after `maxtasksperchild` tasks. It shares the scheduling core of
 * `futures.ProcessPoolExecutor`: small tasks travel in batches. The map
 * family sends each chunk as one task carrying its items (a chunk of
 * numbers as one `Float64Array`), as Python sends `mapstar(func, chunk)`;
 * `maxtasksperchild` counts a chunk as one task, as Python does.
 *
 * The blocking calls of Python are async here: `await pool.map(fn, xs)`.
 * `applyAsync`, `mapAsync` and `starmapAsync` return an
 * {@linkcode AsyncResult}; `imap` and `imapUnordered` are async iterables.
 * A target is a function that closes over no local variables, or a
 * `{ module, name }` reference. Arguments may hold this module's shared
 * objects (queues, locks, values...), which arrive live.
 *
 * A function target runs from its source, without the variables around
 * it: pass what it needs as arguments (a `ReferenceError` from it says
 * so); it cannot `import()` a relative path or use `import.meta`. A
 * `{ module, name }` target names its module by URL or absolute path
 * (`import.meta.resolve("./lib.ts")`, not `"./lib.ts"`), and each worker
 * imports it anew: a module that is both the program and a target must
 * guard its top level with `if (import.meta.main) { ... }` (false where
 * the library imports it), as Python's spawn needs
 * `if __name__ == "__main__":`. A pool, process or thread started while a
 * worker is still importing its target module throws `RuntimeError`
 * there, and the task fails with it.
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
export class Pool extends BasePool {
  /**
   * Creates the pool; no worker starts until the first task.
   *
   * @param processes How many workers; `cpuCount()` when omitted or `null`.
   * @param options `{ initializer, initargs, maxtasksperchild }`.
   * @throws {ValueError} "Number of processes must be at least 1", or a bad maxtasksperchild.
   * @throws {TypeError} an initializer that cannot be sent, or bad options.
   */
  constructor(
    processesOrOptions?: number | null | PoolOptions,
    options: PoolOptions = {},
  ) {
    let processes = processesOrOptions as number | null | undefined;
    if (isOptionsObject(processesOrOptions)) {
      options = processesOrOptions;
      processes = options.processes;
    }
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
    const workers = new Set<_Worker>();
    // deno-lint-ignore prefer-const
    let core: _PoolCore;
    const pool = { dispatcher: () => core.dispatcher, workers };
    core = new _PoolCore({
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
    super(n, {
      check: (args) => checkForProcess(args, "task arguments"),
      submit: (fn, args) => core.submit(fn, args),
      submitItems: (fn, items, star) =>
        core.submitItems(fn as never, items, star),
      close: () => core.shutdown({ wait: true }),
      terminate: async () => {
        void core.shutdown({ wait: false, cancelFutures: true });
        await Promise.all([...workers].map((w) => {
          w.stopping = true;
          return w.stop(true);
        }));
      },
    });
  }
}
