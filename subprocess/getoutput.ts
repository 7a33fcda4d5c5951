/**
 * {@linkcode getoutput} and {@linkcode getoutputSync}: run a shell command and
 * get its combined output.
 *
 * @module
 */
import {
  type GetoutputOptions,
  getstatusoutput,
  getstatusoutputSync,
} from "./getstatusoutput.ts";

/**
 * Runs `cmd` with `/bin/sh -c`, stderr merged into stdout, and resolves to
 * the output with one trailing newline removed, whatever the exit status.
 * Python's `subprocess.getoutput`.
 *
 * @param cmd a shell command
 * @param options {@linkcode GetoutputOptions}
 * @returns the output
 *
 * @example
 * ```ts
 * import { getoutput } from "@pyconc/pyconc/subprocess";
 * console.assert((await getoutput("echo hi; exit 1")) === "hi");
 * ```
 */
export async function getoutput(
  cmd: string,
  options: GetoutputOptions = {},
): Promise<string> {
  return (await getstatusoutput(cmd, options))[1];
}

/**
 * The blocking twin of {@linkcode getoutput}.
 *
 * @param cmd a shell command
 * @param options {@linkcode GetoutputOptions}
 * @returns the output
 *
 * @example
 * ```ts
 * import { getoutputSync } from "@pyconc/pyconc/subprocess";
 * console.assert(getoutputSync("echo hi") === "hi");
 * ```
 */
export function getoutputSync(
  cmd: string,
  options: GetoutputOptions = {},
): string {
  return getstatusoutputSync(cmd, options)[1];
}
