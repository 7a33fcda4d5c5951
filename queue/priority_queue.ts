/**
 * `PriorityQueue`: Python's `queue.PriorityQueue` with heapq's exact heap,
 * shared across workers.
 *
 * @module
 */
import { shareUrl } from "../_internal/share/codec.ts";
import { registerQueueClass } from "./_classes.ts";
import { IndexKind } from "./_layout.ts";
import { Queue, type QueueOptions } from "./queue.ts";

const _SHARE_URL = shareUrl(import.meta.url, "queue/priority_queue.ts");

/** Options of the {@linkcode PriorityQueue} constructor. */
export interface PriorityQueueOptions<T = unknown> extends QueueOptions {
  /**
   * A custom order instead of Python's `<`: negative when `a` comes first,
   * as for `Array.prototype.sort`. Its source is sent to every worker the
   * queue is passed to, so it must not close over local variables.
   */
  compare?: ((a: T, b: T) => number) | null;
}

/**
 * A priority queue, as Python's `queue.PriorityQueue`: the lowest item is
 * retrieved first. The items are kept in a binary heap exactly as CPython's
 * `heapq` keeps them (the `queue` snapshot is that heap array, equal to
 * CPython's `q.queue` after the same puts and gets).
 *
 * Items are ordered the way Python's `<` orders them: numbers, bigints and
 * booleans together (booleans as 0 and 1), strings by code point, `Date`s
 * by time, `Uint8Array`s as `bytes`, and arrays lexicographically like
 * tuples, so `[priority, data]` pairs work as in Python. Comparing values
 * Python could not compare (a string with a number, `null`, plain objects)
 * throws `TypeError` "'<' not supported between instances of 'str' and
 * 'int'"; the queue is left as it was. `{ compare }` sets a custom order.
 *
 * @typeParam T the type of the items.
 *
 * @example Tuples of priority and data
 * ```ts
 * import { PriorityQueue } from "@pyconc/pyconc/queue";
 * const q = new PriorityQueue<[number, string]>();
 * q.putNowait([2, "code"]);
 * q.putNowait([1, "eat"]);
 * q.putNowait([3, "sleep"]);
 * console.assert(q.getNowait()[1] === "eat");
 * ```
 *
 * @example A custom order
 * ```ts
 * import { PriorityQueue } from "@pyconc/pyconc/queue";
 * const q = new PriorityQueue<{ due: number }>({ compare: (a, b) => a.due - b.due });
 * q.putNowait({ due: 5 });
 * q.putNowait({ due: 1 });
 * console.assert(q.getNowait().due === 1);
 * ```
 */
export class PriorityQueue<T = unknown> extends Queue<T> {
  /**
   * Creates a priority queue holding at most `maxsize` items (unbounded
   * when 0 or less, the default).
   *
   * @param maxsize the bound, or `{ maxsize, compare }`.
   * @throws {TypeError} a `maxsize` that is not a number, or a `compare` that is not a function.
   */
  constructor(maxsize: number | PriorityQueueOptions<T> = 0) {
    super(maxsize as number | QueueOptions);
  }
}
registerQueueClass(PriorityQueue, {
  kind: IndexKind.Heap,
  url: _SHARE_URL,
  name: "PriorityQueue",
});
