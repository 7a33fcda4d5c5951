/**
 * The shapes of the spawn API: where each stdio slot of a child goes, the
 * options of `spawn`, `output` and `outputSync`, the `ChildProcess` handle,
 * how a child ended, and what a finished run returns.
 * Design: docs/design/spawn.md
 *
 * @module
 */

/**
 * Where a child's stdin comes from: a new pipe (`"pipe"`, written through
 * {@linkcode ChildProcess.stdin}), this process's stdin (`"inherit"`),
 * `/dev/null` (`"null"`), a file descriptor of this process, bytes to feed
 * and then close, or a web stream to forward (closing the child's stdin at
 * its end). Another child's {@linkcode ChildProcess.stdout} or `stderr`
 * makes a pipeline: Bun forwards the bytes itself, Deno (whose children
 * take no descriptors) with `pipeTo`.
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

/** Stdio specs that the blocking form accepts (no web streams). */
export interface OutputSyncOptions extends OutputOptions {
  /** As in {@linkcode SpawnOptions}, without web streams. */
  stdin?: "inherit" | "null" | number | Uint8Array;
  /** As in {@linkcode SpawnOptions}, without web streams. */
  stdout?: "pipe" | "inherit" | "null" | number;
  /** As in {@linkcode SpawnOptions}, without web streams. */
  stderr?: "pipe" | "inherit" | "null" | number | "stdout";
}
