/**
 * Helpers for the queue tests: peek at waiter lists, wait for conditions.
 *
 * @module
 */
import { coreOf } from "../../queue/_core.ts";
import { CtrlWord, WaiterList } from "../../queue/_layout.ts";

/** How many callers are parked in `get` (or `put`) on `q`. */
export function waiters(q: object, kind: "get" | "put"): number {
  const core = coreOf(q);
  const s = core.s;
  s.lockSync();
  try {
    return core.waiters(kind === "get" ? WaiterList.Get : WaiterList.Put);
  } finally {
    s.unlock();
  }
}

/** Bytes of shared memory holding `q`'s items. */
export function storageBytes(q: object): number {
  return coreOf(q).storageBytes();
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Polls `pred` every few milliseconds until it holds (or fails after `ms`). */
export async function until(pred: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error("condition not reached in time");
    await sleep(2);
  }
}

/** Checks an error's class and message (for assert.throws / rejects). */
export function isError(
  cls: new (...args: never[]) => Error,
  message?: string,
): (e: unknown) => boolean {
  return (e) =>
    e instanceof cls && (message === undefined || e.message === message);
}

/** Records of `q` neither queued nor free (handed over, parked, being copied). */
export function inTransit(q: object): number {
  return coreOf(q).s.ctl[CtrlWord.Transit];
}
