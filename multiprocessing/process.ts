/**
 * Process: a target running in a child OS process, with Python's lifecycle.
 *
 * @module
 */
import { entryUrl } from "../_internal/runtime/entry.ts";
import { type ChildHandle, startChild } from "../_internal/child/parent.ts";
import { RuntimeError, ValueError } from "../_internal/core/errors.ts";
import { encodeForProcess } from "../_internal/mp/encode.ts";
import type { Encoded } from "../_internal/share/codec.ts";
import { procState } from "../_internal/runtime/proc_status.ts";
import { pid as ownPid } from "../_internal/runtime/adapter.ts";
import type { ExitStatus } from "../_internal/spawn/types.ts";
import {
  type Target,
  type TargetSpec,
  toTargetSpec,
} from "../_internal/share/target.ts";
import { Deadline, sleepMs, timeoutToMs } from "../_internal/core/time.ts";
import { nextIdentity, type ProcessInfo, self } from "./_state.ts";

const _SENTINEL_BASE = 1 << 20;
let _sentinelCount = 0;
const _sentinels = new Map<number, WeakRef<Process>>();

/** @internal The process whose `sentinel` is `n`, if it is still around. */
export function _bySentinel(n: number): Process | undefined {
  const p = _sentinels.get(n)?.deref();
  if (!p) _sentinels.delete(n);
  return p;
}

/** Options for a {@linkcode Process}, Python's keyword arguments. */
export interface ProcessOptions {
  /**
   * What the child runs: a function that closes over no local variables
   * (its source is sent), or `{ module, name }` with the module as a URL or
   * absolute path (`import.meta.resolve("./lib.ts")`, not `"./lib.ts"`).
   * Nothing runs when omitted. See {@linkcode Process} for what a target
   * cannot do.
   */
  target?: Target;
  /**
   * Arguments for the target. They are copied by structured clone, except
   * this module's shared objects (queues, pipes, locks, values...), which
   * arrive in the child as live handles.
   */
  args?: unknown[];
  /** The process's name; `Process-N` (`Process-N:M` in a child) when omitted. */
  name?: string | null;
  /** Whether the process is a daemon; inherited from the current process when omitted. */
  daemon?: boolean | null;
}

/** What the parent sends a process child at start-up (see `_process_role.ts`). */
export interface ProcessStartData {
  /** The target, or `null` to run nothing. */
  target: TargetSpec | null;
  /** The target's arguments, encoded. */
  args: Encoded;
  /** The child's name, identity, daemon flag and parent. */
  info: ProcessInfo;
}

const _ROLE = {
  module: entryUrl("multiprocessing/_process_role.ts").href,
  name: "runProcess",
};

const _children = new Set<Process>();
let _forCurrentNow = false;

/** @internal The children this process started that have not been seen to end. */
export function _liveChildren(): Process[] {
  return [..._children];
}

/**
 * A process of its own: the target runs in a new copy of the running
 * runtime (`deno run -A` or `bun`), in parallel with the caller, as Python's
 * `multiprocessing.Process` with the "spawn" start method. The child's
 * stdout and stderr are the program's, its stdin is `/dev/null`.
 *
 * Lifecycle as in Python: {@linkcode Process.start} once, then
 * {@linkcode Process.join}, {@linkcode Process.isAlive},
 * {@linkcode Process.exitcode} (0 when the target returns, 1 when it throws,
 * the code it passed to `Deno.exit`/`process.exit`, or -N when signal N
 * ended it), {@linkcode Process.terminate} (SIGTERM) and
 * {@linkcode Process.kill} (SIGKILL). An error the target throws is printed
 * to the child's stderr under a `Process NAME:` line. A non-daemon child
 * keeps the program alive until it ends; a daemon child does not, and is
 * stopped when its parent exits. A child never outlives its parent: it
 * exits when the parent's end of their socket closes.
 *
 * Differences that JavaScript forces: the target is a function sent as
 * source (no closures) or a module export instead of an overridden `run()`;
 * `start()` spawns the child at once (its `pid` is known when it returns)
 * but returns a promise, which rejects when the child could not be
 * spawned; after the target returns, the child waits for
 * its non-daemon threads and processes, then exits, without waiting for
 * other pending timers or promises.
 *
 * What a target cannot do. A function target runs from its source, without
 * the variables around it: pass what it needs in `args` (a `ReferenceError`
 * from it says so); it cannot `import()` a relative path or use
 * `import.meta` (the constructor throws `TypeError`). A `{ module, name }`
 * target is imported anew by the child, so its top level runs again there:
 * a module that is both the program and a target must guard what it starts
 * with `if (import.meta.main) { ... }` (false where the library imports
 * it), as Python's spawn needs `if __name__ == "__main__":`. Starting a
 * process, pool worker or thread while the child is still importing its
 * target module throws {@linkcode RuntimeError}; the child prints it and
 * exits with 1.
 *
 * @example Run a function in a child process
 * ```ts
 * import { Process, Queue } from "@pyconc/pyconc/multiprocessing";
 * const q = new Queue();
 * const p = new Process({
 *   target: (q: Queue, n: number) => q.putSync(n * 2),
 *   args: [q, 21],
 * });
 * await p.start();
 * console.assert(await q.get() === 42);
 * await p.join();
 * console.assert(p.exitcode === 0);
 * ```
 */
