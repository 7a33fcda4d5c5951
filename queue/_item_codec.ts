/**
 * How an item becomes a record in shared memory and back: numbers, strings,
 * booleans, null, undefined and bigints are written as they are; arrays,
 * plain objects, Dates and binary data made of those go through the compact
 * encoding of `_tree_codec.ts`; everything else through `node:v8`
 * serialization (structured clone's wire format), after the codec of
 * `_internal/share/codec.ts` has replaced errors and instances of
 * registered classes by markers (a record that holds some says so in its
 * pad word, and its reader rebuilds them).
 *
 * @module
 */
import { Buffer } from "node:buffer";
import { deserialize, serialize } from "node:v8";
import {
  decodeSync,
  encode,
  type EncodeOptions,
  SHARE,
} from "../_internal/share/codec.ts";
import { cloneError } from "../_internal/share/clone_check.ts";
import { HEADER, RecordTag } from "./_layout.ts";
import {
  binaryBytes,
  binaryCode,
  binaryFrom,
  decodeTree,
  encodeTreeScratch,
  treeScratch,
} from "./_tree_codec.ts";
import type { Store } from "./_store.ts";

/**
 * Typed views over memory holding records (a queue's item storage, or a
 * ring's slots): what the functions that read and write records need.
 */
export interface Views {
  u8: Uint8Array;
  u16: Uint16Array;
  i32: Int32Array;
  f64: Float64Array;
  dv: DataView;
  /** The same bytes as `u8`, to read Latin-1 strings with (Bun only). */
  lat: Latin1Reader | null;
}

/** Node's `Buffer#latin1Slice`, which `@types/node` does not declare. */
export interface Latin1Reader {
  latin1Slice(start: number, end: number): string;
}

/**
 * A reader of Latin-1 strings over `bytes` of `buffer` from `offset`, or
 * `null`: on Bun, `Buffer#latin1Slice` builds a short string several times
 * faster than `String.fromCharCode` (20-30 ns flat, against 40-200 ns);
 * on Deno it is slower.
 */
export function latin1Reader(
  buffer: ArrayBufferLike,
  offset: number,
  bytes: number,
): Latin1Reader | null {
  if (!_BUN) return null;
  return Buffer.from(
    buffer as ArrayBuffer,
    offset,
    bytes,
  ) as unknown as Latin1Reader;
}
const _BUN = typeof (globalThis as { Bun?: unknown }).Bun !== "undefined";

/** An item encoded before the lock is taken, and how. */
export interface Prepared {
  /** {@linkcode RecordTag.Tree} or {@linkcode RecordTag.V8}. */
  tag: RecordTag;
  /** Holds the encoded item in its first `length` bytes (a tree encoding may be the scratch buffer: see {@linkcode keepPrepared}). */
  bytes: Uint8Array;
  /** How many bytes of `bytes` the item takes. */
  length: number;
  /**
   * For {@linkcode RecordTag.Bytes}: the binary type (see `binaryCode`);
   * for {@linkcode RecordTag.V8}: {@linkcode V8_MARKED} when the bytes
   * hold the codec's markers.
   */
  code?: number;
}

/** The pad word of a `node:v8` record whose value holds the codec's markers. */
export const V8_MARKED = 1;

/** How the codec treats a queue item. */
const _ITEM: EncodeOptions = {
  root: "item",
  to: "another thread",
  reject:
    "a shared object (lock, queue, event...) cannot be part of a queue item; pass it to the worker as an argument",
};

/** The bytes of a marked `node:v8` record, as {@linkcode readRecord} returns them. */
class _Marked {
  constructor(readonly bytes: Uint8Array) {}
}

/** The item of a `node:v8` record's bytes (from {@linkcode readRecord}). */
function _fromV8(raw: unknown): unknown {
  return raw instanceof _Marked
    ? decodeSync(deserialize(raw.bytes))
    : deserialize(raw as Uint8Array);
}

/**
 * Copies a tree encoding out of the scratch buffer; call it before awaiting
 * anything between preparing an item and writing it.
 */
