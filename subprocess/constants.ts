/**
 * Special values for the `stdin`, `stdout` and `stderr` options, with
 * Python's numbers.
 *
 * @module
 */

/**
 * Connects a stdio slot of the child to a new pipe: for `stdin` the parent
 * writes to it, for `stdout`/`stderr` the parent reads it (see
 * {@linkcode Popen.stdout}, {@linkcode Popen.communicate}). Same value as
 * Python's `subprocess.PIPE`.
 *
 * @example Capture a child's output
 * ```ts
 * import { PIPE, run } from "@pyconc/pyconc/subprocess";
 * const r = await run(["echo", "hi"], { stdout: PIPE, text: true });
 * console.assert(r.stdout === "hi\n");
 * ```
 */
export const PIPE: -1 = -1;

/**
 * For `stderr` only: send the child's stderr to the same place as its stdout,
 * interleaved in the order the child wrote it. Same value as Python's
 * `subprocess.STDOUT`.
 *
 * @example Merge stderr into stdout
 * ```ts
 * import { PIPE, run, STDOUT } from "@pyconc/pyconc/subprocess";
 * const r = await run(["sh", "-c", "echo a; echo b >&2"], {
 *   stdout: PIPE,
 *   stderr: STDOUT,
 *   text: true,
 * });
 * console.assert(r.stdout === "a\nb\n");
 * ```
 */
export const STDOUT: -2 = -2;

/**
 * Connects a stdio slot of the child to `/dev/null`. Same value as Python's
 * `subprocess.DEVNULL`.
 *
 * @example Silence a child
 * ```ts
 * import { DEVNULL, run } from "@pyconc/pyconc/subprocess";
 * const r = await run(["ls", "/"], { stdout: DEVNULL });
 * console.assert(r.returncode === 0 && r.stdout === null);
 * ```
 */
export const DEVNULL: -3 = -3;
