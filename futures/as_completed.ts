/**
 * asCompleted(): the futures of a set, in the order they finish.
 *
 * @module
 */
import { TimeoutError } from "../_internal/core/errors.ts";
import { timeoutToMs } from "../_internal/core/time.ts";
import type { Future } from "./future.ts";

/**
 * An async iterable over the futures in `fs` (from any executors;
 * duplicates are yielded once) that yields each future itself as it
 * finishes or is cancelled, those already done first, as Python's
 * `concurrent.futures.as_completed`.
 *
 * `timeout` counts from the call. When it passes with futures left, the
 * iteration throws {@linkcode TimeoutError} "N (of M) futures unfinished".
 * Stopping early (`break`) detaches the iterator from the futures; it never
 * cancels them.
 *
 * The iterator is written by hand rather than as an async generator, so
 * the values are the futures themselves (an async generator would await a
 * yielded thenable and give its result instead). TypeScript, though, types
 * the variable of a `for await` loop as the awaited value (the result type
 * here), so in TypeScript name the type of the future you get:
 * `for await (const f of asCompleted(fs)) { const future = f as unknown as Future<T>; }`,
 * or call `next()` yourself.
 *
 * @param fs The futures.
 * @param timeout Seconds for the whole iteration; `null` or omitted waits forever.
 * @returns An async iterable of the same futures.
 * @throws {TimeoutError} (during iteration) not all futures finished in time.
 * @throws {ValueError} a negative timeout.
 *
 * @example Results in the order they arrive
 * ```ts
 * import { asCompleted, Future } from "@pyconc/pyconc/futures";
 * const slow = new Future<string>();
 * const fast = new Future<string>();
 * setTimeout(() => slow.setResult("slow"), 20);
 * setTimeout(() => fast.setResult("fast"), 5);
 * const order: string[] = [];
 * for await (const f of asCompleted([slow, fast])) {
 *   const future = f as unknown as Future<string>; // see the TypeScript note
 *   order.push(await future.result());
 * }
 * console.assert(order.join() === "fast,slow");
 * ```
 */
export function asCompleted<T>(
  fs: Iterable<Future<T>>,
  timeout?: number | null,
): AsyncIterableIterator<Future<T>> {
  const ms = timeoutToMs(timeout);
  const end = performance.now() + ms;
  const all = new Set(fs);
  const total = all.size;
  const ready: Future<T>[] = [];
  const pending = new Set<Future<T>>();
  for (const f of all) {
    if (f.done()) ready.push(f);
    else pending.add(f);
  }
  const offs = new Map<Future<T>, () => void>();
  let wake: (() => void) | null = null;
  let closed = false;
  for (const f of pending) {
    offs.set(
      f,
      f._onDone(() => {
        pending.delete(f);
        offs.delete(f);
        ready.push(f);
        wake?.();
      }),
    );
  }
  const detach = () => {
    closed = true;
    for (const off of offs.values()) off();
    offs.clear();
    pending.clear();
    ready.length = 0;
  };
  const iterator: AsyncIterableIterator<Future<T>> = {
    async next(): Promise<IteratorResult<Future<T>>> {
      for (;;) {
        if (closed) return { done: true, value: undefined };
        const f = ready.shift();
        if (f) return { done: false, value: f };
        if (pending.size === 0) {
          detach();
          return { done: true, value: undefined };
        }
        const left = end - performance.now();
        if (left <= 0) {
          const n = pending.size;
          detach();
          throw new TimeoutError(`${n} (of ${total}) futures unfinished`);
        }
        await new Promise<void>((resolve) => {
          let timer: ReturnType<typeof setTimeout> | undefined;
          wake = () => {
            wake = null;
            if (timer !== undefined) clearTimeout(timer);
            resolve();
          };
          if (left !== Infinity) timer = setTimeout(() => wake?.(), left);
        });
      }
    },
    return(): Promise<IteratorResult<Future<T>>> {
      detach();
      return Promise.resolve({ done: true, value: undefined });
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
  return iterator;
}