export function keepPrepared(p: Prepared | undefined): Prepared | undefined {
  // A tree encoding lives in the scratch buffer; a binary item is the
  // caller's memory, which the caller may change before the copy happens.
  return p && p.tag !== RecordTag.V8
    ? { ...p, bytes: p.bytes.slice(0, p.length) }
    : p;
}

/**
 * Encodes an item that the fast path does not cover; called before the
 * queue's lock is taken. Returns `undefined` for fast-path items.
 *
 * @throws {DataCloneError} an item that is or holds a function, a symbol, a Promise or a weak reference (a `TypeError`).
 * @throws {TypeError} a shared object or `SharedArrayBuffer` in the item.
 */
export function prepareItem(item: unknown): Prepared | undefined {
  switch (typeof item) {
    case "string":
      return _prepareString(item);
    case "number":
    case "boolean":
    case "undefined":
    case "bigint":
      return undefined;
    case "function":
    case "symbol":
      throw cloneError(item, item, _ITEM.root!, _ITEM.to!);
  }
  if (item === null) return undefined;
  if (item instanceof SharedArrayBuffer) {
    throw new TypeError(
      "a SharedArrayBuffer cannot be a queue item; pass it to the worker as an argument",
    );
  }
  if (typeof (item as { [SHARE]?: unknown })[SHARE] === "function") {
    throw new TypeError(
      "a shared object (lock, queue, event...) cannot be a queue item; pass it to the worker as an argument",
    );
  }
  const code = binaryCode(item as object);
  if (code !== 0) {
    const bytes = binaryBytes(item as ArrayBufferView);
    return { tag: RecordTag.Bytes, bytes, length: bytes.length, code };
  }
  if (
    ArrayBuffer.isView(item) &&
    item.buffer instanceof SharedArrayBuffer
  ) {
    throw new TypeError(
      "a view of a SharedArrayBuffer cannot be a queue item; pass it to the worker as an argument",
    );
  }
  const n = encodeTreeScratch(item);
  if (n >= 0) return { tag: RecordTag.Tree, bytes: treeScratch(), length: n };
  // What the compact encoding does not cover: errors and registered class
  // instances become the codec's markers (the walk also names a value that
  // cannot be cloned), then node:v8 writes the rest.
  const e = encode(item, _ITEM);
  try {
    const bytes = serialize(e.value);
    return {
      tag: RecordTag.V8,
      bytes,
      length: bytes.length,
      code: e.shared ? V8_MARKED : 0,
    };
  } catch (err) {
    throw new TypeError(
      `queue items must be values structured clone can carry (no functions, symbols, SharedArrayBuffers or shared objects): ${
        (err as Error)?.message ?? err
      }`,
      { cause: err },
    );
  }
}

function _isLatin1(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0xff) return false;
  return true;
}

// Strings are encoded before the lock is taken, and decoded after it is
// released, from private scratch buffers: the lock is then held only for
// copying bytes, which matters when a producer and a consumer contend.
let _sBuf = new Uint8Array(256);
let _s16 = new Uint16Array(_sBuf.buffer);
const _sPrep: Prepared = { tag: RecordTag.Latin1, bytes: _sBuf, length: 0 };

function _prepareString(str: string): Prepared {
  const n = str.length;
  if (2 * n > _sBuf.length) {
    let size = _sBuf.length * 2;
    while (size < 2 * n) size *= 2;
    _sBuf = new Uint8Array(size);
    _s16 = new Uint16Array(_sBuf.buffer);
  }
  let latin1 = true;
  const b = _sBuf;
  for (let i = 0; i < n; i++) {
    const c = str.charCodeAt(i);
    if (c > 0xff) {
      latin1 = false;
      break;
    }
    b[i] = c;
  }
  // One reused object, like the scratch buffer it points to (keepPrepared
  // copies both): a put of a string then allocates nothing of its own.
  const p = _sPrep;
  p.bytes = b;
  if (latin1) {
    p.tag = RecordTag.Latin1;
    p.length = n;
    return p;
  }
  const w = _s16;
  for (let i = 0; i < n; i++) w[i] = str.charCodeAt(i);
  p.tag = RecordTag.Utf16;
  p.length = 2 * n;
  return p;
}

