/**
 * {@linkcode getContext}: Python's `get_context(method)`, which returns an
 * object carrying the whole module API. The object is built here from
 * `_namespace.ts` (every export of the module but this function) plus
 * `getContext` itself, so no file imports `mod.ts`.
 *
 * @module
 */
import * as _api from "./_namespace.ts";
import { _checkStartMethod } from "./start_method.ts";

/** What every call returns: the module's API, as Python's one context. */
const _context = Object.freeze({ ..._api, getContext });

/**
 * A context object, as Python's `get_context(method)`: the module's whole
 * API for the only method, `"spawn"`, so `ctx.Process`, `ctx.Queue`,
 * `ctx.Pool`... are this module's.
 *
 * @param method `"spawn"` or omitted.
 * @returns The module's API.
 * @throws {ValueError} any other method.
 * @example
 * ```ts
 * import { getContext } from "@pyconc/pyconc/multiprocessing";
 * const ctx = getContext("spawn");
 * console.assert(ctx.getStartMethod() === "spawn");
 * ```
 */
export function getContext(
  method?: string | null,
): typeof _api & { getContext: typeof getContext } {
  _checkStartMethod(method);
  return _context;
}
