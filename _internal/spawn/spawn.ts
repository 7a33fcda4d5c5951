/**
 * The process half of the runtime adapter: the one file that touches
 * `Deno.Command`, `Bun.spawn` and `Bun.spawnSync`. Everything above it
 * (`subprocess`, and later `futures.ProcessPoolExecutor` and
 * `multiprocessing`) spawns children through this small API:
 *
 * - {@linkcode spawn} starts a child with each stdio slot piped, inherited,
 *   discarded, bound to a file descriptor, or forwarded from/to a web stream,
 *   and returns a {@linkcode ChildProcess} handle (pid, web streams, `kill`,
 *   `exited`).
 * - {@linkcode output} runs a child to the end, feeding `stdin` and
 *   collecting both output pipes at the same time, with an optional timeout
 *   that kills the child (or its whole process group) and keeps what was read
 *   so far.
 * - {@linkcode outputSync} does the same while blocking the calling thread.
 * - {@linkcode signalNumber} / {@linkcode signalName} map signal names and
 *   numbers for this OS; {@linkcode selfCommand} builds the argv that starts
 *   another copy of the running runtime on a module.
 *
 * Every child is recorded with `trackResource("process", ...)` from spawn
 * until the runtime has reaped it, so tests can prove none leaked.
 *
 * Two things the runtimes do not offer are built here:
 *
 * - stderr merged into stdout in order (`stderr: "stdout"`). Neither
 *   `Deno.Command` nor `Bun.spawn` can give two stdio slots of a child the same
 *   pipe, so the child runs as `/bin/sh -c 'exec "$@" 2>&1' sh argv...`: the
 *   shell redirects and then `exec`s the program, so the pid, argv and exit
 *   status are the program's own. Since the shell would turn a missing
 *   program into exit status 127, the program is looked up on `PATH` first and
 *   a missing one throws `FileNotFoundError` as usual (on Deno without read
 *   permission the lookup cannot be made, and a missing program then shows as
 *   exit status 127 with the shell's message in the output). When stdout is a file
 *   descriptor on Bun, both slots simply get that descriptor and no shell runs.
 * - a timeout for the blocking form on Deno. `Deno.Command.outputSync` has no
 *   timeout and refuses piped stdin, so when a timeout or input is asked for,
 *   the work runs in a short-lived helper Worker (this same file, started
 *   under a reserved name) that uses the async API, while the calling thread
 *   blocks in `Atomics.wait` on a `SharedArrayBuffer`. The result comes back
 *   through shared memory, not `postMessage`, since the caller's event loop is
 *   blocked. The helper is kept for 200 ms after each use (ended by an
 *   unref'd timer), so a run of such calls pays one worker start (10-25 ms)
 *   and then about 1 ms each; plain `outputSync` calls stay native. Bun's `spawnSync` has a timeout and takes
 *   input itself, so Bun never needs the helper.
 *
 * @module
 */
import {
  FileNotFoundError,
  OSError,
  PermissionError,
  RuntimeError,
} from "../core/errors.ts";
import {
  bunNs,
  denoNs,
  execPath,
  getEnv,
  nodeProcess,
} from "../runtime/adapter.ts";
import { trackResource, untrackResource } from "../runtime/resources.ts";
import { reprStr } from "../core/repr.ts";

// ---------------------------------------------------------------------------
// Types

/**
 * Where a child's stdin comes from: a new pipe (`"pipe"`, written through
 * {@linkcode ChildProcess.stdin}), this process's stdin (`"inherit"`),
 * `/dev/null` (`"null"`), a file descriptor of this process, bytes to feed
 * and then close, or a web stream to forward.
 */
export type StdinSpec =
  | "pipe"
  | "inherit"
  | "null"
  | number
  | Uint8Array
  | ReadableStream<Uint8Array>;

/**
 * Where a child's stdout or stderr goes: a new pipe (`"pipe"`, read through
 * {@linkcode ChildProcess.stdout}), this process's own stream (`"inherit"`),
 * `/dev/null` (`"null"`), a file descriptor of this process, or a web stream
 * the output is forwarded to (it is not closed at the end). For stderr,
 * `"stdout"` merges it into stdout in order.
 */
export type OutputSpec =
  | "pipe"
  | "inherit"
  | "null"
  | number
  | WritableStream<Uint8Array>;

/** Options of {@linkcode spawn} and {@linkcode output}. */
export interface SpawnOptions {
  /** Working directory of the child; the current one if omitted. */
  cwd?: string;
  /** The child's whole environment; this process's when omitted. */
  env?: Record<string, string>;
  /** Defaults to `"inherit"`. */
  stdin?: StdinSpec;
  /** Defaults to `"inherit"`. */
  stdout?: OutputSpec;
  /** Defaults to `"inherit"`; `"stdout"` merges stderr into stdout. */
  stderr?: OutputSpec | "stdout";
  /** Run the child in a new session (`setsid`), so that it leads a process group. */
  newSession?: boolean;
}

/** Options of {@linkcode output} and {@linkcode outputSync}. */
export interface OutputOptions extends SpawnOptions {
  /**
   * Milliseconds before the child is killed with SIGKILL (its whole process
   * group with `newSession`); `Infinity` or omitted waits forever.
   */
  timeoutMs?: number;
}

/** How a child ended. */
export interface ExitStatus {
  /** Python's returncode: the exit code, or -N for a child killed by signal N. */
  readonly returncode: number;
  /** The exit code, or `null` when a signal ended the child. */
  readonly code: number | null;
  /** The number of the signal that ended the child, or `null`. */
  readonly signal: number | null;
}