export class Process {
  #name: string;
  #daemon: boolean;
  #target: TargetSpec | null;
  #args: unknown[];
  #identity: number[];
  #handle: ChildHandle | null = null;
  #pid: number | null = null;
  #status: ExitStatus | null = null;
  #exited: Promise<void> | null = null;
  #started = false;
  #closed = false;
  #current = false;
  #joiners = 0;
  #sentinel: number | null = null;

  /**
   * Creates a process object; call {@linkcode Process.start} to run it.
   *
   * @throws {TypeError} a target that cannot be sent (a native or bound
   * function, one with a relative `import()` or `import.meta`, a relative
   * `module` specifier), or `args` that is not an array.
   */
  constructor(options: ProcessOptions = {}) {
    if (options === null || typeof options !== "object") {
      throw new TypeError(
        "Process options must be an object like { target, args, name, daemon }",
      );
    }
    this.#target = options.target === undefined || options.target === null
      ? null
      : toTargetSpec(options.target, "target");
    if (options.args !== undefined && !Array.isArray(options.args)) {
      throw new TypeError(`args must be an array, got ${typeof options.args}`);
    }
    this.#args = options.args ?? [];
    this.#identity = _forCurrentNow ? self.identity : nextIdentity();
    this.#name = options.name != null
      ? String(options.name)
      : `Process-${this.#identity.join(":")}`;
    this.#daemon = options.daemon ?? self.daemon;
  }

  /** @internal The object that stands for the running process itself. */
  static _forCurrent(): Process {
    _forCurrentNow = true;
    let p: Process;
    try {
      p = new Process({ name: self.name, daemon: self.daemon });
    } finally {
      _forCurrentNow = false;
    }
    p.#pid = ownPid();
    p.#started = true;
    p.#current = true;
    return p;
  }

