/**
 * {@linkcode getstatusoutput} and {@linkcode getstatusoutputSync}: run a shell
 * command and get its status and combined output.
 *
 * @module
 */
import { STDOUT } from "./constants.ts";
import { CalledProcessError } from "./errors.ts";
import { checkOutput, checkOutputSync } from "./check_output.ts";

/** Options of {@linkcode getstatusoutput} and {@linkcode getoutput}. */
export interface GetoutputOptions {
  /** Output encoding; UTF-8 by default. */
  encoding?: string;
  /** How undecodable output is handled: `"strict"` (default) or `"replace"`. */
  errors?: "strict" | "replace";
}

function _trim(data: string): string {
  return data.endsWith("\n") ? data.slice(0, -1) : data;
}

/**
 * Runs `cmd` with `/bin/sh -c`, stderr merged into stdout, and resolves to
 * `[status, output]` with one trailing newline removed. `status` is the
 * returncode (-N for signal N). Python's `subprocess.getstatusoutput`.
 *
 * @param cmd a shell command
 * @param options {@linkcode GetoutputOptions}
 * @returns `[status, output]`
 *
 * @example
 * ```ts
 * import { getstatusoutput } from "@pyconc/pyconc/subprocess";
 * const [status, output] = await getstatusoutput("echo out; echo err >&2; exit 3");
 * console.assert(status === 3 && output === "out\nerr");
 * ```
 */
export async function getstatusoutput(
  cmd: string,
  options: GetoutputOptions = {},
): Promise<[number, string]> {
  try {
    const data = await checkOutput(cmd, {
      shell: true,
      text: true,
      stderr: STDOUT,
      encoding: options.encoding,
      errors: options.errors,
    });
    return [0, _trim(data as string)];
  } catch (err) {
    if (!(err instanceof CalledProcessError)) throw err;
    return [err.returncode, _trim(err.output as string)];
  }
}

/**
 * The blocking twin of {@linkcode getstatusoutput}.
 *
 * @param cmd a shell command
 * @param options {@linkcode GetoutputOptions}
 * @returns `[status, output]`
 *
 * @example
 * ```ts
 * import { getstatusoutputSync } from "@pyconc/pyconc/subprocess";
 * const [status, output] = getstatusoutputSync("echo hi");
 * console.assert(status === 0 && output === "hi");
 * ```
 */
export function getstatusoutputSync(
  cmd: string,
  options: GetoutputOptions = {},
): [number, string] {
  try {
    const data = checkOutputSync(cmd, {
      shell: true,
      text: true,
      stderr: STDOUT,
      encoding: options.encoding,
      errors: options.errors,
    });
    return [0, _trim(data as string)];
  } catch (err) {
    if (!(err instanceof CalledProcessError)) throw err;
    return [err.returncode, _trim(err.output as string)];
  }
}