/** A running (or finished) child process started by {@linkcode spawn}. */
export interface ChildProcess {
  /** The child's process id. */
  readonly pid: number;
  /** The write end of the child's stdin pipe, when `stdin` was `"pipe"`. */
  readonly stdin: WritableStream<Uint8Array> | null;
  /** The read end of the child's stdout pipe, when `stdout` was `"pipe"`. */
  readonly stdout: ReadableStream<Uint8Array> | null;
  /** The read end of the child's stderr pipe, when `stderr` was `"pipe"`. */
  readonly stderr: ReadableStream<Uint8Array> | null;
  /**
   * Settles once the child has exited and been reaped, and output forwarded
   * to web-stream destinations has been written. Never rejects.
   */
  readonly exited: Promise<ExitStatus>;
  /** The exit status once the runtime has reported the exit, else `null`. */
  readonly status: ExitStatus | null;
  /**
   * Sends a signal (name or number, default SIGTERM) to the child, or to its
   * process group with `group` (meaningful with `newSession`). Returns false
   * when the child is known to have exited or no such process exists.
   */
  kill(signal?: string | number, group?: boolean): boolean;
  /** Keeps the event loop alive until the child exits (the default). */
  ref(): void;
  /** Lets the program end while the child still runs. */
  unref(): void;
}

/** What {@linkcode output} and {@linkcode outputSync} return. */
export interface OutputResult {
  /** The child's pid (`null` where the runtime does not report it). */
  readonly pid: number | null;
  /** How the child ended. */
  readonly status: ExitStatus;
  /** Everything read from stdout when it was `"pipe"`, else `null`. */
  readonly stdout: Uint8Array | null;
  /** Everything read from stderr when it was `"pipe"`, else `null`. */
  readonly stderr: Uint8Array | null;
  /**
   * Whether the timeout expired; the child was then killed and reaped, and
   * `stdout`/`stderr` hold what had been read before.
   */
  readonly timedOut: boolean;
}

// ---------------------------------------------------------------------------
// Signals

const _linuxSignals = [
  "",
  "SIGHUP",
  "SIGINT",
  "SIGQUIT",
  "SIGILL",
  "SIGTRAP",
  "SIGABRT",
  "SIGBUS",
  "SIGFPE",
  "SIGKILL",
  "SIGUSR1",
  "SIGSEGV",
  "SIGUSR2",
  "SIGPIPE",
  "SIGALRM",
  "SIGTERM",
  "SIGSTKFLT",
  "SIGCHLD",
  "SIGCONT",
  "SIGSTOP",
  "SIGTSTP",
  "SIGTTIN",
  "SIGTTOU",
  "SIGURG",
  "SIGXCPU",
  "SIGXFSZ",
  "SIGVTALRM",
  "SIGPROF",
  "SIGWINCH",
  "SIGIO",
  "SIGPWR",
  "SIGSYS",
];
const _darwinSignals = [
  "",
  "SIGHUP",
  "SIGINT",
  "SIGQUIT",
  "SIGILL",
  "SIGTRAP",
  "SIGABRT",
  "SIGEMT",
  "SIGFPE",
  "SIGKILL",
  "SIGBUS",
  "SIGSEGV",
  "SIGSYS",
  "SIGPIPE",
  "SIGALRM",
  "SIGTERM",
  "SIGURG",
  "SIGSTOP",
  "SIGTSTP",
  "SIGCONT",
  "SIGCHLD",
  "SIGTTIN",
  "SIGTTOU",
  "SIGIO",
  "SIGXCPU",
  "SIGXFSZ",
  "SIGVTALRM",
  "SIGPROF",
  "SIGWINCH",
  "SIGINFO",
  "SIGUSR1",
  "SIGUSR2",
];
const _os: string = denoNs?.build.os ?? nodeProcess?.platform ?? "linux";
const _isDarwin = _os === "darwin";
const _signals = _isDarwin ? _darwinSignals : _linuxSignals;
const _signalNumbers = new Map<string, number>(
  _signals.map((name, i) => [name, i] as [string, number]).filter(([n]) => n),
);
if (!_isDarwin) {
  _signalNumbers.set("SIGPOLL", 29);
  _signalNumbers.set("SIGIOT", 6);
  _signalNumbers.set("SIGRTMIN", 34);
  _signalNumbers.set("SIGRTMAX", 64);
}

/**
 * The number of a signal on this OS, from its name (`"SIGUSR1"`, also
 * without the `SIG` prefix) or a number (checked and returned).
 *
 * @throws {TypeError} an unknown name or a number that is not a signal.
 */
export function signalNumber(sig: string | number): number {
  if (typeof sig === "number") {
    if (!Number.isInteger(sig) || sig < 0 || sig > (_isDarwin ? 31 : 64)) {
      throw new TypeError(`invalid signal number: ${sig}`);
    }
    return sig;
  }
  if (typeof sig !== "string") {
    throw new TypeError(
      `signal must be a name or a number, got ${typeof sig}`,
    );
  }
  const name = sig.toUpperCase().startsWith("SIG")
    ? sig.toUpperCase()
    : "SIG" + sig.toUpperCase();
  const n = _signalNumbers.get(name);
  if (n === undefined) throw new TypeError(`unknown signal: ${sig}`);
  return n;
}

/**
 * The name Python gives signal `signo` on this OS (`9` -> `"SIGKILL"`), or
 * `undefined` for a number without one.
 */
export function signalName(signo: number): string | undefined {
  if (signo > 0 && signo < _signals.length) return _signals[signo];
  if (!_isDarwin && signo === 34) return "SIGRTMIN";
  if (!_isDarwin && signo === 64) return "SIGRTMAX";
  return undefined;
}

function _statusFrom(code: number | null, signal: string | null): ExitStatus {
  if (signal) {
    const n = _signalNumbers.get(signal) ?? (code !== null ? code - 128 : 0);
    return { returncode: -n, code: null, signal: n };
  }
  return { returncode: code ?? 0, code: code ?? 0, signal: null };
}

function _sendSignal(pid: number, signo: number): boolean {
  try {
    if (denoNs) denoNs.kill(pid, signo);
    else nodeProcess.kill(pid, signo);
    return true;
  } catch {
    return false; // ESRCH: nothing left to signal
  }
}

// ---------------------------------------------------------------------------
// Errors and program lookup

function _osError(
  errno: number,
  text: string,
  filename: string,
  cause: unknown,
): OSError {
  const message = `[Errno ${errno}] ${text}: ${reprStr(filename)}`;
  const err = errno === 2
    ? new FileNotFoundError(message, { cause })
    : errno === 13
    ? new PermissionError(message, { cause })
    : new OSError(message, { cause });
  err.errno = errno;
  err.filename = filename;
  return err;
}