  /** The process's name; only for identification, several may share one. */
  get name(): string {
    return this.#current ? self.name : this.#name;
  }
  set name(value: string) {
    this.#name = String(value);
    if (this.#current) self.name = this.#name;
  }

  /**
   * Whether this is a daemon process: it does not keep the program alive
   * and is stopped when its parent exits.
   *
   * @throws {RuntimeError} set after the process started.
   */
  get daemon(): boolean {
    return this.#current ? self.daemon : this.#daemon;
  }
  set daemon(value: boolean) {
    if (this.#started) {
      throw new RuntimeError("process has already started");
    }
    this.#daemon = Boolean(value);
  }

  /** The child's process id; `null` until it has been spawned. */
  get pid(): number | null {
    return this.#pid;
  }

  /** The same as {@linkcode Process.pid}, as in Python. */
  get ident(): number | null {
    return this.#pid;
  }

  /**
   * The child's exit code: `null` while it runs (or before it started), 0
   * when the target returned, 1 when it threw, -N when signal N ended it.
   */
  get exitcode(): number | null {
    this.#checkClosed();
    return this.#status?.returncode ?? null;
  }

  #checkClosed(): void {
    if (this.#closed) throw new ValueError("process object is closed");
  }

  /**
   * Starts the child: spawns it at once, so its `pid` is known when this
   * returns and `joinSync()` may follow without awaiting; the target may
   * still be starting up then.
   *
   * @returns A promise that resolves at once, or rejects when the runtime could not be spawned.
   * @throws {RuntimeError} "cannot start a process twice".
   * @throws {TypeError} an argument that cannot be sent to a child process.
   * @throws {ValueError} the process object was closed.
   */
  start(): Promise<void> {
    this.#checkClosed();
    if (this.#started) {
      throw new RuntimeError("cannot start a process twice");
    }
    if (this.#current) throw new RuntimeError("cannot start a process twice");
    const args = encodeForProcess(this.#args, "Process args");
    // As Python's start(), let go of the arguments: the shared objects
    // among them are then held by the child alone once the caller drops
    // its own handles.
    this.#args = [];
    const data: ProcessStartData = {
      target: this.#target,
      args,
      info: {
        name: this.#name,
        identity: this.#identity,
        daemon: this.#daemon,
        parentPid: ownPid(),
        parentName: self.name,
      },
    };
    this.#started = true;
    let spawnError: unknown = null;
    let resolveExit!: () => void;
    this.#exited = new Promise<void>((r) => resolveExit = r);
    const handle = startChild({
      role: _ROLE,
      data,
      onMessage: () => {},
      onExit: (status, error) => {
        spawnError = error;
        this.#status = status ??
          { returncode: 1, code: 1, signal: null };
        _children.delete(this);
        resolveExit();
      },
    });
    this.#handle = handle;
    if (!this.#daemon) handle.ref();
    _children.add(this);
    if (handle.process) {
      this.#pid = handle.process.pid;
      return Promise.resolve();
    }
    return this.#exited.then(() => {
      throw spawnError ?? new RuntimeError("the child could not be started");
    });
  }

  #checkJoinable(): void {
    this.#checkClosed();
    if (this.#current) throw new RuntimeError("can only join a child process");
    if (!this.#started) {
      throw new RuntimeError("can only join a started process");
    }
  }

  /**
   * Waits until the child ends, or until `timeout` seconds pass. Like
   * Python, it returns nothing either way: check {@linkcode Process.exitcode}
   * or {@linkcode Process.isAlive}.
   *
   * @param timeout Seconds to wait at most; forever when omitted or `null`.
   * @returns A promise that settles when the child ended or the time is up.
   * @throws {RuntimeError} the process was not started, or is the current one.
   * @throws {ValueError} a negative timeout, or a closed process object.
   */
  async join(timeout?: number | null): Promise<void> {
    const ms = timeoutToMs(timeout);
    this.#checkJoinable();
    if (this.#status) return;
    // A daemon child does not keep the program alive; while someone joins
    // it, it must, as a blocked Python thread would.
    this.#joiners++;
    this.#handle!.ref();
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      await Promise.race([
        this.#exited!,
        new Promise<void>((r) => {
          if (ms !== Infinity) timer = setTimeout(r, ms);
        }),
      ]);
    } finally {
      clearTimeout(timer);
      if (--this.#joiners === 0 && this.#daemon) this.#handle!.unref();
    }
  }

  /**
   * The blocking twin of {@linkcode Process.join}: blocks this thread,
   * watching the child through `/proc` (Linux).
   *
   * @param timeout Seconds to wait at most; forever when omitted or `null`.
   * @throws {RuntimeError} the process was not started or not yet spawned.
   * @throws {ValueError} a negative timeout, or a closed process object.
   */
  joinSync(timeout?: number | null): void {
    const deadline = Deadline.fromSeconds(timeout);
    this.#checkJoinable();
    if (this.#status) return;
    if (this.#pid === null) {
      throw new RuntimeError(
        "the child has not been spawned yet: await start() before joinSync()",
      );
    }
    const cell = new Int32Array(new SharedArrayBuffer(4));
    let pause = 0.05;
    for (;;) {
      if (this.#status) return;
      const st = procState(this.#pid);
      if (st.state === "exited") {
        if (st.returncode !== null && !this.#status) {
          this.#status = {
            returncode: st.returncode,
            code: st.returncode >= 0 ? st.returncode : null,
            signal: st.returncode < 0 ? -st.returncode : null,
          };
        }
        return;
      }
      if (deadline.expired()) return;
      Atomics.wait(cell, 0, 0, Math.min(pause, deadline.remainingMs()));
      pause = Math.min(pause * 2, 10);
    }
  }

  /**
   * A number that {@linkcode connection.wait} reports ready once the child
   * has ended, as Python's `Process.sentinel` (a file descriptor there, an
   * opaque number here, unique in this process).
   *
   * @throws {ValueError} "process not started", or a closed process object.
   *
   * @example
   * ```ts
   * import { connection, Process } from "@pyconc/pyconc/multiprocessing";
   * const p = new Process({ target: () => {} });
   * await p.start();
   * const ready = await connection.wait([p.sentinel], 10);
   * console.assert(ready[0] === p.sentinel && p.exitcode === 0);
   * await p.join();
   * ```
   */
  get sentinel(): number {
    this.#checkClosed();
    if (!this.#started || this.#current) {
      throw new ValueError("process not started");
    }
    if (this.#sentinel === null) {
      this.#sentinel = _SENTINEL_BASE + ++_sentinelCount;
      _sentinels.set(this.#sentinel, new WeakRef(this));
    }
    return this.#sentinel;
  }

  /** @internal Whether the child has ended, checked at once (through `/proc` when its end has not been seen yet). */
  _endedNow(): boolean {
    if (this.#status) return true;
    if (this.#pid === null) return false;
    return procState(this.#pid).state === "exited";
  }

  /**
   * @internal Resolves to true once the child has ended, or to false after
   * `ms` milliseconds or once `stop` settles; like `join`, it keeps the
   * program alive meanwhile.
   */
  async _endedWithin(ms: number, stop: Promise<void>): Promise<boolean> {
    if (this.#status) return true;
    this.#joiners++;
    this.#handle?.ref();
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      await Promise.race([
        this.#exited!,
        stop,
        new Promise<void>((r) => {
          if (ms !== Infinity) timer = setTimeout(r, ms);
        }),
      ]);
    } finally {
      clearTimeout(timer);
      if (--this.#joiners === 0 && this.#daemon) this.#handle?.unref();
    }
    return this.#status !== null;
  }

  /** Whether the child has started and not yet been seen to end. */
  isAlive(): boolean {
    this.#checkClosed();
    if (this.#current) return true;
    return this.#started && this.#status === null;
  }

  #signal(sig: "SIGTERM" | "SIGKILL"): void {
    this.#checkClosed();
    if (!this.#started || this.#status) return;
    const proc = this.#handle?.process;
    if (proc) proc.kill(sig);
    else {
      // Not spawned yet: signal it as soon as it is.
      void (async () => {
        while (!this.#handle?.process && this.#status === null) {
          await sleepMs(1);
        }
        this.#handle?.process?.kill(sig);
      })();
    }
  }

  /**
   * Asks the child to stop with SIGTERM; its exit code becomes -15.
   * Like Python, the child's own children are not stopped, and a child
   * holding a lock of this module has it released when it dies.
   *
   * @throws {ValueError} a closed process object.
   */
  terminate(): void {
    this.#signal("SIGTERM");
  }

  /**
   * Kills the child with SIGKILL; its exit code becomes -9.
   *
   * @throws {ValueError} a closed process object.
   */
  kill(): void {
    this.#signal("SIGKILL");
  }

  /**
   * Releases the process object; most of its methods throw
   * {@linkcode ValueError} afterwards. Calling it again does nothing.
   *
   * @throws {ValueError} the child is still running.
   */
  close(): void {
    if (this.#closed) return;
    if (this.#started && this.#status === null && !this.#current) {
      throw new ValueError(
        "Cannot close a process while it is still running. You should first call join() or terminate().",
      );
    }
    this.#closed = true;
    this.#handle = null;
    if (this.#sentinel !== null) _sentinels.delete(this.#sentinel);
  }

  /** Joins the child and closes the object, for `await using`. */
  async [Symbol.asyncDispose](): Promise<void> {
    if (this.#closed) return;
    if (this.#started && !this.#current) await this.join();
    if (!this.#current) this.close();
  }

  /** A short description, as Python's repr. */
  toString(): string {
    const status = this.#closed
      ? "closed"
      : this.#current
      ? "started"
      : !this.#started
      ? "initial"
      : this.#status
      ? (this.#status.returncode === 0
        ? "stopped"
        : `stopped exitcode=${this.#status.returncode}`)
      : "started";
    return `<Process name='${this.name}' ${
      this.#pid !== null && status === "started" ? `pid=${this.#pid} ` : ""
    }${status}${this.daemon ? " daemon" : ""}>`;
  }
}