function _copyIn(s: Store, bytes: Uint8Array, n: number, at: number): void {
  const u8 = s.u8;
  if (n <= 64) {
    for (let i = 0; i < n; i++) u8[at + i] = bytes[i];
  } else u8.set(n === bytes.length ? bytes : bytes.subarray(0, n), at);
}

/** Allocates the record for a prepared item and writes all but its bytes; returns its ref. Lock held. */
export function reserveItem(s: Store, p: Prepared): number {
  const tag = p.tag;
  if (tag === RecordTag.Latin1 || tag === RecordTag.Utf16) {
    return s.alloc(p.length, tag);
  }
  const ref = s.alloc(p.length + 8, tag);
  const o = ref * 8 + HEADER;
  s.i32[o >> 2] = s.nextStamp();
  s.i32[(o >> 2) + 1] = p.code ?? 0;
  return ref;
}

/** Copies a prepared item's bytes into its record from {@linkcode reserveItem}. */
export function copyItemIn(s: Store, ref: number, p: Prepared): void {
  const tag = p.tag;
  const o = ref * 8 + HEADER;
  _copyIn(
    s,
    p.bytes,
    p.length,
    tag === RecordTag.Latin1 || tag === RecordTag.Utf16 ? o : o + 8,
  );
}

/** Writes `item` (encoded by {@linkcode prepareItem}) as a new record; returns its ref. Lock held. */
export function writeItem(
  s: Store,
  item: unknown,
  prepared: Prepared | undefined,
): number {
  if (prepared !== undefined) {
    const ref = reserveItem(s, prepared);
    copyItemIn(s, ref, prepared);
    return ref;
  }
  switch (typeof item) {
    case "number": {
      const ref = s.alloc(8, RecordTag.Number);
      s.f64[ref + 1] = item;
      return ref;
    }
    case "boolean":
      return s.alloc(0, item ? RecordTag.True : RecordTag.False);
    case "undefined":
      return s.alloc(0, RecordTag.Undefined);
    case "bigint":
      return item < 0n
        ? _writeString(s, (-item).toString(16), RecordTag.BigNeg)
        : _writeString(s, item.toString(16), RecordTag.BigPos);
  }
  return s.alloc(0, RecordTag.Null);
}

function _writeString(s: Store, str: string, latin1Tag: RecordTag): number {
  const n = str.length;
  if (_isLatin1(str)) {
    const ref = s.alloc(n, latin1Tag);
    const u8 = s.u8;
    const o = ref * 8 + HEADER;
    for (let i = 0; i < n; i++) u8[o + i] = str.charCodeAt(i);
    return ref;
  }
  const ref = s.alloc(n * 2, RecordTag.Utf16);
  const u16 = s.u16;
  const o = (ref * 8 + HEADER) >> 1;
  for (let i = 0; i < n; i++) u16[o + i] = str.charCodeAt(i);
  return ref;
}

/**
 * The payload bytes a record of `item` (prepared by {@linkcode prepareItem})
 * takes, or -1 for a bigint (written by {@linkcode writeItem} only).
 */
export function payloadLength(item: unknown, p: Prepared | undefined): number {
  if (p !== undefined) {
    return p.tag === RecordTag.Latin1 || p.tag === RecordTag.Utf16
      ? p.length
      : p.length + 8;
  }
  switch (typeof item) {
    case "number":
      return 8;
    case "bigint":
      return -1;
  }
  return 0;
}

/**
 * Writes `item` as the record `ref` of `v`, whose room (at least
 * `payloadLength(item, p)` bytes) the caller owns: a ring slot.
 */
