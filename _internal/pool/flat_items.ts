/**
 * The flat form of a map chunk (`TaskFlag.Items` in `protocol.ts`) on
 * both sides of a pool: a list whose values are all numbers travels as one
 * `Float64Array`, which both runtimes clone as a block of bytes (Bun's
 * `node:v8` serializer writes a plain array of 12,500 numbers about 200x
 * slower than the same numbers in a `Float64Array`). The packing is exact:
 * every JavaScript number, `-0` and `NaN` included, is a float64.
 *
 * @module
 */

/** Lists shorter than this travel as they are (packing buys nothing there). */
const _MIN_PACK = 8;

/** A `Float64Array` of `values` when every one is a number (and there are enough), else null. */
export function packNumbers(values: ArrayLike<unknown>): Float64Array | null {
  const n = values.length;
  if (n < _MIN_PACK || typeof values[0] !== "number") return null;
  // One pass: copy while checking (a list that is not all numbers usually
  // shows it at its first value, before anything is copied).
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (typeof v !== "number") return null;
    out[i] = v;
  }
  return out;
}

/**
 * Whether no value of `values` is an object or a function, so none can
 * hold a shareable object or a `move()` mark (the walks that look for them
 * can be skipped).
 */
export function allPrimitive(values: ArrayLike<unknown>): boolean {
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (
      (typeof v === "object" && v !== null) || typeof v === "function" ||
      typeof v === "symbol" // for the codec's walk to name it (DataCloneError)
    ) {
      return false;
    }
  }
  return true;
}
