/**
 * ProcessPoolExecutor: tasks run in child processes of the same runtime.
 *
 * @module
 */
import { entryUrl } from "../_internal/runtime/entry.ts";
import { encode } from "../_internal/share/codec.ts";
import { ValueError } from "../_internal/core/errors.ts";
import { type ChildHandle, startChild } from "../_internal/child/parent.ts";
import type {
  PoolReply,
  PoolStartData,
  RunMessage,
} from "../_internal/pool/protocol.ts";
import { cpuCount } from "../_internal/runtime/adapter.ts";
import { signalName } from "../_internal/spawn/signals.ts";
import { type Target, toTargetSpec } from "../_internal/share/target.ts";
import type { _Dispatcher, _Slot } from "./_dispatcher.ts";
import { _PoolCore } from "./_pool_executor.ts";
import { Executor, type ShutdownOptions } from "./executor.ts";
import type { Future } from "./future.ts";
import { type BrokenExecutor, BrokenProcessPool } from "./errors.ts";

/** Options of {@linkcode ProcessPoolExecutor}, Python's keyword arguments. */
export interface ProcessPoolExecutorOptions {
  /** The most child processes to run at once; default `cpuCount()`, as Python. */
  maxWorkers?: number | null;
  /**
   * Runs once at the start of each child, with `initargs`. If it throws,
   * the pool breaks: pending and later tasks fail with {@linkcode BrokenProcessPool}.
   */
  initializer?: Target | null;
  /** Arguments of the initializer. */
  initargs?: unknown[];
  /** Tasks a child runs before it exits and a fresh one replaces it; unlimited when omitted. */
  maxTasksPerChild?: number | null;
}

const _ROLE = {
  module: entryUrl("_internal/child/pool_role.ts").href,
  name: "runPool",
};
const _MAX_BATCH = 256;
const _TERMINATED =
  "A process in the process pool was terminated abruptly while the future was running or pending.";

class _ProcessSlot implements _Slot {
  inflight = 0;
  inflightMs = 0;
  known = new Set<number>();
  stopping = false;
  ready = false;
  sent = 0;
  readonly child: ChildHandle;