export function writeRecordAt(
  v: Views,
  ref: number,
  item: unknown,
  p: Prepared | undefined,
  len: number,
): void {
  const i32 = v.i32;
  let tag: RecordTag;
  const o = ref * 8 + HEADER;
  if (p !== undefined) {
    tag = p.tag;
    const bytes = p.bytes;
    let at = o;
    if (tag !== RecordTag.Latin1 && tag !== RecordTag.Utf16) {
      i32[o >> 2] = 0; // stamp: only heaps use one
      i32[(o >> 2) + 1] = p.code ?? 0;
      at += 8;
    }
    const u8 = v.u8;
    const n = p.length;
    for (let i = 0; i < n; i++) u8[at + i] = bytes[i];
  } else {
    switch (typeof item) {
      case "number":
        tag = RecordTag.Number;
        v.f64[ref + 1] = item;
        break;
      case "boolean":
        tag = item ? RecordTag.True : RecordTag.False;
        break;
      case "undefined":
        tag = RecordTag.Undefined;
        break;
      default:
        tag = RecordTag.Null;
    }
  }
  i32[ref * 2] = len;
  i32[ref * 2 + 1] = tag;
}

/**
 * Writes the string `str` as the record `ref` of `v` (a ring slot), with
 * room for `2 * str.length` bytes: Latin-1 when every code unit fits a
 * byte, UTF-16 otherwise. Spares a put the scratch copy of `prepareItem`.
 */
export function writeStringAt(v: Views, ref: number, str: string): void {
  const n = str.length;
  const o = ref * 8 + HEADER;
  const u8 = v.u8;
  for (let i = 0; i < n; i++) {
    const c = str.charCodeAt(i);
    if (c > 0xff) {
      const u16 = v.u16;
      const h = o >> 1;
      for (let j = 0; j < n; j++) u16[h + j] = str.charCodeAt(j);
      v.i32[ref * 2] = 2 * n;
      v.i32[ref * 2 + 1] = RecordTag.Utf16;
      return;
    }
    u8[o + i] = c;
  }
  v.i32[ref * 2] = n;
  v.i32[ref * 2 + 1] = RecordTag.Latin1;
}

/**
 * Copies record `fromRef` of `from` to `toRef` of `to`, which has room for
 * it: length, tag and payload (the copy keeps its own size class).
 */
export function copyRecord(
  from: Views,
  fromRef: number,
  to: Views,
  toRef: number,
): void {
  const len = from.i32[fromRef * 2];
  const a = from.u8;
  const b = to.u8;
  const src = fromRef * 8 + HEADER;
  const dst = toRef * 8 + HEADER;
  for (let i = 0; i < len; i++) b[dst + i] = a[src + i];
  to.i32[toRef * 2] = len;
  to.i32[toRef * 2 + 1] = (from.i32[fromRef * 2 + 1] & 0xff) |
    (to.i32[toRef * 2 + 1] & ~0xff);
}

const _CHUNK = 4096;

const _fromCharCode = String.fromCharCode;

/**
 * A string of up to 16 code units in one call: the engine builds it flat
 * at once (adding one character at a time makes JavaScriptCore build a
 * rope of a dozen cells, which the first use of the string then flattens).
 */
