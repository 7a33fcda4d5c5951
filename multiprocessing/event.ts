/**
 * Event: a flag that processes wait for.
 *
 * @module
 */
import { timeoutToMs } from "../_internal/core/time.ts";
import type { ShmLoc } from "../_internal/shm/arena.ts";
import {
  eventClear,
  eventIsSet,
  eventSet,
  eventWait,
  eventWaitSync,
} from "../_internal/shm/sync.ts";
import { _adopting, _newRef, _shmBlock, BaseProxy } from "./_proxy.ts";

/**
 * A flag shared by processes, as Python's `multiprocessing.Event`: `set()`
 * wakes every waiter, `clear()` resets it, `wait(timeout)` waits until it
 * is set. `wait` is async and `waitSync` blocks the calling thread. The
 * flag lives in memory every process maps (waiters sleep on a futex), or,
 * where that is not available, in the process that made the event. As in
 * CPython (gh-57711), `wait` returns `true` when `set()` happened during
 * the wait even if `clear()` followed at once.
 *
 * @example Tell a child to go
 * ```ts
 * import { Event } from "@pyconc/pyconc/multiprocessing";
 * const go = new Event();
 * console.assert(!(await go.wait(0.01)));
 * go.set();
 * console.assert(go.isSet() && await go.wait());
 * go.clear();
 * console.assert(!go.isSet());
 * ```
 */
export class Event extends BaseProxy {
  /** Creates an event whose flag is not set. */
  constructor() {
    // The flag lives in a block of shared memory (the words of
    // `EventWord`) where this thread has one.
    super(_adopting() ?? _newRef("event", _eventState()));
  }

  /**
   * Whether the flag is set.
   *
   * @returns The flag.
   */
  isSet(): boolean {
    const c = this._cell;
    if (c !== null) return eventIsSet(c);
    return this._callSync("isSet") as boolean;
  }

  /** Sets the flag, waking every waiter. */
  set(): void {
    const c = this._cell;
    if (c !== null) eventSet(c);
    else this._callSync("set");
  }

  /** Resets the flag. */
  clear(): void {
    const c = this._cell;
    if (c !== null) eventClear(c);
    else this._callSync("clear");
  }

  /**
   * Waits until the flag is set, or `timeout` seconds pass.
   *
   * @param timeout Seconds; forever when omitted or `null`.
   * @returns `true` when the flag was set, `false` on timeout.
   * @throws {ValueError} a negative timeout.
   */
  wait(timeout?: number | null): Promise<boolean> {
    let ms: number;
    try {
      ms = timeoutToMs(timeout);
    } catch (err) {
      return Promise.reject(err);
    }
    const c = this._cell;
    if (c !== null) return eventWait(c, ms, null, this);
    return this._call("wait", ms) as Promise<boolean>;
  }

  /**
   * The blocking twin of {@linkcode Event.wait}.
   *
   * @param timeout Seconds; forever when omitted or `null`.
   * @returns `true` when the flag was set, `false` on timeout.
   * @throws {ValueError} a negative timeout.
   */
  waitSync(timeout?: number | null): boolean {
    const ms = timeoutToMs(timeout);
    const c = this._cell;
    if (c !== null) return eventWaitSync(c, ms);
    return this._callSync("wait", ms) as boolean;
  }

  /** A short description, as Python's repr. */
  override toString(): string {
    return `<Event(${this.isSet() ? "set" : "unset"})>`;
  }
}

function _eventState(): { m: ShmLoc } | null {
  const m = _shmBlock(16);
  return m ? { m } : null;
}
