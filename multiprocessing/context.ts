// getContext, getStartMethod, setStartMethod, getAllStartMethods.
import { ValueError } from "../_internal/core/errors.ts";
// The module imports this file too; the namespace is complete by the time
// getContext runs.
import * as _module from "./mod.ts";

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

function _check(method: string | null | undefined): void {
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
  _check(method);
}

/**
 * A context object, as Python's `get_context(method)`: the module itself
 * for the only method, `"spawn"`, so `ctx.Process`, `ctx.Queue`,
 * `ctx.Pool`... are this module's.
 *
 * @param method `"spawn"` or omitted.
 * @returns The module namespace.
 * @throws {ValueError} any other method.
 * @example
 * ```ts
 * import { getContext } from "@pyconc/pyconc/multiprocessing";
 * const ctx = getContext("spawn");
 * console.assert(ctx.getStartMethod() === "spawn");
 * ```
 */
export function getContext(method?: string | null): typeof _module {
  _check(method);
  return _module;
}