function _shortString(v: Uint8Array | Uint16Array, o: number, n: number) {
  const f = _fromCharCode;
  switch (n) {
    case 0:
      return "";
    case 1:
      return f(v[o]);
    case 2:
      return f(v[o], v[o + 1]);
    case 3:
      return f(v[o], v[o + 1], v[o + 2]);
    case 4:
      return f(v[o], v[o + 1], v[o + 2], v[o + 3]);
    case 5:
      return f(v[o], v[o + 1], v[o + 2], v[o + 3], v[o + 4]);
    case 6:
      return f(v[o], v[o + 1], v[o + 2], v[o + 3], v[o + 4], v[o + 5]);
    case 7:
      return f(
        v[o],
        v[o + 1],
        v[o + 2],
        v[o + 3],
        v[o + 4],
        v[o + 5],
        v[o + 6],
      );
    case 8:
      return f(
        v[o],
        v[o + 1],
        v[o + 2],
        v[o + 3],
        v[o + 4],
        v[o + 5],
        v[o + 6],
        v[o + 7],
      );
    case 9:
      return f(
        v[o],
        v[o + 1],
        v[o + 2],
        v[o + 3],
        v[o + 4],
        v[o + 5],
        v[o + 6],
        v[o + 7],
        v[o + 8],
      );
    case 10:
      return f(
        v[o],
        v[o + 1],
        v[o + 2],
        v[o + 3],
        v[o + 4],
        v[o + 5],
        v[o + 6],
        v[o + 7],
        v[o + 8],
        v[o + 9],
      );
    case 11:
      return f(
        v[o],
        v[o + 1],
        v[o + 2],
        v[o + 3],
        v[o + 4],
        v[o + 5],
        v[o + 6],
        v[o + 7],
        v[o + 8],
        v[o + 9],
        v[o + 10],
      );
    case 12:
      return f(
        v[o],
        v[o + 1],
        v[o + 2],
        v[o + 3],
        v[o + 4],
        v[o + 5],
        v[o + 6],
        v[o + 7],
        v[o + 8],
        v[o + 9],
        v[o + 10],
        v[o + 11],
      );
    case 13:
      return f(
        v[o],
        v[o + 1],
        v[o + 2],
        v[o + 3],
        v[o + 4],
        v[o + 5],
        v[o + 6],
        v[o + 7],
        v[o + 8],
        v[o + 9],
        v[o + 10],
        v[o + 11],
        v[o + 12],
      );
    case 14:
      return f(
        v[o],
        v[o + 1],
        v[o + 2],
        v[o + 3],
        v[o + 4],
        v[o + 5],
        v[o + 6],
        v[o + 7],
        v[o + 8],
        v[o + 9],
        v[o + 10],
        v[o + 11],
        v[o + 12],
        v[o + 13],
      );
    case 15:
      return f(
        v[o],
        v[o + 1],
        v[o + 2],
        v[o + 3],
        v[o + 4],
        v[o + 5],
        v[o + 6],
        v[o + 7],
        v[o + 8],
        v[o + 9],
        v[o + 10],
        v[o + 11],
        v[o + 12],
        v[o + 13],
        v[o + 14],
      );
    case 16:
      return f(
        v[o],
        v[o + 1],
        v[o + 2],
        v[o + 3],
        v[o + 4],
        v[o + 5],
        v[o + 6],
        v[o + 7],
        v[o + 8],
        v[o + 9],
        v[o + 10],
        v[o + 11],
        v[o + 12],
        v[o + 13],
        v[o + 14],
        v[o + 15],
      );
  }
  throw new RangeError("short string too long");
}

function _readUnits(view: Uint8Array | Uint16Array, o: number, n: number) {
  if (n <= 16) return _shortString(view, o, n);
  const parts: string[] = [];
  for (let i = 0; i < n; i += _CHUNK) {
    const piece = view.slice(o + i, o + Math.min(n, i + _CHUNK));
    parts.push(String.fromCharCode.apply(null, piece as unknown as number[]));
  }
  return parts.join("");
}

/** A record's tag. */
export function tagOf(s: Views, ref: number): RecordTag {
  return (s.i32[ref * 2 + 1] & 0xff) as RecordTag;
}

/**
 * Reads a record's item, except for a `node:v8` record, whose bytes it
 * copies out of shared memory for {@linkcode finishItem} to deserialize
 * once the lock is released. Lock held.
 */
export function readRecord(s: Views, ref: number): unknown {
  const i32 = s.i32;
  const len = i32[ref * 2];
  const tag = i32[ref * 2 + 1] & 0xff;
  const o = ref * 8 + HEADER;
  switch (tag) {
    case RecordTag.Number:
      return s.f64[ref + 1];
    case RecordTag.Latin1:
      return s.lat !== null
        ? s.lat.latin1Slice(o, o + len)
        : _readUnits(s.u8, o, len);
    case RecordTag.Utf16:
      return _readUnits(s.u16, o >> 1, len >> 1);
    case RecordTag.Tree:
      return decodeTree(s.u8, o + 8, s.dv);
    case RecordTag.Bytes:
      return binaryFrom(i32[(o >> 2) + 1], s.u8, o + 8, len - 8);
    case RecordTag.V8: {
      const bytes = s.u8.slice(o + 8, o + len);
      return i32[(o >> 2) + 1] === V8_MARKED ? new _Marked(bytes) : bytes;
    }
    case RecordTag.Undefined:
      return undefined;
    case RecordTag.Null:
      return null;
    case RecordTag.False:
      return false;
    case RecordTag.True:
      return true;
    case RecordTag.BigPos:
      return BigInt("0x" + _readUnits(s.u8, o, len));
    case RecordTag.BigNeg:
      return -BigInt("0x" + _readUnits(s.u8, o, len));
  }
  throw new Error(`corrupt queue record (tag ${tag})`);
}

