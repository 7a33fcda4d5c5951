// The typecodes of Value and Array (Python's `array` module's, as ctypes
// types): their typed arrays and how a JavaScript value is checked and
// stored. 64-bit integers are stored exactly and read back as numbers.
import { ValueError } from "../core/errors.ts";

/** A typecode of Python's `array` module. */
export type Typecode =
  | "b"
  | "B"
  | "h"
  | "H"
  | "i"
  | "I"
  | "l"
  | "L"
  | "q"
  | "Q"
  | "f"
  | "d";

type _TypedCtor =
  | Int8ArrayConstructor
  | Uint8ArrayConstructor
  | Int16ArrayConstructor
  | Uint16ArrayConstructor
  | Int32ArrayConstructor
  | Uint32ArrayConstructor
  | BigInt64ArrayConstructor
  | BigUint64ArrayConstructor
  | Float32ArrayConstructor
  | Float64ArrayConstructor;

const _ctors: Record<Typecode, _TypedCtor> = {
  b: Int8Array,
  B: Uint8Array,
  h: Int16Array,
  H: Uint16Array,
  i: Int32Array,
  I: Uint32Array,
  l: BigInt64Array,
  L: BigUint64Array,
  q: BigInt64Array,
  Q: BigUint64Array,
  f: Float32Array,
  d: Float64Array,
};

/** A typed array of one of the typecodes. */
export type NumArray =
  | Int8Array
  | Uint8Array
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | BigInt64Array
  | BigUint64Array
  | Float32Array
  | Float64Array;

/** The typed array class of a typecode. */
export function typedArrayOf(typecode: string): _TypedCtor {
  const ctor = _ctors[typecode as Typecode];
  if (!ctor) {
    throw new ValueError(
      `bad typecode (must be b, B, h, H, i, I, l, L, q, Q, f or d), got ${
        JSON.stringify(typecode)
      }`,
    );
  }
  return ctor;
}

/** Whether the typecode holds 64-bit integers (stored as bigint). */
export function isBig(typecode: string): boolean {
  return "lLqQ".includes(typecode);
}

/** Checks `v` for `typecode` and returns the form stored. */
export function toStored(typecode: string, v: unknown): number | bigint {
  const float = typecode === "f" || typecode === "d";
  if (typeof v === "bigint") {
    if (float) return Number(v);
    return isBig(typecode) ? v : Number(BigInt.asIntN(64, v));
  }
  if (typeof v === "boolean") v = v ? 1 : 0;
  if (typeof v !== "number") {
    throw new TypeError(
      `${float ? "must be real number" : "an integer is required"}, not ${
        v === null ? "null" : typeof v
      }`,
    );
  }
  if (!float && !Number.isInteger(v)) {
    throw new TypeError("int expected instead of float");
  }
  return isBig(typecode) ? BigInt(v) : v;
}

/** The value as read by the user: numbers, even for 64-bit typecodes. */
export function fromStored(v: unknown): number {
  return typeof v === "bigint" ? Number(v) : v as number;
}
