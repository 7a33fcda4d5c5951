/**
 * wait(): block until some or all of a set of futures are done.
 *
 * @module
 */
import { ValueError } from "../_internal/core/errors.ts";
import { timeoutToMs } from "../_internal/core/time.ts";
import type { Future } from "./future.ts";

/**
 * {@linkcode wait} returns as soon as any future finishes or is cancelled.
 *
 * @example
 * ```ts
 * import { FIRST_COMPLETED } from "@pyconc/pyconc/futures";
 * console.assert(FIRST_COMPLETED === "FIRST_COMPLETED");
 * ```
 */
export const FIRST_COMPLETED = "FIRST_COMPLETED";
/**
 * {@linkcode wait} returns as soon as any future finishes by raising an
 * exception, or when all are done.
 *
 * @example
 * ```ts
 * import { FIRST_EXCEPTION } from "@pyconc/pyconc/futures";
 * console.assert(FIRST_EXCEPTION === "FIRST_EXCEPTION");
 * ```
 */
export const FIRST_EXCEPTION = "FIRST_EXCEPTION";
/**
 * {@linkcode wait} returns when all futures are done (the default).
 *
 * @example
 * ```ts
 * import { ALL_COMPLETED } from "@pyconc/pyconc/futures";
 * console.assert(ALL_COMPLETED === "ALL_COMPLETED");
 * ```
 */
export const ALL_COMPLETED = "ALL_COMPLETED";

/** When {@linkcode wait} returns. */
export type ReturnWhen =
  | typeof FIRST_COMPLETED
  | typeof FIRST_EXCEPTION
  | typeof ALL_COMPLETED;

/** Options of {@linkcode wait}, Python's keyword arguments. */
export interface WaitOptions {
  /** Seconds to wait at most; `null` or omitted waits forever. */
  timeout?: number | null;
  /** When to return: {@linkcode ALL_COMPLETED} (default), {@linkcode FIRST_COMPLETED} or {@linkcode FIRST_EXCEPTION}. */
  returnWhen?: ReturnWhen;
}

/** What {@linkcode wait} resolves to, Python's `DoneAndNotDoneFutures`. */
export interface DoneAndNotDoneFutures<T> {
  /** The futures that finished or were cancelled. */
  done: Set<Future<T>>;
  /** The futures that were still pending or running. */
  notDone: Set<Future<T>>;
}

function _failed(f: Future<unknown>): boolean {
  // Only called on done futures: exceptionSync() then never blocks.
  return f.done() && !f.cancelled() && f.exceptionSync() !== null;
}

function _satisfied(
  done: Set<Future<unknown>>,
  notDone: Set<Future<unknown>>,
  returnWhen: ReturnWhen,
): boolean {
  if (notDone.size === 0) return true;
  if (returnWhen === FIRST_COMPLETED) return done.size > 0;
  if (returnWhen === FIRST_EXCEPTION) {
    for (const f of done) if (_failed(f)) return true;
  }
  return false;
}

/**
 * Waits for the futures in `fs` (from any executors; duplicates count once)
 * until `returnWhen` is met or `timeout` seconds pass, as Python's
 * `concurrent.futures.wait`. It never throws on timeout: it resolves to
 * what is done at that point.
 *
 * A cancelled future counts as done at once (CPython waits until its
 * executor acknowledges the cancel).
 *
 * @param fs The futures to wait for.
 * @param options `{ timeout, returnWhen }`.
 * @returns The futures split into `done` and `notDone` sets.
 * @throws {ValueError} an unknown `returnWhen`, or a negative timeout.
 *
 * @example Wait for the first of two futures
 * ```ts
 * import { FIRST_COMPLETED, Future, wait } from "@pyconc/pyconc/futures";
 * const a = new Future<number>();
 * const b = new Future<number>();
 * setTimeout(() => a.setResult(1), 10);
 * const { done, notDone } = await wait([a, b], { returnWhen: FIRST_COMPLETED });
 * console.assert(done.has(a) && notDone.has(b));
 * ```
 */
export async function wait<T>(
  fs: Iterable<Future<T>>,
  options: WaitOptions = {},
): Promise<DoneAndNotDoneFutures<T>> {
  const returnWhen = options.returnWhen ?? ALL_COMPLETED;
  if (
    returnWhen !== FIRST_COMPLETED && returnWhen !== FIRST_EXCEPTION &&
    returnWhen !== ALL_COMPLETED
  ) {
    throw new ValueError(`Invalid return condition: '${String(returnWhen)}'`);
  }
  const ms = timeoutToMs(options.timeout);
  const all = new Set(fs);
  const done = new Set<Future<T>>();
  const notDone = new Set<Future<T>>();
  for (const f of all) (f.done() ? done : notDone).add(f);
  if (_satisfied(done, notDone, returnWhen) || ms === 0) {
    return { done, notDone };
  }
  await new Promise<void>((resolve) => {
    const offs: (() => void)[] = [];
    let timer: ReturnType<typeof setTimeout> | undefined;
    let finished = false;
    const finish = () => {
      if (finished) return;
      finished = true;
      if (timer !== undefined) clearTimeout(timer);
      for (const off of offs) off();
      resolve();
    };
    for (const f of notDone) {
      offs.push(f._onDone(() => {
        if (finished) return;
        notDone.delete(f);
        done.add(f);
        if (_satisfied(done, notDone, returnWhen)) finish();
      }));
    }
    if (!finished && ms !== Infinity) timer = setTimeout(finish, ms);
  });
  return { done, notDone };
}
