/**
 * `LifoQueue`: Python's last-in, first-out `queue.LifoQueue`, shared
 * across workers.
 *
 * @module
 */
import { shareUrl } from "../_internal/share/codec.ts";
import { registerQueueClass } from "./_classes.ts";
import { IndexKind } from "./_layout.ts";
import { Queue } from "./queue.ts";

const _SHARE_URL = shareUrl(import.meta.url, "queue/lifo_queue.ts");

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
  kind: IndexKind.Lifo,
  url: _SHARE_URL,
  name: "LifoQueue",
});
