/**
 * Thread: a target running in a Web Worker, with Python's lifecycle.
 *
 * @module
 */
import { entryUrl } from "../_internal/runtime/entry.ts";
import {
  addLiveThreads,
  agent,
  nativeId as currentNativeId,
  nextIdent,
} from "../_internal/runtime/agent.ts";
import {
  encode,
  type ErrorRecord,
  recordToError,
} from "../_internal/share/codec.ts";
import { RuntimeError } from "../_internal/core/errors.ts";
import { type Target, toTargetSpec } from "../_internal/share/target.ts";
import {
  ThreadControl,
  type ThreadMessage,
  type ThreadStartData,
} from "../_internal/thread/protocol.ts";
import { Deadline, timeoutToMs } from "../_internal/core/time.ts";
import { waitSync } from "../_internal/sync/wait.ts";
import { spawnWorker, type WorkerHandle } from "../_internal/runtime/worker.ts";
import { currentExcepthook } from "./_excepthook.ts";

/** Options for a {@linkcode Thread}, Python's keyword arguments. */
export interface ThreadOptions {
  /**
   * What the thread runs: a function that closes over no local variables
   * (its source is sent to the worker), or `{ module, name }` with the
   * module as a URL or absolute path (`import.meta.resolve("./lib.ts")`,
   * not `"./lib.ts"`). Nothing runs when omitted. See {@linkcode Thread}
   * for what a target cannot do.
   */
  target?: Target;
  /** Arguments for the target; shareable objects arrive as live handles. */
  args?: unknown[];
  /** The thread's name; "Thread-N (target)" when omitted. */
  name?: string;
  /** Whether the thread is a daemon; inherited from the current thread when omitted. */
  daemon?: boolean | null;
}

const _WORKER_ENTRY = entryUrl("_internal/thread/entry.ts");
let _counter = 0;
const _active = new Set<Thread>();

/** Threads this thread started that are still alive. */
export function _activeThreads(): Thread[] {
  return [..._active];
}

/**
 * A thread of control: the target runs in its own Web Worker, in parallel
 * with the caller, as Python's `threading.Thread`.
 *
 * Python's differences that JavaScript forces: the target is a function sent
 * as source (no closures) or a module export, instead of overriding `run()`;
 * an uncaught error is handed to the starting thread's
 * {@linkcode excepthook}; a thread stops when its target returns (or its
 * promise settles), even if it left timers behind.
 *
 * What a target cannot do. A function target runs from its source, without
 * the variables around it: pass what it needs in `args` (a `ReferenceError`
 * from it says so); it cannot `import()` a relative path or use
 * `import.meta` (the constructor throws `TypeError`): resolve paths in the
 * caller with `import.meta.resolve` and pass the URL. A `{ module, name }`
 * target is imported anew by the worker, so its top level runs again
 * there: a module that is both the program and a target must guard what it
 * starts with `if (import.meta.main) { ... }` (false where the library
 * imports it). As Python's spawn does, starting a thread, pool worker or
 * process while a worker is still importing its target module throws
 * {@linkcode RuntimeError} instead of starting them without end.
 *
 * @example A program that is its own module target
 * ```ts ignore
 * import { Thread } from "@pyconc/pyconc/threading";
 * export function work(n: number) {
 *   console.log(n * 2);
 * }
 * if (import.meta.main) {
 *   const t = new Thread({ target: { module: import.meta.url, name: "work" }, args: [21] });
 *   t.start();
 *   await t.join();
 * }
 * ```
 *
 * @example Ten threads sharing a counter
 * ```ts
 * import { Lock, Thread } from "@pyconc/pyconc/threading";
 * const lock = new Lock();
 * const counter = new Int32Array(new SharedArrayBuffer(4));
 * const threads = Array.from({ length: 4 }, () =>
 *   new Thread({
 *     target: (lock: Lock, c: Int32Array) => {
 *       for (let i = 0; i < 1000; i++) {
 *         lock.acquireSync();
 *         c[0]++;
 *         lock.release();
 *       }
 *     },
 *     args: [lock, counter],
 *   }));
 * for (const t of threads) t.start();
 * for (const t of threads) await t.join();
 * console.assert(counter[0] === 4000);
 * ```
 */
