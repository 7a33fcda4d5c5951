/**
 * The exceptions of the subprocess module, with Python's names and messages.
 *
 * @module
 */
import { registerError } from "../_internal/core/errors.ts";
import { signalName } from "../_internal/spawn/signals.ts";
import { formatCmd } from "../_internal/core/repr.ts";

/**
 * The base class of the errors this module raises about a child process
 * ({@linkcode CalledProcessError}, {@linkcode TimeoutExpired}).
 *
 * @example Catch any subprocess failure
 * ```ts
 * import { run, SubprocessError } from "@pyconc/pyconc/subprocess";
 * try {
 *   await run(["false"], { check: true });
 * } catch (err) {
 *   console.assert(err instanceof SubprocessError);
 * }
 * ```
 */
export class SubprocessError extends Error {
  /** Creates the error with an optional message. */
  constructor(message?: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "SubprocessError";
  }
}

/**
 * A child run with `check` (or by {@linkcode checkCall} /
 * {@linkcode checkOutput}) exited with a non-zero status. The message is
 * Python's: `Command '['false']' returned non-zero exit status 1.`, or for a
 * child killed by a signal `Command '...' died with <Signals.SIGKILL: 9>.`
 *
 * @example Inspect a failed command
 * ```ts
 * import { CalledProcessError, run } from "@pyconc/pyconc/subprocess";
 * try {
 *   await run(["sh", "-c", "echo oops; exit 3"], { check: true, stdout: -1 });
 * } catch (err) {
 *   if (!(err instanceof CalledProcessError)) throw err;
 *   console.assert(err.returncode === 3);
 *   console.assert(err.message === "Command '['sh', '-c', 'echo oops; exit 3']' returned non-zero exit status 3.");
 * }
 * ```
 */
export class CalledProcessError extends SubprocessError {
  /** The exit status; -N when signal N killed the child. */
  returncode: number;
  /** The command as it was given (a list of arguments or a string). */
  cmd: string | readonly string[];
  /** The child's captured stdout, or `null` when it was not captured. */
  output: string | Uint8Array | null;
  /** The child's captured stderr, or `null` when it was not captured. */
  stderr: string | Uint8Array | null;

  /**
   * Creates the error for a finished command.
   *
   * @param returncode the exit status (-N for signal N)
   * @param cmd the command that ran
   * @param output its captured stdout, if any
   * @param stderr its captured stderr, if any
   */
  constructor(
    returncode: number,
    cmd: string | readonly string[],
    output: string | Uint8Array | null = null,
    stderr: string | Uint8Array | null = null,
  ) {
    super(CalledProcessError.#describe(returncode, cmd));
    this.name = "CalledProcessError";
    this.returncode = returncode;
    this.cmd = cmd;
    this.output = output;
    this.stderr = stderr;
  }

  /** The same as {@linkcode CalledProcessError.output}, as in Python. */
  get stdout(): string | Uint8Array | null {
    return this.output;
  }
  set stdout(value: string | Uint8Array | null) {
    this.output = value;
  }

  static #describe(returncode: number, cmd: unknown): string {
    const c = formatCmd(cmd);
    if (typeof returncode === "number" && returncode < 0) {
      const name = signalName(-returncode);
      return name
        ? `Command '${c}' died with <Signals.${name}: ${-returncode}>.`
        : `Command '${c}' died with unknown signal ${-returncode}.`;
    }
    return `Command '${c}' returned non-zero exit status ${returncode}.`;
  }
}

/**
 * A child ran longer than its `timeout`. Functions that start the child
 * ({@linkcode run}, {@linkcode call}, ...) kill and reap it before throwing;
 * {@linkcode Popen.wait} and {@linkcode Popen.communicate} leave it running.
 * `output`/`stdout` and `stderr` hold the bytes read before the timeout
 * (bytes even in text mode, as in Python), or `null` when not captured.
 *
 * @example Time a command out
 * ```ts
 * import { run, TimeoutExpired } from "@pyconc/pyconc/subprocess";
 * try {
 *   await run(["sleep", "5"], { timeout: 0.1 });
 * } catch (err) {
 *   if (!(err instanceof TimeoutExpired)) throw err;
 *   console.assert(err.message === "Command '['sleep', '5']' timed out after 0.1 seconds");
 * }
 * ```
 */
export class TimeoutExpired extends SubprocessError {
  /** The command as it was given. */
  cmd: string | readonly string[];
  /** The timeout, in seconds. */
  timeout: number;
  /** Stdout read before the timeout, or `null`. */
  output: string | Uint8Array | null;
  /** Stderr read before the timeout, or `null`. */
  stderr: string | Uint8Array | null;

  /**
   * Creates the error for a command that ran too long.
   *
   * @param cmd the command that ran
   * @param timeout the timeout in seconds
   * @param output stdout read so far, if captured
   * @param stderr stderr read so far, if captured
   */
  constructor(
    cmd: string | readonly string[],
    timeout: number,
    output: string | Uint8Array | null = null,
    stderr: string | Uint8Array | null = null,
  ) {
    super(`Command '${formatCmd(cmd)}' timed out after ${timeout} seconds`);
    this.name = "TimeoutExpired";
    this.cmd = cmd;
    this.timeout = timeout;
    this.output = output;
    this.stderr = stderr;
  }

  /** The same as {@linkcode TimeoutExpired.output}, as in Python. */
  get stdout(): string | Uint8Array | null {
    return this.output;
  }
  set stdout(value: string | Uint8Array | null) {
    this.output = value;
  }
}

registerError(SubprocessError);
registerError(CalledProcessError);
registerError(TimeoutExpired);
