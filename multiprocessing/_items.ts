// Shared objects inside the items of a Queue or the messages of a
// Connection: as Python pickles a proxy so that it arrives usable, an item
// holding shared objects is run through the codec (each becomes a
// descriptor, and the receiver rebuilds a live handle); any other item
// travels by structured clone as before, after a walk that stops at once
// for primitives, typed arrays and other non-container objects.
import { encodeForProcess, findShareable } from "../_internal/mp/encode.ts";
import { _loadAllProxies, _reviveSync } from "./_proxy.ts";

/** Marks an item that holds descriptors of shared objects. */
const _ITEM = "\u0000pyconc.mpitem";
/** The codec's mark of a descriptor (see `_internal/codec.ts`). */
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

/** The blocking form of {@linkcode decodeItem}: the item with live handles. */
export function decodeItemSync<T>(item: unknown): T {
  if (!_wrapped(item)) return item as T;
  return _decode((item as Record<string, unknown>)[_ITEM], new Map()) as T;
}

/** Rebuilds an item that went through {@linkcode encodeItem}. */
export async function decodeItem<T>(item: unknown): Promise<T> {
  if (!_wrapped(item)) return item as T;
  await _loadAllProxies();
  return decodeItemSync<T>(item);
}
