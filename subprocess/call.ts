/**
 * {@linkcode call} and {@linkcode checkCall} (and their Sync twins): run a
 * command and get its exit status.
 *
 * @module
 */
import { output } from "../_internal/spawn/output.ts";
import { timeoutToMs } from "../_internal/core/time.ts";
import { CalledProcessError, TimeoutExpired } from "./errors.ts";
import {
  type Args,
  checkKeys,
  type PopenOptions,
  prepare,
  prepareSync,
} from "./_options.ts";
import { runPreparedSync } from "./_run.ts";

/** Options of {@linkcode call} and {@linkcode checkCall}: {@linkcode PopenOptions} plus a timeout. */
export interface CallOptions extends PopenOptions {
  /**
   * Seconds to wait; then the child (with `startNewSession`, its process
   * group) is killed, reaped, and {@linkcode TimeoutExpired} thrown.
   */
  timeout?: number | null;
}

/**
 * Runs a command, waits for it, and resolves to its returncode (-N for a
 * child killed by signal N). Python's `subprocess.call`.
 *
 * @param args the program and its arguments, or a shell command string with `shell`
 * @param options {@linkcode CallOptions}
 * @returns the returncode
 * @throws {TimeoutExpired} the timeout expired; the child was killed and reaped.
 * @throws {FileNotFoundError} the program or `cwd` does not exist.
 *
 * @example
 * ```ts
 * import { call } from "@pyconc/pyconc/subprocess";
 * console.assert((await call(["sh", "-c", "exit 2"])) === 2);
 * ```
 */
export async function call(
  args: Args,
  options: CallOptions = {},
): Promise<number> {
  checkKeys(options, ["timeout"], "call");
  const { timeout, ...popen } = options;
  const timeoutMs = timeoutToMs(timeout);
  const p = prepare(args, popen);
  const r = await output(p.argv, { ...p.spawn, timeoutMs });
  if (r.timedOut) throw new TimeoutExpired(args, timeout!);
  return r.status.returncode;
}

/**
 * The blocking twin of {@linkcode call}.
 *
 * @param args the program and its arguments, or a shell command string with `shell`
 * @param options {@linkcode CallOptions}
 * @returns the returncode
 * @throws {TimeoutExpired} the timeout expired; the child was killed and reaped.
 * @throws {FileNotFoundError} the program or `cwd` does not exist.
 *
 * @example
 * ```ts
 * import { callSync } from "@pyconc/pyconc/subprocess";
 * console.assert(callSync(["true"]) === 0);
 * ```
 */
export function callSync(args: Args, options: CallOptions = {}): number {
  checkKeys(options, ["timeout"], "callSync");
  const { timeout, ...popen } = options;
  const timeoutMs = timeoutToMs(timeout);
  const { r } = runPreparedSync(prepareSync(args, popen, null), timeoutMs);
  if (r.timedOut) throw new TimeoutExpired(args, timeout!);
  return r.status.returncode;
}

/**
 * Like {@linkcode call}, but a non-zero exit status is an error; resolves to
 * 0. Python's `subprocess.check_call`.
 *
 * @param args the program and its arguments, or a shell command string with `shell`
 * @param options {@linkcode CallOptions}
 * @returns 0
 * @throws {CalledProcessError} the exit status was not zero.
 * @throws {TimeoutExpired} the timeout expired; the child was killed and reaped.
 * @throws {FileNotFoundError} the program or `cwd` does not exist.
 *
 * @example
 * ```ts
 * import { CalledProcessError, checkCall } from "@pyconc/pyconc/subprocess";
 * await checkCall(["true"]);
 * try {
 *   await checkCall(["false"]);
 * } catch (err) {
 *   if (!(err instanceof CalledProcessError)) throw err;
 *   console.assert(err.message === "Command '['false']' returned non-zero exit status 1.");
 * }
 * ```
 */
export async function checkCall(
  args: Args,
  options: CallOptions = {},
): Promise<0> {
  const rc = await call(args, options);
  if (rc) throw new CalledProcessError(rc, args);
  return 0;
}

/**
 * The blocking twin of {@linkcode checkCall}.
 *
 * @param args the program and its arguments, or a shell command string with `shell`
 * @param options {@linkcode CallOptions}
 * @returns 0
 * @throws {CalledProcessError} the exit status was not zero.
 * @throws {TimeoutExpired} the timeout expired; the child was killed and reaped.
 *
 * @example
 * ```ts
 * import { checkCallSync } from "@pyconc/pyconc/subprocess";
 * console.assert(checkCallSync(["true"]) === 0);
 * ```
 */
export function checkCallSync(args: Args, options: CallOptions = {}): 0 {
  const rc = callSync(args, options);
  if (rc) throw new CalledProcessError(rc, args);
  return 0;
}
