/**
 * JoinableQueue: a Queue that counts unfinished tasks.
 *
 * @module
 */
import { Deadline, timeoutToMs } from "../_internal/core/time.ts";
import { Queue } from "./queues.ts";

/**
 * A {@linkcode Queue} that also counts unfinished tasks, as Python's
 * `multiprocessing.JoinableQueue`: each `put` adds one, each `taskDone`
 * removes one, and `join` waits until none is left.
 *
 * @example
 * ```ts
 * import { JoinableQueue } from "@pyconc/pyconc/multiprocessing";
 * const q = new JoinableQueue<number>();
 * await q.put(1);
 * await q.joinThread();
 * await q.get();
 * q.taskDone();
 * await q.join();
 * ```
 */
export class JoinableQueue<T = unknown> extends Queue<T> {
  /**
   * @internal Puts from another process resolve once written, so that a
   * `joinSync` after them counts them.
   */
  override get _putsAwaitWrite(): boolean {
    return true;
  }

  /**
   * Says that an item taken with `get` has been dealt with.
   *
   * @throws {ValueError} "task_done() called too many times".
   */
  taskDone(): void {
    if (this._local) this._local.taskDone();
    else this._callSync("taskDone");
  }

  /**
   * Waits until every item put has been marked done.
   *
   * @returns A promise that settles when no task is unfinished.
   */
  async join(): Promise<void> {
    await this.joinThread();
    if (this._local) await this._local.join();
    else await this._call("join", Infinity);
  }

  /**
   * The blocking twin of {@linkcode JoinableQueue.join}; with a timeout it
   * returns whether the count reached zero in time.
   *
   * @param timeout Seconds; forever when omitted or `null`.
   * @returns `true` when no task is unfinished, `false` on timeout.
   */
  joinSync(timeout?: number | null): boolean {
    const ms = timeoutToMs(timeout);
    const local = this._local;
    if (!local) return this._callSync("join", ms) !== false;
    if (ms === Infinity) {
      local.joinSync();
      return true;
    }
    const deadline = new Deadline(ms);
    const cell = new Int32Array(new SharedArrayBuffer(4));
    while (local.unfinishedTasks > 0) {
      if (deadline.expired()) return false;
      Atomics.wait(cell, 0, 0, Math.min(5, deadline.remainingMs()));
    }
    return true;
  }
}