  constructor(dispatcher: _Dispatcher, data: PoolStartData) {
    this.child = startChild({
      role: _ROLE,
      data,
      onMessage: (msg) => {
        const m = msg as PoolReply;
        if (m.type === "ready") this.ready = true;
        dispatcher.onReply(this, m);
      },
      onExit: (status, error) => {
        const how = error
          ? `could not start: ${
            error instanceof Error ? `${error.name}: ${error.message}` : error
          }`
          : status?.signal
          ? `was killed by ${signalName(status.signal) ?? status.signal}`
          : `exited with code ${status?.code}`;
        const pid = this.child.process?.pid;
        dispatcher.onExit(this, `child process ${pid ?? ""} ${how}`);
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

  async end(kill: boolean): Promise<void> {
    this.child.ref(); // stay alive until the exit is seen
    this.child.process?.kill(kill ? "SIGKILL" : "SIGTERM");
    await this.child.exited;
  }
}

/**
 * An executor that runs each task in a pool of child processes of the
 * running runtime (`deno run -A` or `bun`), as Python's
 * `concurrent.futures.ProcessPoolExecutor`. Children start on demand, up to
 * `maxWorkers`, and are reused (or replaced after `maxTasksPerChild`
 * tasks); an idle pool does not keep the program alive, a pool with pending
 * work does. A child's stdout and stderr are the program's, its stdin is
 * `/dev/null`.
 *
 * A target is a function that closes over no local variables (its source
 * is sent once) or a `{ module, name }` reference. Arguments and results are
 * copied with the structured-clone format (`node:v8` serialize); an error
 * thrown by a task comes back with its class, message and stack. A child
 * that exits or is killed while the pool runs breaks it: the running and
 * pending futures fail with {@linkcode BrokenProcessPool}, the other
 * children are stopped.
 *
 * Differences from Python that JavaScript forces: the threading module's
 * shareable objects live in one process's memory and cannot be passed to a
 * child (that is a `TypeError`); {@linkcode move} has no effect (a child
 * shares no memory, the value is copied). Small tasks travel in batches, as
 * in the thread pool.
 *
 * @example Use child processes for CPU-bound work
 * ```ts
 * import { ProcessPoolExecutor } from "@pyconc/pyconc/futures";
 * await using ex = new ProcessPoolExecutor({ maxWorkers: 2 });
 * const pid = await ex.submit(() => (globalThis as any).process.pid);
 * console.assert(pid !== (globalThis as any).process.pid);
 * const out: number[] = [];
 * for await (const y of ex.map((x: number) => x * 2, [1, 2, 3], { chunksize: 2 })) out.push(y as number);
 * console.assert(out.join() === "2,4,6");
 * ```
 */
export class ProcessPoolExecutor extends Executor {
  #maxWorkers: number;
  #core: _PoolCore;

  /**
   * Creates the pool; no child starts until the first task.
   *
   * @throws {ValueError} `maxWorkers` is not positive, or `maxTasksPerChild` is below 1.
   * @throws {TypeError} an initializer that cannot be sent, or bad options.
   */
  constructor(options: ProcessPoolExecutorOptions = {}) {
    if (options === null || typeof options !== "object") {
      throw new TypeError(
        "ProcessPoolExecutor options must be an object like { maxWorkers, initializer, initargs, maxTasksPerChild }",
      );
    }
    const max = options.maxWorkers ?? cpuCount();
    if (typeof max !== "number" || !Number.isInteger(max)) {
      throw new TypeError(`maxWorkers must be an integer, got ${max}`);
    }
    if (max <= 0) throw new ValueError("maxWorkers must be greater than 0");
    const perChild = options.maxTasksPerChild ?? null;
    if (perChild !== null) {
      if (typeof perChild !== "number" || !Number.isInteger(perChild)) {
        throw new TypeError("maxTasksPerChild must be an integer");
      }
      if (perChild < 1) throw new ValueError("maxTasksPerChild must be >= 1");
    }
    const initializer = options.initializer == null
      ? null
      : toTargetSpec(options.initializer, "initializer");
    const initargs = options.initargs ?? [];
    if (!Array.isArray(initargs)) {
      throw new TypeError(`initargs must be an array, got ${typeof initargs}`);
    }
    const encoded = encode(initargs, {
      root: "initargs",
      to: "another process",
    });
    if (encoded.handles) {
      throw new TypeError(
        "initargs hold a shareable object of the threading or queue module, which cannot be passed to a child process",
      );
    }
    const data: PoolStartData = { initializer, initargs: encoded };
    super();
    this.#core = new _PoolCore({
      shareables: false,
      transfers: false,
      brokenOnSubmit: (b) => this.#brokenOnSubmit(b),
      host: (dispatcher) => ({
        maxWorkers: max,
        maxBatch: _MAX_BATCH,
        maxTasksPerSlot: perChild ?? Infinity,
        sharedResults: false,
        spawn: () => new _ProcessSlot(dispatcher(), data),
        crashed: (detail) =>
          new BrokenProcessPool(_TERMINATED, { cause: detail }),
        initFailed: (cause) => {
          console.error("Exception in initializer:", cause);
          return new BrokenProcessPool(_TERMINATED, { cause });
        },
      }),
    });
    this.#maxWorkers = max;
  }

  /** The most child processes this pool runs at once. */
  get maxWorkers(): number {
    return this.#maxWorkers;
  }

  #brokenOnSubmit(broken: BrokenExecutor): BrokenExecutor {
    return new BrokenProcessPool(
      "A child process terminated abruptly, the process pool is not usable anymore",
      { cause: broken },
    );
  }

  /**
   * Schedules `target(...args)` and returns its {@linkcode Future}.
   *
   * @param target A self-contained function or a `{ module, name }` reference.
   * @param args Its arguments.
   * @returns The future of the call.
   * @throws {RuntimeError} "cannot schedule new futures after shutdown".
   * @throws {BrokenProcessPool} the pool is broken.
   * @throws {TypeError} a target that cannot be sent, or an argument that cannot go  (a shareable object of the threading or queue module).
   */
  submit<A extends unknown[], R>(
    target: Target<A, R>,
    ...args: A
  ): Future<Awaited<R>> {
    return this.#core.submit(target, args) as Future<Awaited<R>>;
  }

  /** @internal */
  override _submitChunk(
    // deno-lint-ignore no-explicit-any
    target: Target<any[], unknown>,
    chunk: unknown[][],
  ): Future<unknown[]> {
    return this.#core.submitChunk(target, chunk);
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
   * Shuts the pool down with `cancelFutures: true`, then sends SIGTERM to
   * every child process still alive, as Python 3.14's
   * `terminate_workers()`: the stop for a runaway task, which `shutdown()`
   * would wait for forever. Queued futures are cancelled, running ones fail
   * with {@linkcode BrokenProcessPool}, and `submit` throws `RuntimeError`
   * afterwards.
   *
   * Unlike Python's, which returns at once, the promise resolves when every
   * child has exited. SIGTERM only asks: a task that handles or ignores it
   * (`Deno.addSignalListener("SIGTERM", ...)`, `process.on("SIGTERM", ...)`)
   * keeps its child running, and the promise waits for it; call
   * {@linkcode ProcessPoolExecutor.killWorkers} to end it for sure.
   *
   * @example Stop a task that never ends
   * ```ts
   * import { ProcessPoolExecutor } from "@pyconc/pyconc/futures";
   * const ex = new ProcessPoolExecutor({ maxWorkers: 1 });
   * const f = ex.submit(() => { for (;;); });
   * await new Promise((r) => setTimeout(r, 500));
   * await ex.terminateWorkers();
   * console.assert((await f.exception()) instanceof Error); // BrokenProcessPool
   * ```
   */
  terminateWorkers(): Promise<void> {
    return this.#core.terminate(
      new BrokenProcessPool(_TERMINATED, {
        cause: "terminateWorkers() sent SIGTERM to the child processes",
      }),
      false,
    );
  }

  /**
   * As {@linkcode ProcessPoolExecutor.terminateWorkers}, with SIGKILL, as
   * Python 3.14's `kill_workers()`: no child can catch or ignore it.
   * Resolves once every child has exited.
   *
   * @example Kill the children of a pool
   * ```ts
   * import { ProcessPoolExecutor } from "@pyconc/pyconc/futures";
   * const ex = new ProcessPoolExecutor({ maxWorkers: 1 });
   * const f = ex.submit(() => { for (;;); });
   * await new Promise((r) => setTimeout(r, 500));
   * await ex.killWorkers();
   * console.assert(f.done());
   * ```
   */
  killWorkers(): Promise<void> {
    return this.#core.terminate(
      new BrokenProcessPool(_TERMINATED, {
        cause: "killWorkers() sent SIGKILL to the child processes",
      }),
      true,
    );
  }
}
