/**
 * Encoding arguments for a child process: like `codec.ts`'s `encode`, but
 * only multiprocessing's shared objects may travel as live handles (they
 * are served over a socket); the threading and queue modules' objects live
 * in one process's memory and cannot, so they are a `TypeError` here.
 *
 * @module
 */
import { encode, type Encoded, SHARE } from "./codec.ts";

/** Marks a class whose handles work in any process (set on its prototype). */
export const PROCESS_SHAREABLE: unique symbol = Symbol.for(
  "pyconc.processShareable",
);

function _check(value: unknown, seen: Set<object>, what: string): void {
  if (typeof value !== "object" || value === null) return;
  if (seen.has(value)) return;
  seen.add(value);
  if (typeof (value as { [SHARE]?: unknown })[SHARE] === "function") {
    if ((value as { [PROCESS_SHAREABLE]?: boolean })[PROCESS_SHAREABLE]) {
      return;
    }
    const name = (value as object).constructor?.name ?? "object";
    throw new TypeError(
      `${what} hold a ${name} of the threading or queue module, which lives in one process's memory and cannot be passed to a child process; use multiprocessing's ${name} instead`,
    );
  }
  if (Array.isArray(value)) {
    for (const v of value) _check(v, seen, what);
  } else if (value instanceof Map) {
    for (const [k, v] of value) {
      _check(k, seen, what);
      _check(v, seen, what);
    }
  } else if (value instanceof Set) {
    for (const v of value) _check(v, seen, what);
  } else {
    const proto = Object.getPrototypeOf(value);
    if (proto === Object.prototype || proto === null) {
      for (const k in value) {
        _check((value as Record<string, unknown>)[k], seen, what);
      }
    }
  }
}

/**
 * Checks that every shareable object in `value` can reach a child process,
 * then encodes it.
 *
 * @throws {TypeError} a shareable object of the threading or queue module.
 */
export function encodeForProcess(value: unknown, what = "arguments"): Encoded {
  _check(value, new Set(), what);
  return encode(value);
}

/** The check alone, for callers that encode later (pool tasks). */
export function checkForProcess(value: unknown, what = "arguments"): void {
  _check(value, new Set(), what);
}
