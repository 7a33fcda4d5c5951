/**
 * Encoding arguments for a child process: like `codec.ts`'s `encode`, but
 * only multiprocessing's shared objects may travel as live handles (they
 * are served over a socket); the threading and queue modules' objects live
 * in one process's memory and cannot, so they are a `TypeError` here.
 *
 * @module
 */
import {
  encode,
  type Encoded,
  type EncodeOptions,
  SHARE,
} from "../share/codec.ts";

/** Marks a class whose handles work in any process (set on its prototype). */
export const PROCESS_SHAREABLE: unique symbol = Symbol.for(
  "pyconc.processShareable",
);

function _isPlain(v: object): boolean {
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

function _find(
  v: object,
  skip: ((obj: object) => boolean) | null,
  seen: Set<object> | null,
): object | null {
  if (typeof (v as { [SHARE]?: unknown })[SHARE] === "function") {
    return skip?.(v) ? null : v;
  }
  const isArray = Array.isArray(v);
  if (!isArray && !(v instanceof Map) && !(v instanceof Set) && !_isPlain(v)) {
    return null;
  }
  seen ??= new Set();
  if (seen.has(v)) return null;
  seen.add(v);
  let found: object | null = null;
  const look = (x: unknown) =>
    typeof x === "object" && x !== null &&
    (found = _find(x, skip, seen)) !== null;
  if (isArray || v instanceof Set) {
    for (const x of v as Iterable<unknown>) if (look(x)) return found;
  } else if (v instanceof Map) {
    for (const [k, x] of v) if (look(k) || look(x)) return found;
  } else {
    for (const k in v) {
      if (look((v as Record<string, unknown>)[k])) return found;
    }
  }
  return null;
}

/**
 * The first shareable object (one with a `[SHARE]` method) in `value`,
 * looking through arrays, Maps (keys and values), Sets and plain objects at
 * any depth, but not inside shareable objects or other class instances;
 * those for which `skip` returns true are passed over. `null` when none.
 */
export function findShareable(
  value: unknown,
  skip: ((obj: object) => boolean) | null = null,
): object | null {
  if (typeof value !== "object" || value === null) return null;
  return _find(value, skip, null);
}

const _processShareable = (obj: object) =>
  Boolean((obj as { [PROCESS_SHAREABLE]?: boolean })[PROCESS_SHAREABLE]);

function _check(value: unknown, what: string): void {
  const bad = findShareable(value, _processShareable);
  if (bad === null) return;
  const name = bad.constructor?.name ?? "object";
  throw new TypeError(
    `${what} hold a ${name} of the threading or queue module, which lives in one process's memory and cannot be passed to a child process; use multiprocessing's ${name} instead`,
  );
}

/** Arguments on their way to a child process, for the codec's messages. */
export const TO_PROCESS: EncodeOptions = {
  root: "args",
  to: "another process",
};

/**
 * Checks that every shareable object in `value` can reach a child process,
 * then encodes it (`options` name it in the codec's messages).
 *
 * @throws {TypeError} a shareable object of the threading or queue module.
 * @throws {DataCloneError} a value that cannot be cloned (a function, a symbol...).
 */
export function encodeForProcess(
  value: unknown,
  what = "arguments",
  options: EncodeOptions = TO_PROCESS,
): Encoded {
  _check(value, what);
  return encode(value, options);
}

/** The check alone, for callers that encode later (pool tasks). */
export function checkForProcess(value: unknown, what = "arguments"): void {
  _check(value, what);
}
