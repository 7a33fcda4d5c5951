/**
 * {@linkcode checkOutput} and {@linkcode checkOutputSync}: run a command and
 * return its output, failing on a non-zero exit status.
 *
 * @module
 */
import { ValueError } from "../_internal/core/errors.ts";
import { PIPE } from "./constants.ts";
import type { BytesOptions, TextOptions } from "./_options.ts";
import type { Args } from "./_options.ts";
import { run, type RunOptions, runSync } from "./run.ts";

/** Options of {@linkcode checkOutput}: those of {@linkcode run} without `stdout`, `check` and `captureOutput`. */
export type CheckOutputOptions = Omit<
  RunOptions,
  "stdout" | "check" | "captureOutput"
>;

function _options(options: CheckOutputOptions): RunOptions {
  if ("stdout" in options) {
    throw new ValueError("stdout argument not allowed, it will be overridden.");
  }
  if ("check" in options) {
    throw new TypeError(
      "checkOutput() got multiple values for keyword argument 'check'",
    );
  }
  return { ...options, stdout: PIPE, check: true };
}

/**
 * Runs a command and resolves to its stdout; a non-zero exit status is a
 * {@linkcode CalledProcessError} carrying the output. Python's
 * `subprocess.check_output`. Use `stderr: STDOUT` to capture stderr too.
 *
 * @param args the program and its arguments, or a shell command string with `shell`
 * @param options {@linkcode CheckOutputOptions}
 * @returns the child's stdout (a string in text mode)
 * @throws {CalledProcessError} the exit status was not zero.
 * @throws {TimeoutExpired} the timeout expired; the child was killed and reaped.
 * @throws {FileNotFoundError} the program or `cwd` does not exist.
 * @throws {ValueError} a `stdout` option was given.
 *
 * @example
 * ```ts
 * import { checkOutput } from "@pyconc/pyconc/subprocess";
 * console.assert((await checkOutput(["echo", "hi"], { text: true })) === "hi\n");
 * const bytes = await checkOutput(["echo", "hi"]);
 * console.assert(bytes instanceof Uint8Array && bytes.length === 3);
 * ```
 */
export function checkOutput(
  args: Args,
  options: CheckOutputOptions & TextOptions,
): Promise<string>;
/** Bytes mode: resolves to a `Uint8Array`. */
export function checkOutput(
  args: Args,
  options?: CheckOutputOptions & BytesOptions,
): Promise<Uint8Array>;
/** Mode decided at run time. */
export function checkOutput(
  args: Args,
  options?: CheckOutputOptions,
): Promise<string | Uint8Array>;
export async function checkOutput(
  args: Args,
  options: CheckOutputOptions = {},
): Promise<string | Uint8Array> {
  return (await run(args, _options(options))).stdout!;
}

/**
 * The blocking twin of {@linkcode checkOutput}.
 *
 * @param args the program and its arguments, or a shell command string with `shell`
 * @param options {@linkcode CheckOutputOptions}
 * @returns the child's stdout (a string in text mode)
 * @throws {CalledProcessError} the exit status was not zero.
 * @throws {TimeoutExpired} the timeout expired; the child was killed and reaped.
 *
 * @example
 * ```ts
 * import { checkOutputSync } from "@pyconc/pyconc/subprocess";
 * console.assert(checkOutputSync(["echo", "hi"], { text: true }) === "hi\n");
 * ```
 */
export function checkOutputSync(
  args: Args,
  options: CheckOutputOptions & TextOptions,
): string;
/** Bytes mode: returns a `Uint8Array`. */
export function checkOutputSync(
  args: Args,
  options?: CheckOutputOptions & BytesOptions,
): Uint8Array;
/** Mode decided at run time. */
export function checkOutputSync(
  args: Args,
  options?: CheckOutputOptions,
): string | Uint8Array;
export function checkOutputSync(
  args: Args,
  options: CheckOutputOptions = {},
): string | Uint8Array {
  return runSync(args, _options(options)).stdout!;
}
