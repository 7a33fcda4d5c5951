/**
 * DummyProcess: Python's multiprocessing.dummy.Process, a thread with the
 * Process API.
 *
 * @module
 */
import type { Target } from "../../_internal/share/target.ts";
import { Thread } from "../../threading/thread.ts";
import { checkOptions } from "../../_internal/core/options.ts";

/** Options of a {@linkcode DummyProcess}, as {@linkcode ProcessOptions} of the process module. */
export interface DummyProcessOptions {
  /** What the thread runs: a function that closes over no local variables, or `{ module, name }`. */
  target?: Target;
  /** Arguments; the threading, queue and dummy modules' objects arrive live. */
  args?: unknown[];
  /** The name; `Thread-N` when omitted. */
  name?: string | null;
  /** Whether it is a daemon thread. */
  daemon?: boolean | null;
}

const _started = new Set<DummyProcess>();

/** @internal The dummy processes started here that are still running. */
export function _liveDummies(): DummyProcess[] {
  for (const p of _started) if (!p.isAlive()) _started.delete(p);
  return [..._started];
}

/**
 * A thread with the {@linkcode Process} API, as Python's
 * `multiprocessing.dummy.Process`: `start`, `join`, `isAlive`, `name`,
 * `daemon`, `ident`, and `exitcode` (`null` while it runs, 0 once it
 * ended). Threads cannot be killed, so there is no `terminate` or `kill`.
 *
 * @example
 * ```ts
 * import { Process, Queue } from "@pyconc/pyconc/multiprocessing/dummy";
 * const q = new Queue<number>();
 * const p = new Process({ target: (q: Queue<number>) => q.putSync(1), args: [q] });
 * await p.start();
 * await p.join();
 * console.assert(p.exitcode === 0 && q.getSync() === 1);
 * ```
 */
export class DummyProcess {
  readonly #thread: Thread;
  #started = false;

  /**
   * Creates the thread; call `start` to run it.
   *
   * @param options `{ target, args, name, daemon }`.
   * @throws {TypeError} a target that cannot be sent to a worker, options
   *   that are not an object, or an unknown option.
   */
  constructor(options?: DummyProcessOptions) {
    options = checkOptions(
      options,
      ["target", "args", "name", "daemon"],
      "Process",
    );
    this.#thread = new Thread({
      target: options.target,
      args: options.args,
      name: options.name ?? undefined,
      daemon: options.daemon,
    });
  }

  /** The thread's name. */
  get name(): string {
    return this.#thread.name;
  }
  set name(v: string) {
    this.#thread.name = v;
  }

  /** Whether it is a daemon thread. */
  get daemon(): boolean {
    return this.#thread.daemon;
  }
  set daemon(v: boolean) {
    this.#thread.daemon = v;
  }

  /** The thread's ident; `null` before start. */
  get ident(): number | null {
    return this.#thread.ident;
  }

  /** `null` while it runs or before it starts, 0 once it ended (as Python's dummy). */
  get exitcode(): number | null {
    return this.#started && !this.#thread.isAlive() ? 0 : null;
  }

  /**
   * Starts the thread.
   *
   * @returns A settled promise, for the same `await p.start()` as {@linkcode Process}.
   * @throws {RuntimeError} "threads can only be started once".
   */
  start(): Promise<void> {
    this.#thread.start();
    this.#started = true;
    _started.add(this);
    return Promise.resolve();
  }

  /**
   * Waits until the thread ends or `timeout` seconds pass.
   *
   * @param timeout Seconds; forever when omitted.
   * @returns A promise that settles then.
   */
  join(timeout?: number | null): Promise<void> {
    return this.#thread.join(timeout);
  }

  /**
   * The blocking twin of {@linkcode DummyProcess.join}.
   *
   * @param timeout Seconds; forever when omitted.
   */
  joinSync(timeout?: number | null): void {
    this.#thread.joinSync(timeout);
  }

  /**
   * Whether the thread runs.
   *
   * @returns `true` between start and end.
   */
  isAlive(): boolean {
    return this.#thread.isAlive();
  }

  /** Joins the thread, for `await using`. */
  async [Symbol.asyncDispose](): Promise<void> {
    if (this.#started) await this.join();
  }

  /** A short description. */
  toString(): string {
    return String(this.#thread).replace("Thread(", "DummyProcess(");
  }
}