function _isDir(path: string): boolean {
  try {
    if (denoNs) return denoNs.statSync(path).isDirectory;
    // deno-lint-ignore no-explicit-any
    const fs = (import.meta as any).require("node:fs");
    return fs.statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** Whether `path` is an executable file; `undefined` when not allowed to look. */
function _isExecutableFile(path: string): boolean | undefined {
  try {
    if (denoNs) {
      const st = denoNs.statSync(path);
      return st.isFile && (st.mode === null || (st.mode & 0o111) !== 0);
    }
    // deno-lint-ignore no-explicit-any
    const fs = (import.meta as any).require("node:fs");
    const st = fs.statSync(path);
    return st.isFile() && (st.mode & 0o111) !== 0;
  } catch (err) {
    const name = (err as Error)?.name;
    // Deno without --allow-read: the answer is unknown, not "missing".
    if (name === "NotCapable" || name === "PermissionDenied") return undefined;
    return false;
  }
}

/**
 * Finds `prog` the way `execvp` would, with the child's `PATH`: its path,
 * `null` when missing, `undefined` when this process may not look.
 */
function _which(
  prog: string,
  env: Record<string, string> | undefined,
  cwd: string | undefined,
): string | null | undefined {
  const abs = (p: string) =>
    p.startsWith("/") || !cwd ? p : `${cwd.replace(/\/$/, "")}/${p}`;
  if (prog.includes("/")) {
    const ok = _isExecutableFile(abs(prog));
    return ok === undefined ? undefined : ok ? prog : null;
  }
  const path = env ? env.PATH ?? "/bin:/usr/bin" : getEnv("PATH");
  if (path === undefined) return undefined;
  let unknown = false;
  for (const dir of path.split(":")) {
    const full = `${dir || "."}/${prog}`;
    const ok = _isExecutableFile(abs(full));
    if (ok) return full;
    if (ok === undefined) unknown = true;
  }
  return unknown ? undefined : null;
}

/** Turns a runtime's spawn failure into Python's OSError for `prog`. */
function _spawnError(err: unknown, prog: string, cwd?: string): Error {
  // deno-lint-ignore no-explicit-any
  const e = err as any;
  const code: string = e?.code ?? "";
  const msg: string = String(e?.message ?? "");
  if (code === "ENOENT" || e?.name === "NotFound") {
    const cwdMissing = cwd !== undefined &&
      (msg.includes("No such cwd") ||
        (!msg.includes("Executable not found") && !_isDir(cwd)));
    return _osError(
      2,
      "No such file or directory",
      cwdMissing ? cwd : prog,
      err,
    );
  }
  if (code === "EACCES" || e?.name === "PermissionDenied") {
    if (msg.includes("Requires run access")) return err as Error; // Deno permission
    return _osError(13, "Permission denied", prog, err);
  }
  if (code === "ENOTDIR" || e?.name === "NotADirectory") {
    return _osError(20, "Not a directory", cwd ?? prog, err);
  }
  return err as Error;
}

// ---------------------------------------------------------------------------
// Stream helpers

/** Reads a stream to its end into chunks; can be cancelled at any time. */
class _Collector {
  readonly chunks: Uint8Array[] = [];
  readonly done: Promise<void>;
  #reader: ReadableStreamDefaultReader<Uint8Array>;

  constructor(stream: ReadableStream<Uint8Array>) {
    this.#reader = stream.getReader();
    this.done = this.#run();
  }

  async #run(): Promise<void> {
    try {
      for (;;) {
        const { done, value } = await this.#reader.read();
        if (done) return;
        this.chunks.push(value);
      }
    } catch {
      // a cancelled or broken pipe ends the output; what was read stays
    }
  }

  cancel(): Promise<void> {
    this.#reader.cancel().catch(() => {});
    return this.done;
  }

  bytes(): Uint8Array {
    return concatBytes(this.chunks);
  }
}

/** Reads a runtime's pipe stream to its end, natively where it can. */
async function _readAll(
  stream: ReadableStream<Uint8Array>,
): Promise<Uint8Array> {
  // deno-lint-ignore no-explicit-any
  const s = stream as any;
  if (typeof s.bytes === "function") {
    try {
      return await s.bytes();
    } catch {
      return new Uint8Array(0); // a broken pipe ends the output
    }
  }
  const c = new _Collector(stream);
  await c.done;
  return c.bytes();
}

const _MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * A promise that resolves after `ms` milliseconds, and a way to cancel it.
 * Unlike a bare `setTimeout`, delays beyond 2^31-1 ms (24.8 days) do not fire
 * at once: the timer is re-armed until the whole delay has passed.
 */
export function expiry(ms: number): {
  expired: Promise<void>;
  cancel(): void;
} {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let cancelled = false;
  if (ms === Infinity) return { expired: new Promise(() => {}), cancel() {} };
  const end = performance.now() + ms;
  const expired = new Promise<void>((resolve) => {
    const arm = () => {
      if (cancelled) return;
      const left = end - performance.now();
      if (left <= 0) return resolve();
      timer = setTimeout(arm, Math.min(left, _MAX_TIMER_MS));
    };
    timer = setTimeout(arm, Math.min(ms, _MAX_TIMER_MS));
  });
  return {
    expired,
    cancel() {
      cancelled = true;
      clearTimeout(timer);
    },
  };
}

/** Joins byte chunks into one array (no copy for a single chunk). */
export function concatBytes(chunks: Uint8Array[]): Uint8Array {
  if (chunks.length === 1) return chunks[0];
  let n = 0;
  for (const c of chunks) n += c.length;
  const out = new Uint8Array(n);
  let off = 0;
  for (const c of chunks) {
    out.set(c, off);
    off += c.length;
  }
  return out;
}

/** Whether an error is the child having closed its end of a pipe. */
function _isBrokenPipe(err: unknown): boolean {
  // deno-lint-ignore no-explicit-any
  const e = err as any;
  return e?.name === "BrokenPipe" || e?.code === "EPIPE" ||
    e?.name === "Interrupted" || e?.code === "EINVAL";
}

/** Writes `data` to a pipe and closes it; a child that stopped reading is fine. */
async function _feed(
  sink: WritableStream<Uint8Array>,
  data: Uint8Array,
): Promise<void> {
  const w = sink.getWriter();
  try {
    if (data.length) await w.write(data);
    await w.close();
  } catch (err) {
    if (!_isBrokenPipe(err)) throw err;
    await w.abort().catch(() => {});
  }
}

/** A WritableStream over Bun's FileSink, so both runtimes expose web streams. */
// deno-lint-ignore no-explicit-any
function _sinkStream(sink: any): WritableStream<Uint8Array> {
  return new WritableStream<Uint8Array>({
    async write(chunk) {
      sink.write(chunk);
      await sink.flush();
    },
    async close() {
      await sink.end();
    },
    async abort() {
      try {
        await sink.end();
      } catch { /* already closed */ }
    },
  });
}

/**
 * A stream over one of this process's file descriptors (Deno, which takes no
 * descriptors in `Deno.Command`). Writes go through `write()` at once:
 * `FsFile.writable` buffers until it is closed, which would hold the output
 * back past the child's exit.
 */
function _denoFdStream(fd: number, write: true): {
  stream: WritableStream<Uint8Array>;
  close(): void;
};
function _denoFdStream(fd: number, write: false): {
  stream: ReadableStream<Uint8Array>;
  close(): void;
};
function _denoFdStream(fd: number, write: boolean): {
  // deno-lint-ignore no-explicit-any
  stream: any;
  close(): void;
} {
  // deno-lint-ignore no-explicit-any
  let file: any;
  let own = false;
  if (fd === 0 && !write) file = denoNs.stdin;
  else if (fd === 1 && write) file = denoNs.stdout;
  else if (fd === 2 && write) file = denoNs.stderr;
  else {
    file = denoNs.openSync(
      `/dev/fd/${fd}`,
      write ? { write: true } : {
        read: true,
      },
    );
    own = true;
  }
  const close = () => {
    if (!own) return;
    own = false;
    try {
      file.close();
    } catch { /* already closed */ }
  };
  if (write) {
    return {
      stream: new WritableStream<Uint8Array>({
        async write(chunk) {
          let off = 0;
          while (off < chunk.length) {
            off += await file.write(chunk.subarray(off));
          }
        },
      }),
      close,
    };
  }
  return {
    stream: new ReadableStream<Uint8Array>({
      async pull(ctrl) {
        const buf = new Uint8Array(64 * 1024);
        const n = await file.read(buf);
        if (n === null) ctrl.close();
        else ctrl.enqueue(buf.subarray(0, n));
      },
    }, { highWaterMark: 0 }),
    close,
  };
}

// ---------------------------------------------------------------------------
// Option checks shared by the runtimes

function _checkArgv(argv: readonly string[]): void {
  if (!denoNs && !bunNs) {
    throw new RuntimeError("child processes need Deno or Bun");
  }
  if (!Array.isArray(argv) || argv.length === 0) {
    throw new TypeError("argv must be a non-empty array of strings");
  }
  for (const a of argv) {
    if (typeof a !== "string") {
      throw new TypeError(
        `expected str, bytes or os.PathLike object, not ${
          a === null ? "null" : typeof a
        }`,
      );
    }
    if (a.includes("\0")) throw new TypeError("embedded null byte");
  }
}

const _MERGE_SCRIPT = 'exec "$@" 2>&1';

/**
 * Decides how stderr reaches stdout when asked to merge: by giving both slots
 * the same descriptor where the runtime can, else by the shell wrapper.
 */
function _mergePlan(
  argv: readonly string[],
  o: SpawnOptions,
): { argv: string[]; stderr: OutputSpec } {
  if (o.stderr !== "stdout") {
    return { argv: argv as string[], stderr: o.stderr ?? "inherit" };
  }
  const out = o.stdout ?? "inherit";
  if (bunNs && typeof out === "number") return { argv: [...argv], stderr: out };
  if (out === "null") return { argv: [...argv], stderr: "null" };
  if (bunNs && out === "inherit") return { argv: [...argv], stderr: 1 };
  if (_which(argv[0], o.env, o.cwd) === null) {
    if (o.cwd !== undefined && !_isDir(o.cwd)) {
      throw _osError(2, "No such file or directory", o.cwd, undefined);
    }
    throw _osError(2, "No such file or directory", argv[0], undefined);
  }
  return {
    argv: ["/bin/sh", "-c", _MERGE_SCRIPT, "sh", ...argv],
    stderr: "inherit",
  };
}

// ---------------------------------------------------------------------------
// spawn

class _Child implements ChildProcess {
  readonly pid: number;
  readonly stdin: WritableStream<Uint8Array> | null;
  readonly stdout: ReadableStream<Uint8Array> | null;
  readonly stderr: ReadableStream<Uint8Array> | null;
  readonly exited: Promise<ExitStatus>;
  status: ExitStatus | null = null;
  // deno-lint-ignore no-explicit-any
  #handle: any;

  constructor(
    // deno-lint-ignore no-explicit-any
    handle: any,
    pid: number,
    stdio: {
      stdin: WritableStream<Uint8Array> | null;
      stdout: ReadableStream<Uint8Array> | null;
      stderr: ReadableStream<Uint8Array> | null;
    },
    rawExit: Promise<ExitStatus>,
    pumps: Promise<unknown>[],
    label: string,
  ) {
    this.#handle = handle;
    this.pid = pid;
    this.stdin = stdio.stdin;
    this.stdout = stdio.stdout;
    this.stderr = stdio.stderr;
    trackResource("process", this, `pid ${pid}: ${label}`);
    const reaped = rawExit.then((st) => {
      this.status = st;
      untrackResource(this);
      return st;
    });
    this.exited = pumps.length
      ? reaped.then(async (st) => {
        await Promise.allSettled(pumps);
        return st;
      })
      : reaped;
  }

  kill(signal: string | number = "SIGTERM", group = false): boolean {
    const signo = signalNumber(signal);
    if (group) return _sendSignal(-this.pid, signo);
    if (this.status) return false;
    try {
      this.#handle.kill(signo);
      return true;
    } catch {
      return false; // exited, not yet reported
    }
  }

  ref(): void {
    this.#handle.ref();
  }

  unref(): void {
    this.#handle.unref();
  }
}

/**
 * Starts `argv[0]` with arguments `argv.slice(1)`, looked up on the child's
 * `PATH`, and returns at once with a handle to it.
 *
 * @example Read a child's output
 * ```ts ignore
 * const child = spawn(["echo", "hi"], { stdout: "pipe" });
 * const text = await new Response(child.stdout).text();
 * const status = await child.exited; // { returncode: 0, code: 0, signal: null }
 * ```
 *
 * @throws {FileNotFoundError} the program or `cwd` does not exist.
 * @throws {OSError} the program cannot be run (errno 13: not executable).
 * @throws {TypeError} `argv` is not a non-empty array of strings.
 */
export function spawn(
  argv: readonly string[],
  options: SpawnOptions = {},
): ChildProcess {
  _checkArgv(argv);
  const plan = _mergePlan(argv, options);
  const label = argv.join(" ").slice(0, 200);
  return bunNs
    ? _spawnBun(plan.argv, argv[0], options, plan.stderr, label)
    : _spawnDeno(plan.argv, argv[0], options, plan.stderr, label);
}

/** Resolves each stdio slot into a runtime mode plus a forwarding job. */
interface _Slot {
  mode: string | number | Uint8Array | ReadableStream<Uint8Array>;
  feed?: Uint8Array;
  source?: ReadableStream<Uint8Array>;
  dest?: WritableStream<Uint8Array>;
  close?: () => void;
}

function _denoIn(spec: StdinSpec | undefined): _Slot {
  if (spec === undefined || spec === "inherit") return { mode: "inherit" };
  if (spec === "pipe" || spec === "null") {
    return { mode: spec === "pipe" ? "piped" : "null" };
  }
  if (spec instanceof Uint8Array) return { mode: "piped", feed: spec };
  if (spec instanceof ReadableStream) return { mode: "piped", source: spec };
  if (typeof spec === "number") {
    if (spec === 0) return { mode: "inherit" };
    const fd = _denoFdStream(spec, false);
    return { mode: "piped", source: fd.stream, close: fd.close };
  }
  throw new TypeError(`invalid stdin: ${String(spec)}`);
}

function _denoOut(spec: OutputSpec | undefined, slot: 1 | 2): _Slot {
  if (spec === undefined || spec === "inherit") return { mode: "inherit" };
  if (spec === "pipe" || spec === "null") {
    return { mode: spec === "pipe" ? "piped" : "null" };
  }
  if (spec instanceof WritableStream) return { mode: "piped", dest: spec };
  if (typeof spec === "number") {
    if (spec === slot) return { mode: "inherit" };
    const fd = _denoFdStream(spec, true);
    return { mode: "piped", dest: fd.stream, close: fd.close };
  }
  throw new TypeError(`invalid stdout or stderr: ${String(spec)}`);
}

function _bunIn(spec: StdinSpec | undefined): _Slot {
  if (spec === undefined || spec === "inherit") return { mode: "inherit" };
  if (spec === "pipe") return { mode: "pipe" };
  if (spec === "null") return { mode: "ignore" };
  if (spec instanceof Uint8Array) {
    // Bun writes a buffer given as stdin itself; an empty one still needs EOF.
    return { mode: spec.length ? spec : "ignore" };
  }
  if (spec instanceof ReadableStream) return { mode: "pipe", source: spec };
  if (typeof spec === "number") return { mode: spec };
  throw new TypeError(`invalid stdin: ${String(spec)}`);
}

function _bunOut(spec: OutputSpec | undefined): _Slot {
  if (spec === undefined || spec === "inherit") return { mode: "inherit" };
  if (spec === "pipe") return { mode: "pipe" };
  if (spec === "null") return { mode: "ignore" };
  if (spec instanceof WritableStream) return { mode: "pipe", dest: spec };
  if (typeof spec === "number") return { mode: spec };
  throw new TypeError(`invalid stdout or stderr: ${String(spec)}`);
}

/** Starts the forwarding jobs and hides the pipes they own. */
function _wire(
  stdin: WritableStream<Uint8Array> | null,
  stdout: ReadableStream<Uint8Array> | null,
  stderr: ReadableStream<Uint8Array> | null,
  slots: [_Slot, _Slot, _Slot],
): {
  stdio: {
    stdin: WritableStream<Uint8Array> | null;
    stdout: ReadableStream<Uint8Array> | null;
    stderr: ReadableStream<Uint8Array> | null;
  };
  pumps: Promise<unknown>[];
} {
  const [i, o, e] = slots;
  const pumps: Promise<unknown>[] = [];
  if (stdin && i.feed) {
    _feed(stdin, i.feed).catch(() => {});
    stdin = null;
  } else if (stdin && i.source) {
    const close = i.close;
    i.source.pipeTo(stdin).catch(() => {}).finally(() => close?.());
    stdin = null;
  }
  for (const [slot, which] of [[o, "out"], [e, "err"]] as const) {
    const src = which === "out" ? stdout : stderr;
    if (src && slot.dest) {
      const close = slot.close;
      pumps.push(
        src.pipeTo(slot.dest, { preventClose: true }).catch(() => {}).finally(
          () => close?.(),
        ),
      );
      if (which === "out") stdout = null;
      else stderr = null;
    }
  }
  return { stdio: { stdin, stdout, stderr }, pumps };
}

function _spawnDeno(
  argv: string[],
  prog: string,
  o: SpawnOptions,
  stderr: OutputSpec,
  label: string,
): ChildProcess {
  const slots: [_Slot, _Slot, _Slot] = [
    _denoIn(o.stdin),
    _denoOut(o.stdout, 1),
    _denoOut(stderr, 2),
  ];
  let child;
  try {
    child = new denoNs.Command(argv[0], {
      args: argv.slice(1),
      cwd: o.cwd,
      env: o.env,
      clearEnv: o.env !== undefined,
      stdin: slots[0].mode,
      stdout: slots[1].mode,
      stderr: slots[2].mode,
      detached: o.newSession ?? false,
    }).spawn();
  } catch (err) {
    for (const s of slots) s.close?.();
    throw _spawnError(err, prog, o.cwd);
  }
  const { stdio, pumps } = _wire(
    slots[0].mode === "piped" ? child.stdin : null,
    slots[1].mode === "piped" ? child.stdout : null,
    slots[2].mode === "piped" ? child.stderr : null,
    slots,
  );
  const rawExit = child.status.then((
    st: { code: number; signal: string | null },
  ) => _statusFrom(st.code, st.signal));
  return new _Child(
    child,
    child.pid,
    stdio,
    rawExit,
    pumps,
    label,
  );
}

function _spawnBun(
  argv: string[],
  prog: string,
  o: SpawnOptions,
  stderr: OutputSpec,
  label: string,
): ChildProcess {
  const slots: [_Slot, _Slot, _Slot] = [
    _bunIn(o.stdin),
    _bunOut(o.stdout),
    _bunOut(stderr),
  ];
  let proc;
  try {
    proc = bunNs.spawn(argv, {
      cwd: o.cwd,
      env: o.env,
      stdin: slots[0].mode,
      stdout: slots[1].mode,
      stderr: slots[2].mode,
      detached: o.newSession ?? false,
    });
  } catch (err) {
    throw _spawnError(err, prog, o.cwd);
  }
  const { stdio, pumps } = _wire(
    slots[0].mode === "pipe" ? _sinkStream(proc.stdin) : null,
    slots[1].mode === "pipe" ? proc.stdout : null,
    slots[2].mode === "pipe" ? proc.stderr : null,
    slots,
  );
  const rawExit = proc.exited.then(() =>
    _statusFrom(proc.exitCode, proc.signalCode)
  );
  return new _Child(
    proc,
    proc.pid,
    stdio,
    rawExit,
    pumps,
    label,
  );
}

// ---------------------------------------------------------------------------
// output (async)

/**
 * Runs a child to the end: feeds `stdin` (bytes are written, then the pipe is
 * closed; `"pipe"` gives the child an empty stdin), reads stdout and stderr at the same time (so a child that fills
 * one pipe never blocks), and waits until it has exited and both pipes are
 * at EOF. On timeout the child (with `newSession`, its whole process group)
 * is killed with SIGKILL and reaped, and the result says `timedOut` and
 * carries what had been read.
 *
 * @example
 * ```ts ignore
 * const r = await output(["echo", "hi"], { stdout: "pipe", timeoutMs: 5000 });
 * new TextDecoder().decode(r.stdout!); // "hi\n"
 * ```
 *
 * @throws {FileNotFoundError} the program or `cwd` does not exist.
 */
export async function output(
  argv: readonly string[],
  options: OutputOptions = {},
): Promise<OutputResult> {
  // Nobody else can reach a piped stdin here: give the child EOF at once.
  const child = spawn(
    argv,
    options.stdin === "pipe"
      ? { ...options, stdin: new Uint8Array(0) }
      : options,
  );
  const timeoutMs = options.timeoutMs ?? Infinity;
  if (timeoutMs === Infinity) {
    // No partial output can be asked for: let the runtime collect each pipe
    // natively (both at once), which is faster than a chunk loop.
    const [stdout, stderr, status] = await Promise.all([
      child.stdout ? _readAll(child.stdout) : null,
      child.stderr ? _readAll(child.stderr) : null,
      child.exited,
    ]);
    return { pid: child.pid, status, stdout, stderr, timedOut: false };
  }
  const out = child.stdout ? new _Collector(child.stdout) : null;
  const err = child.stderr ? new _Collector(child.stderr) : null;
  const ends: Promise<unknown>[] = [child.exited];
  if (out) ends.push(out.done);
  if (err) ends.push(err.done);
  let timedOut = false;
  const timer = expiry(timeoutMs);
  await Promise.race([
    Promise.all(ends),
    timer.expired.then(() => {
      timedOut = true;
    }),
  ]);
  timer.cancel();
  if (timedOut) {
    // Kill first, then reap; a grandchild may still hold the pipes open,
    // so stop reading rather than wait for EOF.
    child.kill("SIGKILL", false);
    if (options.newSession) child.kill("SIGKILL", true);
    await child.exited;
    await Promise.all([out?.cancel(), err?.cancel()]);
  }
  return {
    pid: child.pid,
    status: child.status!,
    stdout: out ? out.bytes() : null,
    stderr: err ? err.bytes() : null,
    timedOut,
  };
}

// ---------------------------------------------------------------------------
// outputSync

/** Stdio specs that the blocking form accepts (no web streams). */
export interface OutputSyncOptions extends OutputOptions {
  /** As in {@linkcode SpawnOptions}, without web streams. */
  stdin?: "inherit" | "null" | number | Uint8Array;
  /** As in {@linkcode SpawnOptions}, without web streams. */
  stdout?: "pipe" | "inherit" | "null" | number;
  /** As in {@linkcode SpawnOptions}, without web streams. */
  stderr?: "pipe" | "inherit" | "null" | number | "stdout";
}

/**
 * The blocking form of {@linkcode output}: runs a child to the end while the
 * calling thread waits, honouring `timeoutMs` the same way. On Bun this is
 * `Bun.spawnSync`; on Deno it is `Deno.Command.outputSync` unless input or a
 * timeout is given, in which case a helper worker runs {@linkcode output} while
 * this thread blocks in `Atomics.wait` (see the module doc).
 *
 * @example
 * ```ts ignore
 * const r = outputSync(["sleep", "5"], { timeoutMs: 100 });
 * r.timedOut; // true, and the child has been killed and reaped
 * ```
 *
 * @throws {FileNotFoundError} the program or `cwd` does not exist.
 */
export function outputSync(
  argv: readonly string[],
  options: OutputSyncOptions = {},
): OutputResult {
  _checkArgv(argv);
  for (const s of [options.stdin, options.stdout, options.stderr]) {
    if (s instanceof ReadableStream || s instanceof WritableStream) {
      throw new TypeError("outputSync() cannot forward web streams");
    }
  }
  if ((options.stdin as unknown) === "pipe") {
    throw new TypeError(
      "outputSync() cannot give stdin a pipe; pass the input bytes instead",
    );
  }
  const plan = _mergePlan(argv, options);
  if (bunNs) return _outputSyncBun(plan.argv, argv[0], options, plan.stderr);
  const timeoutMs = options.timeoutMs ?? Infinity;
  const fdSlot = (s: unknown, own: number) =>
    typeof s === "number" && s !== own;
  if (
    timeoutMs === Infinity && !(options.stdin instanceof Uint8Array) &&
    !fdSlot(options.stdin, 0) && !fdSlot(options.stdout, 1) &&
    !fdSlot(plan.stderr, 2)
  ) {
    return _outputSyncDeno(plan.argv, argv[0], options, plan.stderr);
  }
  return _outputSyncHelper(argv, options);
}

function _denoSyncMode(s: unknown): string {
  if (s === undefined || typeof s === "number") return "inherit";
  return s === "pipe" ? "piped" : (s as string);
}

function _outputSyncDeno(
  argv: string[],
  prog: string,
  o: OutputSyncOptions,
  stderr: OutputSpec,
): OutputResult {
  let out;
  const token = {};
  trackResource("process", token, `${argv.join(" ")}`.slice(0, 200));
  try {
    out = new denoNs.Command(argv[0], {
      args: argv.slice(1),
      cwd: o.cwd,
      env: o.env,
      clearEnv: o.env !== undefined,
      stdin: _denoSyncMode(o.stdin),
      stdout: _denoSyncMode(o.stdout),
      stderr: _denoSyncMode(stderr),
      detached: o.newSession ?? false,
    }).outputSync();
  } catch (err) {
    throw _spawnError(err, prog, o.cwd);
  } finally {
    untrackResource(token);
  }
  return {
    pid: null,
    status: _statusFrom(out.code, out.signal),
    stdout: o.stdout === "pipe" ? out.stdout : null,
    stderr: stderr === "pipe" ? out.stderr : null,
    timedOut: false,
  };
}

function _bunSyncMode(s: unknown): unknown {
  if (s === undefined) return "inherit";
  if (s === "null") return "ignore";
  if (s instanceof Uint8Array) return s.length ? s : "ignore";
  return s;
}

function _outputSyncBun(
  argv: string[],
  prog: string,
  o: OutputSyncOptions,
  stderr: OutputSpec,
): OutputResult {
  const timeoutMs = o.timeoutMs ?? Infinity;
  let r;
  const token = {};
  trackResource("process", token, `${argv.join(" ")}`.slice(0, 200));
  try {
    r = bunNs.spawnSync(argv, {
      cwd: o.cwd,
      env: o.env,
      stdin: _bunSyncMode(o.stdin),
      stdout: _bunSyncMode(o.stdout),
      stderr: _bunSyncMode(stderr),
      detached: o.newSession ?? false,
      // Bun's timer takes 32-bit milliseconds; 24.8 days is "forever" here.
      ...(timeoutMs >= _MAX_TIMER_MS ? {} : {
        timeout: Math.max(1, Math.ceil(timeoutMs)),
        killSignal: "SIGKILL",
      }),
    });
  } catch (err) {
    throw _spawnError(err, prog, o.cwd);
  } finally {
    untrackResource(token);
  }
  const timedOut = r.exitedDueToTimeout === true;
  if (timedOut && o.newSession && r.pid) _sendSignal(-r.pid, 9);
  const asBytes = (b: unknown) =>
    b instanceof Uint8Array
      ? new Uint8Array(b.buffer, b.byteOffset, b.byteLength)
      : new Uint8Array(0);
  return {
    pid: r.pid ?? null,
    status: _statusFrom(r.exitCode, r.signalCode),
    stdout: o.stdout === "pipe" ? asBytes(r.stdout) : null,
    stderr: stderr === "pipe" ? asBytes(r.stderr) : null,
    timedOut,
  };
}

// --- Deno's blocking helper -------------------------------------------------
//
// Shared memory layout. `ctrl` (Int32Array over 16 bytes):
//   [0] state, written by the worker, reset to IDLE by the caller:
//       IDLE 0, NEED_SPACE 1 (ctrl[1] holds the byte count), DONE 2, STARTED 3
//   [1] bytes needed for the result.
// The result is one buffer: a JSON header (UTF-8), then stdout, then stderr;
// the header holds each part's length. The caller offers a first buffer; when
// the result is larger the worker asks for NEED_SPACE and the caller, now
// awake, posts a buffer of that size and waits again.

const _HELPER_NAME = "pyconc:spawn-sync-helper";
const _IDLE = 0;
const _NEED_SPACE = 1;
const _DONE = 2;
const _STARTED = 3;
const _FIRST_BUFFER = 64 * 1024;

interface _HelperResult {
  ok: boolean;
  pid?: number | null;
  status?: ExitStatus;
  timedOut?: boolean;
  outLen?: number; // -1: not piped
  errLen?: number;
  error?: { name: string; message: string; errno?: number; filename?: string };
}

// One helper worker per thread is kept for a short while after each use, so
// a run of blocking calls pays for one worker start; an unref'd timer ends it
// once idle (a Deno web Worker cannot be unref'd, so an idle helper would
// otherwise keep the program alive).
const _HELPER_IDLE_MS = 200;
let _helper: { worker: Worker; timer?: ReturnType<typeof setTimeout> } | null =
  null;

function _takeHelper(): Worker {
  if (_helper) {
    clearTimeout(_helper.timer);
    _helper.timer = undefined;
    return _helper.worker;
  }
  const h = {
    worker: new Worker(new URL(import.meta.url), {
      type: "module",
      name: _HELPER_NAME,
    }),
  };
  trackResource("worker", h, "subprocess sync helper");
  _helper = h;
  return h.worker;
}

function _releaseHelper(healthy: boolean): void {
  const h = _helper;
  if (!h) return;
  const end = () => {
    h.worker.terminate();
    untrackResource(h);
    if (_helper === h) _helper = null;
  };
  if (!healthy) return end();
  h.timer = setTimeout(end, _HELPER_IDLE_MS);
  denoNs?.unrefTimer?.(h.timer);
}

function _outputSyncHelper(
  argv: readonly string[],
  o: OutputSyncOptions,
): OutputResult {
  const ctrl = new Int32Array(new SharedArrayBuffer(16));
  let data = new SharedArrayBuffer(_FIRST_BUFFER);
  const worker = _takeHelper();
  const token = {};
  trackResource("process", token, `${argv.join(" ")}`.slice(0, 200));
  let healthy = false;
  try {
    worker.postMessage({
      kind: "job",
      ctrl: ctrl.buffer,
      data,
      argv,
      options: o,
    });
    // The worker marks STARTED when it takes the job; if it never does, it
    // failed to load and no 'error' event can reach this blocked thread.
    let started = false;
    for (;;) {
      const r = Atomics.wait(ctrl, 0, _IDLE, started ? Infinity : 30_000);
      const state = Atomics.load(ctrl, 0);
      if (r === "timed-out" && state === _IDLE) {
        throw new RuntimeError("subprocess helper worker did not start");
      }
      if (state === _STARTED) {
        started = true;
        Atomics.compareExchange(ctrl, 0, _STARTED, _IDLE);
        continue;
      }
      if (state === _NEED_SPACE) {
        data = new SharedArrayBuffer(Atomics.load(ctrl, 1));
        Atomics.store(ctrl, 0, _IDLE);
        worker.postMessage({ kind: "space", data });
        continue;
      }
      if (state === _DONE) break;
    }
    healthy = true;
  } finally {
    _releaseHelper(healthy);
    untrackResource(token);
  }
  const bytes = new Uint8Array(data);
  const view = new DataView(data);
  const headLen = view.getUint32(0);
  const head: _HelperResult = JSON.parse(
    new TextDecoder().decode(bytes.slice(4, 4 + headLen)),
  );
  if (!head.ok) throw _rebuildError(head.error!);
  let off = 4 + headLen;
  const take = (n: number) => {
    if (n < 0) return null;
    const part = bytes.slice(off, off + n);
    off += n;
    return part;
  };
  const stdout = take(head.outLen!);
  const stderr = take(head.errLen!);
  return {
    pid: head.pid ?? null,
    status: head.status!,
    stdout,
    stderr,
    timedOut: head.timedOut!,
  };
}

function _rebuildError(e: NonNullable<_HelperResult["error"]>): Error {
  let err: Error;
  if (e.errno !== undefined) {
    const os = e.errno === 2
      ? new FileNotFoundError(e.message)
      : new OSError(e.message);
    os.errno = e.errno;
    os.filename = e.filename;
    err = os;
  } else if (e.name === "TypeError") err = new TypeError(e.message);
  else err = new Error(e.message);
  err.name = e.name;
  return err;
}

let _spaceWaiter: ((data: SharedArrayBuffer) => void) | null = null;

async function _helperMain(job: {
  ctrl: SharedArrayBuffer;
  data: SharedArrayBuffer;
  argv: string[];
  options: OutputOptions;
}): Promise<void> {
  const { argv, options } = job;
  const ctrl = new Int32Array(job.ctrl);
  let data = job.data;
  Atomics.store(ctrl, 0, _STARTED);
  Atomics.notify(ctrl, 0);
  let head: _HelperResult;
  let out: Uint8Array | null = null;
  let err: Uint8Array | null = null;
  try {
    const r = await output(argv, options);
    out = r.stdout;
    err = r.stderr;
    head = {
      ok: true,
      pid: r.pid,
      status: r.status,
      timedOut: r.timedOut,
      outLen: out ? out.length : -1,
      errLen: err ? err.length : -1,
    };
  } catch (e) {
    // deno-lint-ignore no-explicit-any
    const x = e as any;
    head = {
      ok: false,
      error: {
        name: String(x?.name ?? "Error"),
        message: String(x?.message ?? x),
        errno: x?.errno,
        filename: x?.filename,
      },
    };
  }
  const headBytes = new TextEncoder().encode(JSON.stringify(head));
  const need = 4 + headBytes.length + (out?.length ?? 0) + (err?.length ?? 0);
  if (need > data.byteLength) {
    // Overwriting STARTED here is fine: the caller only resets STARTED with a
    // compare-exchange, so it cannot erase NEED_SPACE.
    data = await new Promise<SharedArrayBuffer>((resolve) => {
      _spaceWaiter = resolve;
      Atomics.store(ctrl, 1, need);
      Atomics.store(ctrl, 0, _NEED_SPACE);
      Atomics.notify(ctrl, 0);
    });
  }
  const bytes = new Uint8Array(data);
  new DataView(data).setUint32(0, headBytes.length);
  bytes.set(headBytes, 4);
  let off = 4 + headBytes.length;
  if (out) bytes.set(out, off), off += out.length;
  if (err) bytes.set(err, off);
  Atomics.store(ctrl, 0, _DONE);
  Atomics.notify(ctrl, 0);
}

// deno-lint-ignore no-explicit-any
const _scope = globalThis as any;
if (
  typeof _scope.WorkerGlobalScope !== "undefined" &&
  _scope instanceof _scope.WorkerGlobalScope &&
  _scope.name === _HELPER_NAME
) {
  // Jobs come one at a time: the thread that posted one blocks until DONE.
  _scope.onmessage = (ev: MessageEvent) => {
    if (ev.data.kind === "job") _helperMain(ev.data);
    else if (ev.data.kind === "space" && _spaceWaiter) {
      const give = _spaceWaiter;
      _spaceWaiter = null;
      give(ev.data.data);
    }
  };
}

// ---------------------------------------------------------------------------
// Children of this runtime

/**
 * The argv that starts another copy of the running runtime on `module`, for
 * pools and `multiprocessing`: `[deno, "run", ...denoFlags, module, ...args]`
 * on Deno (flags default to `-A`) and `[bun, module, ...args]` on Bun.
 *
 * @example
 * ```ts ignore
 * const child = spawn(selfCommand(new URL("./child.ts", import.meta.url)), {
 *   stdin: "pipe",
 *   stdout: "pipe",
 * });
 * ```
 */
export function selfCommand(
  module: string | URL,
  args: readonly string[] = [],
  denoFlags: readonly string[] = ["-A"],
): string[] {
  const target = module instanceof URL
    ? (module.protocol === "file:"
      ? decodeURIComponent(module.pathname)
      : module.href)
    : module;
  return denoNs
    ? [execPath(), "run", ...denoFlags, target, ...args]
    : [execPath(), target, ...args];
}
