/**
 * Python's sequence protocol for the shared `Array` classes (processes and
 * dummy): `arr[i]` and `arr[i] = v` through a Proxy placed in the class's
 * prototype chain, and slice bounds computed as Python's `slice.indices`.
 *
 * Why the prototype and not a Proxy around each instance: a property lookup
 * reaches the prototype chain only when the instance and its class lack the
 * key, so methods, getters and private fields work on the real object at
 * full speed (`getSync`, `setSync`, `toArraySync` never meet the Proxy), the
 * codec sees the real object when it shares it, and `instanceof` (of the
 * class and its bases) is unchanged. Only index keys, which no object owns, reach the traps, which
 * receive the real instance as the receiver.
 *
 * @module
 */
import { ValueError } from "../_internal/core/errors.ts";

/** What index access calls on an instance. */
export interface Indexable {
  getSync(i: number): number;
  setSync(i: number, v: number): void;
}

/**
 * The index named by a property key: a key that is the canonical string of
 * a number ("0", "-1", "1.5"), else `null` for an ordinary property. A
 * non-integer number is passed on, so that the access throws Python's
 * TypeError ("indices must be integers").
 */
function _indexKey(key: string | symbol): number | null {
  if (typeof key !== "string") return null;
  const c = key.charCodeAt(0);
  if ((c < 48 || c > 57) && c !== 45) return null; // not a digit nor "-"
  const n = Number(key);
  return String(n) === key ? n : null;
}

/**
 * Makes `arr[i]` call `getSync(i)` and `arr[i] = v` call `setSync(i, v)`
 * on every instance of `cls`, by putting a Proxy between `cls.prototype` and
 * its parent.
 */
export function installIndexing(cls: { prototype: object }): void {
  const proto = cls.prototype;
  const parent = Object.getPrototypeOf(proto) as object;
  const traps: ProxyHandler<object> = {
    get(target, key, receiver) {
      const i = _indexKey(key);
      if (i === null) return Reflect.get(target, key, receiver);
      return (receiver as Indexable).getSync(i);
    },
    set(target, key, value, receiver) {
      const i = _indexKey(key);
      if (i === null) return Reflect.set(target, key, value, receiver);
      (receiver as Indexable).setSync(i, value);
      return true;
    },
  };
  // The Proxy's target is an empty object over `parent`, not `parent`
  // itself: walking the chain through the Proxy then still meets
  // `parent`, so `instanceof` the base class stays true.
  Object.setPrototypeOf(proto, new Proxy(Object.create(parent), traps));
}

/** A slice resolved against a length: the indexes it names, in order. */
export interface SliceRange {
  /** The first index. */
  start: number;
  /** The step (never 0). */
  step: number;
  /** How many indexes. */
  count: number;
}

function _bound(v: number | null | undefined, what: string): number | null {
  if (v === undefined || v === null) return null;
  if (!Number.isInteger(v)) {
    throw new TypeError(
      `slice ${what} must be an integer, null or undefined, not ${typeof v}`,
    );
  }
  return v;
}

/**
 * Python's `slice(start, stop, step).indices(length)`: missing bounds take
 * the defaults of the step's direction, negative bounds count from the end,
 * and out-of-range bounds are clamped.
 *
 * @throws {ValueError} a step of 0 ("slice step cannot be zero").
 * @throws {TypeError} a bound that is not an integer.
 */
export function sliceRange(
  length: number,
  start?: number | null,
  stop?: number | null,
  step?: number | null,
): SliceRange {
  const st = _bound(step, "step") ?? 1;
  if (st === 0) throw new ValueError("slice step cannot be zero");
  const lo = st < 0 ? -1 : 0;
  const hi = st < 0 ? length - 1 : length;
  const clamp = (v: number | null, dflt: number) => {
    if (v === null) return dflt;
    if (v < 0) return Math.max(v + length, lo);
    return Math.min(v, hi);
  };
  const a = clamp(_bound(start, "start"), st < 0 ? hi : lo);
  const b = clamp(_bound(stop, "stop"), st < 0 ? lo : hi);
  const count = st < 0
    ? (b < a ? Math.floor((a - b - 1) / -st) + 1 : 0)
    : (a < b ? Math.floor((b - a - 1) / st) + 1 : 0);
  return { start: a, step: st, count };
}

/**
 * Checks the values of a slice assignment: as many as the slice names
 * (Python's sharedctypes arrays cannot change size).
 *
 * @throws {ValueError} "Can only assign sequence of same size".
 * @throws {TypeError} `values` is not array-like.
 */
export function checkSliceValues(
  values: ArrayLike<number | bigint>,
  count: number,
): void {
  if (
    values === null || typeof values !== "object" ||
    typeof values.length !== "number"
  ) {
    throw new TypeError("can only assign an array-like of numbers to a slice");
  }
  if (values.length !== count) {
    throw new ValueError("Can only assign sequence of same size");
  }
}
