/**
 * The start method of child processes: {@linkcode getStartMethod},
 * {@linkcode setStartMethod} and {@linkcode getAllStartMethods}. The only
 * method is `"spawn"`, since JavaScript runtimes cannot fork.
 *
 * @module
 */
import { ValueError } from "../_internal/core/errors.ts";

/** The only start method: a child is a fresh copy of the runtime, as Python's "spawn". */
export type StartMethod = "spawn";

/**
 * The start method of child processes: always `"spawn"`, since a child is
 * a new copy of the runtime that receives the target's source (or module)
 * and its arguments; JavaScript runtimes cannot fork.
 *
 * @param _allowNone Python's `allow_none`; the method is always set.
 * @returns `"spawn"`.
 * @example
 * ```ts
 * import { getStartMethod } from "@pyconc/pyconc/multiprocessing";
 * console.assert(getStartMethod() === "spawn");
 * ```
 */
export function getStartMethod(_allowNone = false): StartMethod {
  return "spawn";
}

/**
 * The start methods this platform supports: `["spawn"]`.
 *
 * @returns The list of methods.
 * @example
 * ```ts
 * import { getAllStartMethods } from "@pyconc/pyconc/multiprocessing";
 * console.assert(getAllStartMethods()[0] === "spawn");
 * ```
 */
export function getAllStartMethods(): StartMethod[] {
  return ["spawn"];
}

/**
 * @internal Accepts `"spawn"` or no method.
 *
 * @throws {ValueError} any other method ("cannot find context for 'fork'").
 */
export function _checkStartMethod(method: string | null | undefined): void {
  if (method == null || method === "spawn") return;
  throw new ValueError(`cannot find context for '${method}'`);
}

/**
 * Sets the start method; only `"spawn"` exists here.
 *
 * @param method The start method.
 * @param _options Python's `force`.
 * @throws {ValueError} any other method ("cannot find context for 'fork'").
 * @example
 * ```ts
 * import { setStartMethod } from "@pyconc/pyconc/multiprocessing";
 * setStartMethod("spawn");
 * ```
 */
export function setStartMethod(
  method: string,
  _options?: { force?: boolean },
): void {
  _checkStartMethod(method);
}
