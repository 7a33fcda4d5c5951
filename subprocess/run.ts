/**
 * {@linkcode run} and {@linkcode runSync}: run a command and wait for it.
 *
 * @module
 */
import { output } from "../_internal/spawn/output.ts";
import type { OutputResult } from "../_internal/spawn/types.ts";
import { CompletedProcess } from "./completed_process.ts";
import { TimeoutExpired } from "./errors.ts";
import {
  type Args,
  type BytesOptions,
  type PopenOptions,
  prepare,
  prepareSync,
  type TextOptions,
} from "./_options.ts";
import { decodeAll, encodeInput, type ErrorsMode } from "./_io.ts";
import { runPreparedSync, splitRunOptions } from "./_run.ts";

/** Options of {@linkcode run} and {@linkcode runSync}: {@linkcode PopenOptions} plus these. */
export interface RunOptions extends PopenOptions {
  /** Bytes or text written to the child's stdin, which is then closed (implies a stdin pipe). */
  input?: string | Uint8Array | null;
  /** Capture stdout and stderr (both `PIPE`). */
  captureOutput?: boolean;
  /**
   * Seconds to wait; then the child (with `startNewSession`, its process
   * group) is killed, reaped, and {@linkcode TimeoutExpired} thrown.
   */
  timeout?: number | null;
  /** Throw {@linkcode CalledProcessError} when the exit status is not zero. */
  check?: boolean;
}

function _decoded(
  b: Uint8Array | null,
  encoding: string | null,
  errors: ErrorsMode,
): string | Uint8Array | null {
  return b === null || encoding === null ? b : decodeAll(b, encoding, errors);
}

/** Turns the adapter's result into run's result or error. */
function _finish(
  args: Args,
  r: OutputResult,
  stdout: Uint8Array | null,
  stderr: Uint8Array | null,
  timeout: number | null,
  check: boolean,
  encoding: string | null,
  errors: ErrorsMode,
): CompletedProcess<string | Uint8Array> {
  if (r.timedOut) throw new TimeoutExpired(args, timeout!, stdout, stderr);
  const cp = new CompletedProcess<string | Uint8Array>(
    args,
    r.status.returncode,
    _decoded(stdout, encoding, errors),
    _decoded(stderr, encoding, errors),
  );
  if (check) cp.checkReturncode();
  return cp;
}

/**
 * Runs a command, waits for it to finish, and returns a
 * {@linkcode CompletedProcess}. Python's `subprocess.run`.
 *
 * Stdio is inherited unless redirected; `captureOutput` captures both
 * streams, which are read at the same time so a chatty child never blocks.
 * Output is a `Uint8Array`, or a string with `text` or `encoding`.
 * {@linkcode runSync} is the blocking twin.
 *
 * @param args the program and its arguments, or a shell command string with `shell`
 * @param options {@linkcode RunOptions}
 * @returns the finished process
 * @throws {CalledProcessError} with `check`, when the exit status is not zero.
 * @throws {TimeoutExpired} the timeout expired; the child was killed and reaped.
 * @throws {FileNotFoundError} the program or `cwd` does not exist.
 * @throws {ValueError} conflicting options (`input` with `stdin`,
 *   `captureOutput` with `stdout`/`stderr`) or a negative timeout.
 *
 * @example Capture text output
 * ```ts
 * import { run } from "@pyconc/pyconc/subprocess";
 * const cp = await run(["ls", "/"], { captureOutput: true, text: true });
 * console.assert(cp.returncode === 0 && cp.stdout!.includes("tmp"));
 * ```
 *
 * @example Feed input and check the result
 * ```ts
 * import { run } from "@pyconc/pyconc/subprocess";
 * const cp = await run(["tr", "a-z", "A-Z"], { input: "shout", stdout: -1, text: true, check: true });
 * console.assert(cp.stdout === "SHOUT");
 * ```
 */
export function run(
  args: Args,
  options: RunOptions & TextOptions,
): Promise<CompletedProcess<string>>;
/** Bytes mode: outputs are `Uint8Array`s. */
export function run(
  args: Args,
  options?: RunOptions & BytesOptions,
): Promise<CompletedProcess<Uint8Array>>;
/** Mode decided at run time. */
export function run(
  args: Args,
  options?: RunOptions,
): Promise<CompletedProcess<string | Uint8Array>>;
export async function run(
  args: Args,
  options: RunOptions = {},
): Promise<CompletedProcess<string | Uint8Array>> {
  const o = splitRunOptions(options, "run");
  const p = prepare(args, o.popen);
  if (o.input !== null) {
    p.spawn.stdin = encodeInput(o.input, p.encoding ?? "utf-8");
  }
  let r: OutputResult;
  try {
    r = await output(p.argv, { ...p.spawn, timeoutMs: o.timeoutMs });
  } catch (err) {
    p.untake();
    throw err;
  }
  return _finish(
    args,
    r,
    r.stdout,
    r.stderr,
    o.timeout,
    o.check,
    p.encoding,
    p.errors,
  );
}

/**
 * The blocking twin of {@linkcode run}: same options, same result and errors,
 * but the calling thread waits (for scripts and worker code). Timeouts are
 * honoured on both runtimes. An open file given as stdin is read whole first,
 * and files given as stdout/stderr are written when the child is done;
 * `stdin: PIPE` gives the child an empty stdin, since nothing can write to it
 * while this thread blocks.
 *
 * @param args the program and its arguments, or a shell command string with `shell`
 * @param options {@linkcode RunOptions}
 * @returns the finished process
 * @throws {CalledProcessError} with `check`, when the exit status is not zero.
 * @throws {TimeoutExpired} the timeout expired; the child was killed and reaped.
 * @throws {FileNotFoundError} the program or `cwd` does not exist.
 * @throws {ValueError} conflicting options or a negative timeout.
 *
 * @example
 * ```ts
 * import { runSync } from "@pyconc/pyconc/subprocess";
 * const cp = runSync(["echo", "hi"], { captureOutput: true, text: true });
 * console.assert(cp.stdout === "hi\n");
 * ```
 */
export function runSync(
  args: Args,
  options: RunOptions & TextOptions,
): CompletedProcess<string>;
/** Bytes mode: outputs are `Uint8Array`s. */
export function runSync(
  args: Args,
  options?: RunOptions & BytesOptions,
): CompletedProcess<Uint8Array>;
/** Mode decided at run time. */
export function runSync(
  args: Args,
  options?: RunOptions,
): CompletedProcess<string | Uint8Array>;
export function runSync(
  args: Args,
  options: RunOptions = {},
): CompletedProcess<string | Uint8Array> {
  const o = splitRunOptions(options, "runSync");
  const p = prepareSync(args, o.popen, o.input);
  const { r, stdout, stderr } = runPreparedSync(p, o.timeoutMs);
  return _finish(
    args,
    r,
    stdout,
    stderr,
    o.timeout,
    o.check,
    p.encoding,
    p.errors,
  );
}
