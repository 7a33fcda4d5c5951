/**
 * Queue items and pipe messages across processes: {@linkcode encodeItem}
 * runs an item that holds shared objects, errors or instances of registered
 * classes through the codec, so that shared objects arrive as live handles
 * (as Python pickles a proxy) and the others as instances of their class;
 * {@linkcode decodeItem} rebuilds them. Any other item is left to
 * structured clone.
 *
 * Design: docs/design/multiprocessing.md
 *
 * @module
 */
import { encodeForProcess } from "../_internal/mp/encode.ts";
import {
  decodeSync,
  type EncodeOptions,
  needsEncoding,
  type SharedMarker,
} from "../_internal/share/codec.ts";
import { _reviveSync } from "./_proxy.ts";

/** Marks an item that holds the codec's markers. */
const _ITEM = "\u0000pyconc.mpitem";

const _AS_ITEM: EncodeOptions = { root: "item", to: "another process" };
const _AS_MESSAGE: EncodeOptions = { root: "message", to: "another process" };

/**
 * Prepares an item for a queue or a pipe (`what`: "Queue items" or
 * "Connection messages"): unchanged unless it holds shared objects, errors
 * or registered class instances. Costs one walk for any other item.
 *
 * @throws {TypeError} it holds a threading or queue module object, which cannot leave its process.
 * @throws {DataCloneError} it is or holds a function, a symbol, a Promise or a weak reference.
 */
export function encodeItem(item: unknown, what: string): unknown {
  const options = what === "Connection messages" ? _AS_MESSAGE : _AS_ITEM;
  if (!needsEncoding(item, options)) return item;
  return { [_ITEM]: encodeForProcess(item, what, options).value };
}

/** Whether `item` came from {@linkcode encodeItem} with markers to rebuild. */
function _wrapped(item: unknown): boolean {
  return typeof item === "object" && item !== null &&
    (item as Record<string, unknown>)[_ITEM] !== undefined;
}

const _revive = (m: SharedMarker, state: unknown) =>
  _reviveSync(m.url, m.name, state);

/**
 * Rebuilds an item that went through {@linkcode encodeItem}: the item with
 * live handles and class instances. It never waits, so blocking reads use
 * it too: every proxy class is registered in a thread that holds a queue or
 * a pipe end (see `_proxy_classes.ts`).
 *
 * @throws {TypeError} a handle or an instance of a class this thread has not registered.
 */
export function decodeItem<T>(item: unknown): T {
  if (!_wrapped(item)) return item as T;
  return decodeSync((item as Record<string, unknown>)[_ITEM], _revive) as T;
}