export class Thread {
  #name: string;
  #daemon: boolean;
  #ident: number | null = null;
  #target: ReturnType<typeof toTargetSpec> | null;
  #args: unknown[];
  #worker: WorkerHandle | null = null;
  #control: Int32Array | null = null;
  #started = false;
  #finished: Promise<void> | null = null;
  #isCurrent = false;

  /**
   * Creates a thread; call {@linkcode Thread.start} to run it.
   *
   * @throws {TypeError} a target that cannot be sent to a worker (a native
   * or bound function, one with a relative `import()` or `import.meta`, a
   * relative `module` specifier), or `args` that is not an array.
   */
  constructor(options: ThreadOptions = {}) {
    if (options === null || typeof options !== "object") {
      throw new TypeError(
        "Thread options must be an object like { target, args, name, daemon }",
      );
    }
    this.#target = options.target === undefined
      ? null
      : toTargetSpec(options.target, "target");
    if (options.args !== undefined && !Array.isArray(options.args)) {
      throw new TypeError(`args must be an array, got ${typeof options.args}`);
    }
    this.#args = options.args ?? [];
    _counter++;
    if (options.name !== undefined && options.name !== null) {
      this.#name = String(options.name);
    } else {
      const t = options.target;
      const label = typeof t === "function"
        ? t.name
        : t
        ? (t.name ?? "default")
        : "";
      this.#name = label
        ? `Thread-${_counter} (${label})`
        : `Thread-${_counter}`;
    }
    this.#daemon = options.daemon ?? agent.daemon;
  }

  /** @internal The Thread object that stands for the running thread itself. */
  static _forCurrent(): Thread {
    const t = new Thread({ name: agent.name, daemon: agent.daemon });
    _counter--;
    t.#ident = agent.ident;
    t.#started = true;
    t.#isCurrent = true;
    return t;
  }

