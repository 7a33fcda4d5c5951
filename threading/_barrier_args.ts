/**
 * The arguments of a Barrier (threading's and multiprocessing's), Python's
 * `Barrier(parties, action=None, timeout=None)`: positional, or an options
 * object after `parties` or after `action`.
 *
 * @module
 */
import { checkOptions, isOptionsObject } from "../_internal/core/options.ts";
import type { Target } from "../_internal/share/target.ts";

/** Options of a Barrier: Python's `action` and `timeout` keywords. */
export interface BarrierOptions {
  /**
   * Run by one of the parties (the last to arrive) before all are
   * released: a function (no closures when it runs in a worker or another
   * process) or a `{ module, name }` reference.
   */
  action?: Target | null;
  /** The default timeout of every `wait`, in seconds; `null` waits forever. */
  timeout?: number | null;
}

const _KNOWN = ["action", "timeout"] as const;

/**
 * Sorts out `(action, timeout)` as given to a Barrier constructor:
 * `(fn)`, `(fn, 2)`, `(null, 2)`, `({ action, timeout })` or
 * `(fn, { timeout })`. An object with a `module` key is an action reference,
 * any other object the options. The values themselves are checked by the
 * caller.
 *
 * @throws {TypeError} an unknown option, or options given twice.
 */
export function barrierArgs(
  action: Target | BarrierOptions | null | undefined,
  timeout: number | BarrierOptions | null | undefined,
  fn: string,
): BarrierOptions {
  if (isOptionsObject(action) && !("module" in action)) {
    if (timeout !== undefined) {
      throw new TypeError(
        `${fn}() takes action and timeout either as arguments or in one options object`,
      );
    }
    return checkOptions(action as BarrierOptions, _KNOWN, fn);
  }
  if (isOptionsObject(timeout)) {
    const o = checkOptions(timeout as BarrierOptions, ["timeout"], fn);
    return { action: action as Target | null | undefined, timeout: o.timeout };
  }
  return {
    action: action as Target | null | undefined,
    timeout: timeout as number | null | undefined,
  };
}
