/**
 * A compact encoding for the items most queues carry: primitives, arrays,
 * plain objects, Dates, typed arrays and ArrayBuffers, nested. The encoder
 * gives up on anything else (Map, Set, errors, class instances, shared
 * references, cycles...), and the item goes through `node:v8` instead.
 *
 * Design: docs/design/queue.md
 *
 * @module
 */
import { SHARE } from "../_internal/share/codec.ts";

/**
 * Tags of the tree encoding: the byte the encoder writes before each
 * value, saying what follows (numbers little-endian).
 */
const TreeTag = {
  /** `undefined`; nothing follows. */
  Undefined: 0,
  /** `null`; nothing follows. */
  Null: 1,
  /** `false`; nothing follows. */
  False: 2,
  /** `true`; nothing follows. */
  True: 3,
  /** A number that is not an int32 (or is -0): a float64. */
  F64: 4,
  /** An int32 number: an int32. */
  I32: 5,
  /** A string of one-byte code units: a uint32 length, then the bytes. */
  Latin1: 6,
  /** Any other string: a uint32 length, then UTF-16 code units. */
  Utf16: 7,
  /** A non-negative bigint: its hex digits, as `Latin1`. */
  BigPos: 8,
  /** A negative bigint: its magnitude's hex digits, as `Latin1`. */
  BigNeg: 9,
  /** An array: a uint32 length, then the elements. */
  Array: 10,
  /** A plain object: a uint32 count, then each key (a string) and value. */
  Object: 11,
  /** A Date: its time as a float64. */
  Date: 12,
  /** A typed array, DataView or ArrayBuffer: a binary-type byte, a uint32 length, the bytes. */
  Binary: 13,
} as const;

/** The binary types the encodings carry, by code (index + 1). */
const _BINARY = [
  Int8Array,
  Uint8Array,
  Uint8ClampedArray,
  Int16Array,
  Uint16Array,
  Int32Array,
  Uint32Array,
  Float32Array,
  Float64Array,
  BigInt64Array,
  BigUint64Array,
  DataView,
] as const;
const _ARRAY_BUFFER = _BINARY.length + 1;

/**
 * The code of a typed array, DataView or ArrayBuffer that can be copied as
 * plain bytes, or 0 (other classes, shared or resizable memory: those go
 * through `node:v8`, as structured clone treats them specially).
 */
export function binaryCode(v: object): number {
  if (v instanceof ArrayBuffer) {
    return (v as { resizable?: boolean }).resizable ? 0 : _ARRAY_BUFFER;
  }
  if (!ArrayBuffer.isView(v)) return 0;
  const buf = v.buffer as ArrayBuffer & { resizable?: boolean };
  if (!(buf instanceof ArrayBuffer) || buf.resizable) return 0;
  const proto = Object.getPrototypeOf(v);
  for (let i = 0; i < _BINARY.length; i++) {
    if (proto === _BINARY[i].prototype) return i + 1;
  }
  // Subclasses such as Node's Buffer arrive as their base class.
  for (let i = 0; i < _BINARY.length; i++) {
    if (v instanceof _BINARY[i]) return i + 1;
  }
  return 0;
}

/** The bytes of a value {@linkcode binaryCode} accepted. */
export function binaryBytes(v: ArrayBuffer | ArrayBufferView): Uint8Array {
  return v instanceof ArrayBuffer
    ? new Uint8Array(v)
    : new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
}

/** Rebuilds a binary value of `code` from `n` bytes at `u8[at]` (copied). */
export function binaryFrom(
  code: number,
  u8: Uint8Array,
  at: number,
  n: number,
): unknown {
  const buf = new ArrayBuffer(n);
  new Uint8Array(buf).set(u8.subarray(at, at + n));
  if (code === _ARRAY_BUFFER) return buf;
  const cls = _BINARY[code - 1];
  if (cls === DataView) return new DataView(buf);
  const typed = cls as unknown as new (
    b: ArrayBuffer,
    o: number,
    l: number,
  ) => unknown;
  return new typed(
    buf,
    0,
    n / (cls as { BYTES_PER_ELEMENT: number }).BYTES_PER_ELEMENT,
  );
}

const _MAX_DEPTH = 64;

let _buf = new Uint8Array(4096);
let _dv = new DataView(_buf.buffer);
let _pos = 0;
/** Objects met so far: a short array, then a Set once there are many. */
const _seen: object[] = [];
const _seenSet = new Set<object>();

/** Records `v`; false when it was met before (a shared reference or a cycle). */
function _firstVisit(v: object): boolean {
  if (_seen.length < 32) {
    if (_seen.includes(v)) return false;
    _seen.push(v);
    if (_seen.length === 32) { for (const o of _seen) _seenSet.add(o); }
    return true;
  }
  if (_seenSet.has(v)) return false;
  _seenSet.add(v);
  return true;
}

function _ensure(n: number): void {
  if (_pos + n <= _buf.length) return;
  let size = _buf.length * 2;
  while (size < _pos + n) size *= 2;
  const next = new Uint8Array(size);
  next.set(_buf.subarray(0, _pos));
  _buf = next;
  _dv = new DataView(next.buffer);
}

