/**
 * The small protocol every shareable class follows: a constructor that
 * either creates fresh shared memory or adopts memory from a descriptor, and
 * a program-wide id so one thread holds one handle per object.
 *
 * @module
 */
import { nextObjectId } from "../runtime/agent.ts";
import { rememberHandle } from "./codec.ts";

let _pending: { state: unknown; id: number } | undefined;

/**
 * Builds an instance of `cls` around existing shared state: the constructor
 * picks the state up through {@linkcode adoptedState}.
 */
export function adopt<T>(cls: new () => T, state: unknown, id: number): T {
  _pending = { state, id };
  try {
    return new cls();
  } finally {
    _pending = undefined;
  }
}

/**
 * Called first thing in a shareable constructor: the adopted state and id
 * when the object is being rebuilt in another thread, else a fresh id and
 * `undefined`.
 */
export function adoptedState<S>(): { state: S | undefined; id: number } {
  const p = _pending;
  _pending = undefined;
  if (p) return { state: p.state as S, id: p.id };
  const id = nextObjectId();
  return { state: undefined, id };
}

/** Registers `obj` as this thread's handle for its id (call after construction). */
export function remember(id: number, obj: object): void {
  rememberHandle(id, obj);
}
