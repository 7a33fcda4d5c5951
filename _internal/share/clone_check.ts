/**
 * Values structured clone cannot carry (functions, symbols, Promises, weak
 * references), and the `DataCloneError` that says where one is
 * (`args[1].callbacks[0]`) and why. The walks that already visit a value
 * (the codec's, the queue encoder's) throw {@linkcode Uncloneable} when they
 * meet one; only then is the value walked again, by
 * {@linkcode findUncloneable}, to build the path.
 *
 * @module
 */
import { DataCloneError } from "../core/errors.ts";

/** Thrown inside a walk at a value that cannot be cloned; never escapes the codec. */
export class Uncloneable {
  /** The value that cannot be cloned. */
  readonly value: unknown;
  /** Marks `value`. */
  constructor(value: unknown) {
    this.value = value;
  }
}

/** `Symbol.for("pyconc.share")`, as `codec.ts`'s `SHARE` (this file sits below it). */
const _SHARE = Symbol.for("pyconc.share");

/** Whether `v` is an object structured clone refuses that a walk can recognize. */
export function isUncloneableObject(v: object): boolean {
  return v instanceof Promise || v instanceof WeakMap ||
    v instanceof WeakSet || v instanceof WeakRef;
}

function _prop(key: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(key)
    ? `.${key}`
    : `[${JSON.stringify(key)}]`;
}

/**
 * The path, from `root`, of the first value in `value` that cannot be
 * cloned, and that value; `null` when there is none. Looks where the codec
 * looks: arrays, plain objects, Maps, Sets, class instances' own fields,
 * errors' own fields and cause; not inside shareable objects, binary data
 * or Dates.
 */
export function findUncloneable(
  value: unknown,
  root: string,
): [path: string, bad: unknown] | null {
  const seen = new Set<object>();
  const walk = (v: unknown, path: string): [string, unknown] | null => {
    if (typeof v === "function" || typeof v === "symbol") return [path, v];
    if (typeof v !== "object" || v === null || seen.has(v)) return null;
    seen.add(v);
    if (typeof (v as { [_SHARE]?: unknown })[_SHARE] === "function") {
      return null;
    }
    let found: [string, unknown] | null = null;
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length && !found; i++) {
        found = walk(v[i], `${path}[${i}]`);
      }
      return found;
    }
    if (v instanceof Map) {
      let i = 0;
      for (const [k, x] of v) {
        found = walk(k, `[...${path}.keys()][${i}]`) ??
          walk(
            x,
            typeof k === "string" || typeof k === "number"
              ? `${path}.get(${JSON.stringify(k)})`
              : `[...${path}.values()][${i}]`,
          );
        if (found) return found;
        i++;
      }
      return null;
    }
    if (v instanceof Set) {
      let i = 0;
      for (const x of v) {
        if ((found = walk(x, `[...${path}][${i++}]`))) return found;
      }
      return null;
    }
    if (
      ArrayBuffer.isView(v) || v instanceof ArrayBuffer || v instanceof Date
    ) return null;
    if (isUncloneableObject(v)) return [path, v];
    const rec = v as Record<string, unknown>;
    for (const k of Object.keys(rec)) {
      if ((found = walk(rec[k], path + _prop(k)))) return found;
    }
    if (v instanceof Error && "cause" in v) {
      return walk(v.cause, `${path}.cause`);
    }
    return null;
  };
  return walk(value, root);
}

function _label(bad: unknown): string {
  // Not the function's source: each runtime's transpiler writes it its own way.
  if (typeof bad === "function") {
    return bad.name ? `function ${bad.name}` : "anonymous function";
  }
  if (typeof bad === "symbol") return String(bad);
  return (bad as object)?.constructor?.name ?? "object";
}

function _why(bad: unknown, root: string, to: string): string {
  const sent = `cannot be sent to ${to}`;
  if (typeof bad === "function") {
    return `a function ${sent}; ${
      root === "result" || root === "item" || root === "message"
        ? "send the data it needs instead"
        : "pass a { module, name } target or the data it needs"
    }`;
  }
  if (typeof bad === "symbol") return `a symbol ${sent}; send a string instead`;
  if (bad instanceof Promise) {
    return `a Promise ${sent}; await it and send its value`;
  }
  if (bad instanceof WeakMap) return `a WeakMap ${sent}; send a Map instead`;
  if (bad instanceof WeakSet) return `a WeakSet ${sent}; send a Set instead`;
  if (bad instanceof WeakRef) {
    return `a WeakRef ${sent}; send the object it refers to`;
  }
  return `it ${sent}`;
}

/**
 * The error for an uncloneable value `bad` found in `value`: a
 * {@linkcode DataCloneError} whose message gives the path from `root`
 * ("args", "result", "item"...), what the value is and why it cannot go
 * `to` ("another thread", "another process"...).
 */
export function cloneError(
  value: unknown,
  bad: unknown,
  root: string,
  to: string,
): DataCloneError {
  const found = findUncloneable(value, root);
  const [path, what] = found ?? [root, bad];
  return new DataCloneError(
    `${path} (${_label(what)}) could not be cloned: ${_why(what, root, to)}`,
  );
}