function _isLatin1(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0xff) return false;
  return true;
}

function _str(s: string, latin1Tag: number): void {
  const n = s.length;
  if (_isLatin1(s)) {
    _ensure(5 + n);
    const b = _buf;
    let p = _pos;
    b[p] = latin1Tag;
    _dv.setUint32(p + 1, n, true);
    p += 5;
    for (let i = 0; i < n; i++) b[p + i] = s.charCodeAt(i);
    _pos = p + n;
  } else {
    _ensure(5 + 2 * n);
    const b = _buf;
    let p = _pos;
    b[p] = TreeTag.Utf16;
    _dv.setUint32(p + 1, n, true);
    p += 5;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      b[p++] = c & 0xff;
      b[p++] = c >> 8;
    }
    _pos = p;
  }
}

function _enc(v: unknown, depth: number): boolean {
  switch (typeof v) {
    case "number":
      if ((v | 0) === v && !Object.is(v, -0)) {
        _ensure(5);
        _buf[_pos] = TreeTag.I32;
        _dv.setInt32(_pos + 1, v, true);
        _pos += 5;
      } else {
        _ensure(9);
        _buf[_pos] = TreeTag.F64;
        _dv.setFloat64(_pos + 1, v, true);
        _pos += 9;
      }
      return true;
    case "string":
      _str(v, TreeTag.Latin1);
      return true;
    case "boolean":
      _ensure(1);
      _buf[_pos++] = v ? TreeTag.True : TreeTag.False;
      return true;
    case "undefined":
      _ensure(1);
      _buf[_pos++] = TreeTag.Undefined;
      return true;
    case "bigint":
      if (v < 0n) _str((-v).toString(16), TreeTag.BigNeg);
      else _str(v.toString(16), TreeTag.BigPos);
      return true;
    case "object":
      break;
    default:
      return false;
  }
  if (v === null) {
    _ensure(1);
    _buf[_pos++] = TreeTag.Null;
    return true;
  }
  if (depth >= _MAX_DEPTH || !_firstVisit(v)) return false;
  const proto = Object.getPrototypeOf(v);
  if (proto === Array.prototype) {
    const a = v as unknown[];
    const n = a.length;
    _ensure(5);
    _buf[_pos] = TreeTag.Array;
    _dv.setUint32(_pos + 1, n, true);
    _pos += 5;
    for (let i = 0; i < n; i++) {
      if (!(i in a) || !_enc(a[i], depth + 1)) return false;
    }
    return true;
  }
  if (proto === Object.prototype) {
    const o = v as Record<string, unknown>;
    const keys = Object.keys(o);
    _ensure(5);
    _buf[_pos] = TreeTag.Object;
    _dv.setUint32(_pos + 1, keys.length, true);
    _pos += 5;
    for (const k of keys) {
      _str(k, TreeTag.Latin1);
      if (!_enc(o[k], depth + 1)) return false;
    }
    return true;
  }
  const code = binaryCode(v);
  if (code !== 0) {
    const bytes = binaryBytes(v as ArrayBufferView);
    const n = bytes.length;
    _ensure(6 + n);
    _buf[_pos] = TreeTag.Binary;
    _buf[_pos + 1] = code;
    _dv.setUint32(_pos + 2, n, true);
    _buf.set(bytes, _pos + 6);
    _pos += 6 + n;
    return true;
  }
  if (proto === Date.prototype) {
    _ensure(9);
    _buf[_pos] = TreeTag.Date;
    _dv.setFloat64(_pos + 1, (v as Date).getTime(), true);
    _pos += 9;
    return true;
  }
  if (typeof (v as { [SHARE]?: unknown })[SHARE] === "function") {
    // node:v8 would silently turn it into an empty object.
    throw new TypeError(
      "a shared object (lock, queue, event...) cannot be part of a queue item; pass it to the worker as an argument",
    );
  }
  return false;
}

/**
 * Encodes `v`, or returns `undefined` when it holds something this encoding
 * does not cover. The bytes are a view of a scratch buffer, valid until the
 * next call: copy them to keep them longer. (Deno allocates a small
 * `ArrayBuffer` in about 400 ns, more than encoding a small object takes.)
 */
export function encodeTree(v: unknown): Uint8Array | undefined {
  const n = encodeTreeScratch(v);
  return n < 0 ? undefined : _buf.subarray(0, n);
}

/**
 * Encodes `v` into the scratch buffer ({@linkcode treeScratch}) and returns
 * the length, or -1 when it holds something this encoding does not cover.
 * Saves the view object {@linkcode encodeTree} makes (V8 makes them slowly).
 */
export function encodeTreeScratch(v: unknown): number {
  _pos = 0;
  _seen.length = 0;
  let ok: boolean;
  try {
    ok = _enc(v, 0);
  } finally {
    _seen.length = 0;
    if (_seenSet.size) _seenSet.clear();
  }
  return ok ? _pos : -1;
}

