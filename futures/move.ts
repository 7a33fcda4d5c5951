/**
 * move(): transfer a buffer to or from a task instead of copying it.
 *
 * @module
 */
import { move as _move } from "../_internal/pool/move.ts";

/**
 * Marks an `ArrayBuffer`, a typed array or `DataView` (its whole buffer), or
 * a `MessagePort` to be transferred to a worker instead of copied, like
 * piscina's `move()`. Use it on a task argument (at the top level or inside
 * arrays and plain objects) or on a task's return value. After the
 * transfer, the sender's buffer is detached (its `byteLength` is 0).
 * Nothing is ever transferred without this mark. A child process of
 * {@linkcode ProcessPoolExecutor} cannot share memory: there the value is
 * copied.
 *
 * The mark is typed as the value itself, so it fits the target's parameter
 * types; at run time it is a small wrapper that only task arguments and
 * task results understand (do not use it otherwise).
 *
 * @param value The buffer, view or port.
 * @returns The marked value, to pass where the value would go.
 * @throws {TypeError} a value that cannot be transferred (a view of a `SharedArrayBuffer` is shared, not moved).
 *
 * @example Move a buffer to a task and back
 * ```ts
 * import { move, ThreadPoolExecutor } from "@pyconc/pyconc/futures";
 * await using ex = new ThreadPoolExecutor({ maxWorkers: 1 });
 * const buf = new Float64Array(1 << 20);
 * const out = await ex.submit(async (a: Float64Array) => {
 *   const { move } = await import("@pyconc/pyconc/futures");
 *   a.fill(1);
 *   return move(a);
 * }, move(buf));
 * console.assert(buf.byteLength === 0 && out[0] === 1);
 * ```
 */
export function move<T extends ArrayBuffer | ArrayBufferView | object>(
  value: T,
): T {
  return _move(value) as unknown as T;
}