  /** The thread's name; only for identification, several threads may share one. */
  get name(): string {
    return this.#isCurrent ? agent.name : this.#name;
  }
  set name(value: string) {
    this.#name = String(value);
    if (this.#isCurrent) agent.name = this.#name;
  }

  /** Whether this is a daemon thread, which does not keep the program alive. */
  get daemon(): boolean {
    return this.#daemon;
  }
  set daemon(value: boolean) {
    if (this.#started) {
      throw new RuntimeError("cannot set daemon status of active thread");
    }
    this.#daemon = Boolean(value);
  }

  /** The thread's identifier, unique among live threads of the program; `null` before start. */
  get ident(): number | null {
    return this.#ident;
  }

  /** The operating system's thread id; `null` until the thread runs. */
  get nativeId(): number | null {
    if (this.#isCurrent) return currentNativeId();
    const id = this.#control
      ? Atomics.load(this.#control, ThreadControl.NativeId)
      : 0;
    return id === 0 ? null : id;
  }

  /**
   * Starts the thread's worker. Call it at most once.
   *
   * @throws {RuntimeError} "threads can only be started once"; "An attempt
   * has been made to start a new thread before the current thread has
   * finished importing its target module ..." (a module target's top level
   * starting threads without an `if (import.meta.main)` guard).
   */
  start(): void {
    if (this.#started) {
      throw new RuntimeError("threads can only be started once");
    }
    const target = this.#target ?? toTargetSpec(() => {});
    const args = encode(this.#args);
    this.#started = true;
    this.#ident = nextIdent();
    const control = new SharedArrayBuffer(ThreadControl.Size * 4);
    this.#control = new Int32Array(control);
    const data: ThreadStartData = { target, args, control };
    const worker = spawnWorker(_WORKER_ENTRY, {
      agent: {
        ident: this.#ident,
        name: this.#name,
        daemon: this.#daemon,
        parentIdent: agent.ident,
      },
      data,
      ref: !this.#daemon,
      label: `thread ${this.#name}`,
      onMessage: (msg) => {
        const m = msg as ThreadMessage;
        if (m.type === "error") {
          this.#reportError(recordToError(m.error as ErrorRecord));
        } else if (m.type === "done") void worker.terminate();
      },
      onError: (err) => this.#reportError(err),
    });
    this.#worker = worker;
    _active.add(this);
    addLiveThreads(1);
    let done!: () => void;
    this.#finished = new Promise<void>((r) => done = r);
    void worker.exited.then(() => {
      Atomics.store(this.#control!, ThreadControl.State, 2);
      Atomics.notify(this.#control!, ThreadControl.State);
      _active.delete(this);
      addLiveThreads(-1);
      done();
    });
  }

  #reportError(err: unknown): void {
    const hook = currentExcepthook();
    try {
      hook({
        excType: err instanceof Error ? err.name : typeof err,
        excValue: err,
        excTraceback: err instanceof Error ? err.stack : undefined,
        thread: this,
      });
    } catch (hookErr) {
      console.error("Exception in threading.excepthook:", hookErr);
    }
  }

  #checkJoinable(): void {
    if (!this.#started) {
      throw new RuntimeError("cannot join thread before it is started");
    }
    if (this.#isCurrent) throw new RuntimeError("cannot join current thread");
  }

  /**
   * Waits until the thread ends, or until `timeout` seconds pass. Like
   * Python, it returns nothing either way: call {@linkcode Thread.isAlive}
   * to tell whether the thread ended.
   *
   * @throws {RuntimeError} the thread was not started, or is the current thread.
   * @throws {ValueError} a negative timeout.
   */
  async join(timeout?: number | null): Promise<void> {
    const ms = timeoutToMs(timeout);
    this.#checkJoinable();
    // A daemon's worker is unref'd; while someone joins it, it must keep
    // the program alive, as a blocked Python thread would.
    this.#worker?.ref();
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      await Promise.race([
        this.#finished!,
        new Promise<void>((r) => {
          if (ms !== Infinity) timer = setTimeout(r, ms);
        }),
      ]);
    } finally {
      clearTimeout(timer);
      if (this.#daemon) this.#worker?.unref();
    }
  }

  /**
   * The blocking twin of {@linkcode Thread.join}, for workers and scripts.
   * On Bun a thread's printed output is relayed through the event loop of
   * the thread that started it, so what it printed last appears once that
   * loop runs again (never lost; {@linkcode Thread.join} waits for it).
   */
  joinSync(timeout?: number | null): void {
    const deadline = Deadline.fromSeconds(timeout);
    this.#checkJoinable();
    const c = this.#control!;
    while (Atomics.load(c, ThreadControl.State) !== 2 && !deadline.expired()) {
      waitSync(
        c,
        ThreadControl.State,
        Atomics.load(c, ThreadControl.State),
        Math.min(deadline.remainingMs(), 100),
      );
    }
    // A finished thread's worker may still be handing its output over
    // through this thread's event loop (Bun relays worker stdio), and ends
    // once that is done: a daemon's worker is unref'd, so keep the program
    // alive until then, as the non-daemon's ref does.
    if (this.#daemon && Atomics.load(c, ThreadControl.State) === 2) {
      this.#worker?.ref();
    }
  }

  /** Whether the thread has started and not yet ended. */
  isAlive(): boolean {
    if (this.#isCurrent) return true;
    if (!this.#started || !this.#control) return false;
    return Atomics.load(this.#control, ThreadControl.State) !== 2;
  }

  /** @internal A stand-in for the main thread, seen from a worker. */
  static _forMain(): Thread {
    const t = new Thread({ name: "MainThread", daemon: false });
    _counter--;
    t.#ident = 1;
    t.#started = true;
    t.#control = new Int32Array(new SharedArrayBuffer(ThreadControl.Size * 4));
    return t;
  }

  /** A short description, as Python's repr. */
  toString(): string {
    const status = !this.#started
      ? "initial"
      : this.isAlive()
      ? "started"
      : "stopped";
    return `<Thread(${this.name}, ${status}${this.#daemon ? " daemon" : ""} ${
      this.#ident ?? ""
    })>`.replace(
      " )>",
      ")>",
    );
  }
}