/** The scratch buffer {@linkcode encodeTreeScratch} wrote to. */
export function treeScratch(): Uint8Array {
  return _buf;
}

let _in: Uint8Array = _buf;
let _inDv: DataView = _dv;
let _at = 0;

function _units(n: number, wide: boolean): string {
  const b = _in;
  const p = _at;
  if (!wide) {
    _at = p + n;
    if (n <= 24) {
      let s = "";
      for (let i = 0; i < n; i++) s += String.fromCharCode(b[p + i]);
      return s;
    }
    const parts: string[] = [];
    for (let i = 0; i < n; i += 8192) {
      parts.push(
        String.fromCharCode.apply(
          null,
          b.subarray(p + i, p + Math.min(n, i + 8192)) as unknown as number[],
        ),
      );
    }
    return parts.join("");
  }
  _at = p + 2 * n;
  const codes = new Array<number>(Math.min(n, 8192));
  const parts: string[] = [];
  for (let i = 0; i < n; i += 8192) {
    const m = Math.min(8192, n - i);
    codes.length = m;
    for (let k = 0; k < m; k++) {
      const q = p + 2 * (i + k);
      codes[k] = b[q] | (b[q + 1] << 8);
    }
    parts.push(String.fromCharCode.apply(null, codes));
  }
  return parts.join("");
}

const _keys = new Map<number, string>();

/**
 * Reads an object key. Short Latin-1 keys come from a cache, so the same
 * key is the same string every time: engines then find the property shape
 * at once instead of hashing a fresh string (JavaScriptCore especially).
 */
function _key(): string {
  const b = _in;
  const p = _at;
  const n = b[p] === TreeTag.Latin1 ? _inDv.getUint32(p + 1, true) : 64;
  if (n > 32) return _dec() as string;
  let h = n;
  for (let i = 0; i < n; i++) h = Math.imul(h ^ b[p + 5 + i], 0x01000193);
  const hit = _keys.get(h);
  if (hit !== undefined && hit.length === n) {
    let same = true;
    for (let i = 0; i < n; i++) {
      if (hit.charCodeAt(i) !== b[p + 5 + i]) {
        same = false;
        break;
      }
    }
    if (same) {
      _at = p + 5 + n;
      return hit;
    }
  }
  const k = _dec() as string;
  if (_keys.size >= 4096) _keys.clear();
  _keys.set(h, k);
  return k;
}

function _dec(): unknown {
  const tag = _in[_at++];
  switch (tag) {
    case TreeTag.I32: {
      const v = _inDv.getInt32(_at, true);
      _at += 4;
      return v;
    }
    case TreeTag.F64: {
      const v = _inDv.getFloat64(_at, true);
      _at += 8;
      return v;
    }
    case TreeTag.Latin1:
    case TreeTag.Utf16:
    case TreeTag.BigPos:
    case TreeTag.BigNeg: {
      const n = _inDv.getUint32(_at, true);
      _at += 4;
      const s = _units(n, tag === TreeTag.Utf16);
      if (tag === TreeTag.BigPos) return BigInt("0x" + s);
      if (tag === TreeTag.BigNeg) return -BigInt("0x" + s);
      return s;
    }
    case TreeTag.True:
      return true;
    case TreeTag.False:
      return false;
    case TreeTag.Null:
      return null;
    case TreeTag.Undefined:
      return undefined;
    case TreeTag.Array: {
      const n = _inDv.getUint32(_at, true);
      _at += 4;
      const a = new Array(n);
      for (let i = 0; i < n; i++) a[i] = _dec();
      return a;
    }
    case TreeTag.Object: {
      const n = _inDv.getUint32(_at, true);
      _at += 4;
      const o: Record<string, unknown> = {};
      for (let i = 0; i < n; i++) {
        const k = _key();
        if (k === "__proto__") {
          Object.defineProperty(o, k, {
            value: _dec(),
            writable: true,
            enumerable: true,
            configurable: true,
          });
        } else o[k] = _dec();
      }
      return o;
    }
    case TreeTag.Date: {
      const v = _inDv.getFloat64(_at, true);
      _at += 8;
      return new Date(v);
    }
    case TreeTag.Binary: {
      const code = _in[_at];
      const n = _inDv.getUint32(_at + 1, true);
      _at += 5 + n;
      return binaryFrom(code, _in, _at - n, n);
    }
  }
  throw new Error(`corrupt queue item (tree tag ${tag})`);
}

/**
 * Decodes what {@linkcode encodeTree} produced, found at `u8[at]` (which may
 * be shared memory, read with the queue's lock held); `dv` is a DataView of
 * the same bytes as `u8`.
 */
export function decodeTree(
  u8: Uint8Array,
  at = 0,
  dv: DataView = new DataView(u8.buffer, u8.byteOffset, u8.byteLength),
): unknown {
  _in = u8;
  _inDv = dv;
  _at = at;
  const v = _dec();
  _in = _buf; // let go of the caller's memory
  _inDv = _dv;
  return v;
}
