/**
 * Shared objects inside queue items and pipe messages: {@linkcode encodeItem}
 * runs an item that holds some through the codec, so that they arrive as
 * live handles, as Python pickles a proxy; {@linkcode decodeItem} rebuilds
 * them. Any other item is left to structured clone.
 *
 * Design: docs/design/multiprocessing.md
 *
 * @module
 */
import { encodeForProcess, findShareable } from "../_internal/mp/encode.ts";
import { _reviveSync } from "./_proxy.ts";

/** Marks an item that holds descriptors of shared objects. */
const _ITEM = "\u0000pyconc.mpitem";
/** The codec's mark of a descriptor (see `_internal/share/codec.ts`). */
const _MARK = "\u0000pyconc.shared";

function _isPlain(v: object): boolean {
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/**
 * Prepares an item for a queue or a pipe: unchanged unless it holds shared
 * objects, which then travel as live handles.
 *
 * @throws {TypeError} it holds a threading or queue module object, which cannot leave its process.
 */
export function encodeItem(item: unknown, what: string): unknown {
  if (findShareable(item) === null) return item;
  return { [_ITEM]: encodeForProcess(item, what).value };
}

/** Whether `item` came from {@linkcode encodeItem} with handles to rebuild. */
function _wrapped(item: unknown): boolean {
  return typeof item === "object" && item !== null &&
    (item as Record<string, unknown>)[_ITEM] !== undefined;
}

function _decode(v: unknown, memo: Map<object, unknown>): unknown {
  if (typeof v !== "object" || v === null) return v;
  if (memo.has(v)) return memo.get(v);
  const rec = v as Record<string, unknown>;
  if (rec[_MARK] === true) {
    const state = _decode(rec.state, memo);
    const obj = _reviveSync(rec.url as string, rec.name as string, state);
    memo.set(v, obj);
    return obj;
  }
  if (Array.isArray(v)) {
    memo.set(v, v);
    for (let i = 0; i < v.length; i++) v[i] = _decode(v[i], memo);
    return v;
  }
  if (v instanceof Map) {
    const out = new Map();
    memo.set(v, out);
    for (const [k, x] of v) out.set(_decode(k, memo), _decode(x, memo));
    return out;
  }
  if (v instanceof Set) {
    const out = new Set();
    memo.set(v, out);
    for (const x of v) out.add(_decode(x, memo));
    return out;
  }
  if (_isPlain(v)) {
    memo.set(v, v);
    for (const k of Object.keys(rec)) rec[k] = _decode(rec[k], memo);
  }
  return v;
}

/**
 * Rebuilds an item that went through {@linkcode encodeItem}: the item with
 * live handles. It never waits, so blocking reads use it too: every proxy
 * class is registered in a thread that holds a queue or a pipe end (see
 * `_proxy_classes.ts`).
 *
 * @throws {TypeError} a handle of a class this thread has not registered.
 */
export function decodeItem<T>(item: unknown): T {
  if (!_wrapped(item)) return item as T;
  return _decode((item as Record<string, unknown>)[_ITEM], new Map()) as T;
}
