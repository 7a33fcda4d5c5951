/**
 * The bytes of one `Connection` message in a shared-memory ring
 * (`shm_pipe.ts`): numbers, short strings, booleans, `null` and
 * `undefined` in a form of their own, since `node:v8`'s serializer costs
 * microseconds per call on Deno; anything else as `node:v8` serialize
 * output, and `sendBytes` data as it is.
 *
 * @module
 */
import { deserialize, serialize } from "node:v8";
import { KIND_BYTES, KIND_VALUE } from "../shm/pipe.ts";

/** A float64, little-endian. */
export const KIND_NUMBER = 2;
/** A string as its UTF-16 code units, little-endian (lone surrogates kept). */
export const KIND_STRING = 3;
/** One byte: the index of the value in `_CONSTS`. */
export const KIND_CONST = 4;

const _CONSTS = [undefined, null, false, true] as const;
/** Longer strings go through `node:v8`, whose copy is then the cost. */
const _SHORT = 512;

/** The kind and bytes of message value `v` (after `encodeItem`). */
export function packMessage(v: unknown): { kind: number; bytes: Uint8Array } {
  switch (typeof v) {
    case "number": {
      const bytes = new Uint8Array(8);
      new DataView(bytes.buffer).setFloat64(0, v, true);
      return { kind: KIND_NUMBER, bytes };
    }
    case "string":
      if (v.length <= _SHORT) {
        const u16 = new Uint16Array(v.length);
        for (let i = 0; i < v.length; i++) u16[i] = v.charCodeAt(i);
        return { kind: KIND_STRING, bytes: new Uint8Array(u16.buffer) };
      }
      break;
    case "boolean":
    case "undefined":
      return { kind: KIND_CONST, bytes: Uint8Array.of(_CONSTS.indexOf(v)) };
    case "object":
      if (v === null) return { kind: KIND_CONST, bytes: Uint8Array.of(1) };
  }
  const b = serialize(v);
  return {
    kind: KIND_VALUE,
    bytes: new Uint8Array(b.buffer, b.byteOffset, b.byteLength),
  };
}

/** The value of a message of `kind` (`sendBytes` data comes back as bytes). */
export function unpackMessage(kind: number, bytes: Uint8Array): unknown {
  switch (kind) {
    case KIND_BYTES:
      return bytes;
    case KIND_NUMBER:
      return new DataView(bytes.buffer, bytes.byteOffset, 8).getFloat64(
        0,
        true,
      );
    case KIND_STRING: {
      const own = bytes.byteOffset % 2 === 0 ? bytes : bytes.slice();
      const u16 = new Uint16Array(own.buffer, own.byteOffset, own.length >> 1);
      return String.fromCharCode.apply(null, u16 as unknown as number[]);
    }
    case KIND_CONST:
      return _CONSTS[bytes[0]];
    default:
      return deserialize(bytes);
  }
}

/** The bytes `recvBytes` gives for a message: as sent, or `node:v8` serialize output for a value. */
export function messageBytes(kind: number, bytes: Uint8Array): Uint8Array {
  if (kind === KIND_BYTES || kind === KIND_VALUE) return bytes;
  const b = serialize(unpackMessage(kind, bytes));
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}
