/**
 * Explicit transfer for pool tasks: `move(value)` marks an `ArrayBuffer`, a
 * typed array or `DataView` (its whole buffer moves), or a `MessagePort` to
 * be transferred instead of copied, as an argument of a task or as its
 * result. The mark is a brand keyed by `Symbol.for`, so it is recognised
 * even if the marking code loaded the library under another URL.
 *
 * @module
 */

/** The brand of a {@linkcode Movable}. */
export const MOVE: unique symbol = Symbol.for("pyconc.move") as never;

/** A value marked by {@linkcode move}: it travels by transfer, not by copy. */
export interface Movable<T> {
  /** The value that arrives on the other side. */
  readonly value: T;
  /** What is transferred with it. */
  readonly transferList: Transferable[];
}

let _used = false;

/** Whether {@linkcode move} was ever called in this thread (else no walk is needed). */
export function moveUsed(): boolean {
  return _used;
}

function _isPort(v: object): boolean {
  const name = (v as { constructor?: { name?: string } }).constructor?.name;
  return name === "MessagePort";
}

/**
 * Marks `value` to be transferred.
 *
 * @throws {TypeError} a value that cannot be transferred (including a view of a `SharedArrayBuffer`, which is shared anyway).
 */
export function move<T extends ArrayBuffer | ArrayBufferView | object>(
  value: T,
): Movable<T> {
  let transfer: Transferable;
  if (value instanceof ArrayBuffer) transfer = value;
  else if (ArrayBuffer.isView(value)) {
    if (!(value.buffer instanceof ArrayBuffer)) {
      throw new TypeError(
        "move() needs an ArrayBuffer, typed array, DataView or MessagePort; this view is over a SharedArrayBuffer, which is shared, not moved",
      );
    }
    transfer = value.buffer;
  } else if (value && typeof value === "object" && _isPort(value)) {
    transfer = value as unknown as Transferable;
  } else {
    throw new TypeError(
      `move() needs an ArrayBuffer, typed array, DataView or MessagePort, got ${
        value === null ? "null" : typeof value
      }`,
    );
  }
  _used = true;
  return Object.freeze({
    [MOVE]: true as const,
    value,
    transferList: [transfer],
  });
}

/** Whether `v` was marked by {@linkcode move}. */
export function isMovable(v: unknown): v is Movable<unknown> {
  return typeof v === "object" && v !== null &&
    (v as { [MOVE]?: true })[MOVE] === true;
}

function _isPlain(v: object): boolean {
  const p = Object.getPrototypeOf(v);
  return p === Object.prototype || p === null;
}

/**
 * Replaces every {@linkcode Movable} found in `value` (itself, or inside
 * arrays and plain objects) by its value, and collects what to transfer.
 * Containers holding a mark are copied, never changed in place.
 */
export function unwrapMoves(
  value: unknown,
  transfer: Transferable[],
  depth = 0,
): unknown {
  if (typeof value !== "object" || value === null) return value;
  if (isMovable(value)) {
    for (const t of value.transferList) {
      if (!transfer.includes(t)) transfer.push(t);
    }
    return value.value;
  }
  if (depth > 8) return value;
  if (Array.isArray(value)) {
    let out: unknown[] | null = null;
    for (let i = 0; i < value.length; i++) {
      const v = unwrapMoves(value[i], transfer, depth + 1);
      if (v !== value[i] && !out) out = value.slice(0, i);
      if (out) out.push(v);
    }
    return out ?? value;
  }
  if (_isPlain(value)) {
    let out: Record<string, unknown> | null = null;
    const rec = value as Record<string, unknown>;
    for (const k of Object.keys(rec)) {
      const v = unwrapMoves(rec[k], transfer, depth + 1);
      if (v !== rec[k] && !out) out = { ...rec };
      if (out) out[k] = v;
    }
    return out ?? value;
  }
  return value;
}