/** The stamp of a `node:v8` record. */
export function stampOf(s: Store, ref: number): number {
  return s.i32[(ref * 8 + HEADER) >> 2];
}

let _oBuf = new Uint8Array(256);
let _oLat = latin1Reader(_oBuf.buffer, 0, 256);
let _o16 = new Uint16Array(_oBuf.buffer);
let _oDv = new DataView(_oBuf.buffer);
let _oLen = 0;
let _oVal: unknown = undefined;

/**
 * Takes a record's item out of shared memory for {@linkcode finishTake}:
 * strings and tree encodings as bytes copied to a private scratch buffer
 * (decoded once the lock is released), everything else as
 * {@linkcode readRecord} reads it. Returns the tag. Lock held.
 */
export function takeRecord(s: Views, ref: number): RecordTag {
  const i32 = s.i32;
  const len = i32[ref * 2];
  const tag = (i32[ref * 2 + 1] & 0xff) as RecordTag;
  let from = ref * 8 + HEADER;
  let n = len;
  switch (tag) {
    case RecordTag.Tree:
      from += 8;
      n -= 8;
      // falls through
    case RecordTag.Latin1:
    case RecordTag.Utf16:
    case RecordTag.BigPos:
    case RecordTag.BigNeg: {
      if (n > _oBuf.length) {
        let size = _oBuf.length * 2;
        while (size < n) size *= 2;
        _oBuf = new Uint8Array(size);
        _oLat = latin1Reader(_oBuf.buffer, 0, size);
        _o16 = new Uint16Array(_oBuf.buffer);
        _oDv = new DataView(_oBuf.buffer);
      }
      const u8 = s.u8;
      const b = _oBuf;
      if (n <= 64) { for (let i = 0; i < n; i++) b[i] = u8[from + i]; }
      else b.set(u8.subarray(from, from + n));
      _oLen = n;
      return tag;
    }
  }
  _oVal = readRecord(s, ref);
  return tag;
}

/** The item {@linkcode takeRecord} took (call it right after, lock released or not). */
export function finishTake(tag: RecordTag): unknown {
  switch (tag) {
    case RecordTag.Latin1:
      return _oLat !== null
        ? _oLat.latin1Slice(0, _oLen)
        : _readUnits(_oBuf, 0, _oLen);
    case RecordTag.Utf16:
      return _readUnits(_o16, 0, _oLen >> 1);
    case RecordTag.BigPos:
      return BigInt("0x" + _readUnits(_oBuf, 0, _oLen));
    case RecordTag.BigNeg:
      return -BigInt("0x" + _readUnits(_oBuf, 0, _oLen));
    case RecordTag.Tree:
      return decodeTree(_oBuf, 0, _oDv);
  }
  const v = _oVal;
  _oVal = undefined;
  return tag === RecordTag.V8 ? _fromV8(v) : v;
}

/** Whether a record of this tag costs real work to decode (worth caching). */
export function isEncoded(tag: RecordTag): boolean {
  return tag === RecordTag.V8 || tag === RecordTag.Tree ||
    tag === RecordTag.Bytes;
}

/** Turns what {@linkcode readRecord} returned for a record of `tag` into the item. */
export function finishItem(tag: RecordTag, raw: unknown): unknown {
  return tag === RecordTag.V8 ? _fromV8(raw) : raw;
}
