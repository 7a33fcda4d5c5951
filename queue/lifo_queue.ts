// LifoQueue: Python's last-in, first-out queue.LifoQueue, shared across workers.
import { registerQueueClass } from "./_classes.ts";
import { Kind } from "./_layout.ts";
import { Queue } from "./queue.ts";

/**
 * A last-in, first-out queue (a stack), as Python's `queue.LifoQueue`: the
 * most recently added item is retrieved first. Everything else, including
 * sharing with workers, is as for {@linkcode Queue}; its `queue` snapshot
 * lists the items bottom first, the next to be retrieved last.
 *
 * @typeParam T the type of the items.
 *
 * @example
 * ```ts
 * import { LifoQueue } from "@pyconc/pyconc/queue";
 * const q = new LifoQueue<string>();
 * for (const s of ["a", "b", "c"]) q.putNowait(s);
 * console.assert(q.queue.join() === "a,b,c");
 * console.assert(q.getNowait() === "c");
 * ```
 */
export class LifoQueue<T = unknown> extends Queue<T> {}
registerQueueClass(LifoQueue, {
  kind: Kind.Lifo,
  url: import.meta.url,
  name: "LifoQueue",
});
