/**
 * {@linkcode SemLock}, what Lock and RLock share: acquire with Python's
 * `{ blocking, timeout }`, release, and the `using` forms.
 *
 * @module
 */
import {
  type AcquireOptions,
  acquireWaitMs,
} from "../threading/_acquire_args.ts";
import { type Held, held } from "../threading/_held.ts";
import { agent } from "../_internal/runtime/agent.ts";
import type { ShmLoc } from "../_internal/shm/arena.ts";
import { pid } from "../_internal/runtime/adapter.ts";
import {
  lockAcquire,
  lockAcquireSync,
  lockCount,
  lockIsOwner,
  lockLocked,
  lockRelease,
} from "../_internal/shm/sync.ts";
import { _shmBlock, BaseProxy } from "./_proxy.ts";

/** This process, and this thread, as the owner words of a lock name them. */
const _PID = pid();
const _TID = agent.ident;

export type { AcquireOptions, Held };

/**
 * @internal The init state of a new Lock or RLock: its block of shared
 * memory (16 bytes: the words of `LockWord`), or `null` where this thread
 * has none (the lock is then served by this thread's server).
 */
export function _lockState(): { m: ShmLoc } | null {
  const m = _shmBlock(16);
  return m ? { m } : null;
}

/**
 * What {@linkcode Lock} and {@linkcode RLock} share, as Python's
 * `multiprocessing.synchronize.SemLock`: `acquire` with `{ blocking,
 * timeout }`, `release`, `locked`, and `hold` for `using` blocks.
 *
 * @example
 * ```ts
 * import { Lock, SemLock } from "@pyconc/pyconc/multiprocessing";
 * const lock: SemLock = new Lock();
 * console.assert(await lock.acquire());
 * lock.release();
 * ```
 */
export abstract class SemLock extends BaseProxy {
  /** @internal Whether the lock is re-entrant (an RLock). */
  protected abstract get _recursive(): boolean;

  /**
   * Acquires the lock, waiting without blocking the event loop.
   *
   * - `acquire()` waits as long as it takes and resolves to `true`;
   * - `acquire({ timeout: s })` waits at most `s` seconds and resolves to
   *   whether it got the lock;
   * - `acquire({ blocking: false })` or `acquire(false)` only tries.
   *
   * @param options `{ blocking = true, timeout = null }`, or a boolean `blocking`.
   * @returns Whether the lock was acquired.
   * @throws {ValueError} a negative timeout, or a timeout with `blocking: false`.
   */
  acquire(options?: boolean | AcquireOptions): Promise<boolean> {
    let ms: number;
    try {
      ms = acquireWaitMs(options);
    } catch (err) {
      return Promise.reject(err);
    }
    const c = this._cell;
    if (c !== null) {
      return lockAcquire(c, _PID, _TID, this._recursive, ms, 1, null, this);
    }
    return this._call("acquire", ms) as Promise<boolean>;
  }

  /**
   * The blocking twin of `acquire`: blocks this thread.
   *
   * @param options `{ blocking = true, timeout = null }`, or a boolean `blocking`.
   * @returns Whether the lock was acquired.
   * @throws {ValueError} a negative timeout, or a timeout with `blocking: false`.
   */
  acquireSync(options?: boolean | AcquireOptions): boolean {
    const ms = acquireWaitMs(options);
    const c = this._cell;
    if (c !== null) {
      return lockAcquireSync(c, _PID, _TID, this._recursive, ms);
    }
    return this._callSync("acquire", ms) as boolean;
  }

  /**
   * Releases the lock (without a system call when nobody waits; a short
   * blocking call to the process serving it where shared memory is not
   * available).
   */
  release(): void {
    const c = this._cell;
    if (c !== null) lockRelease(c, _PID, _TID, this._recursive);
    else this._callSync("release");
  }

  /** Whether some process holds the lock. */
  locked(): boolean {
    const c = this._cell;
    if (c !== null) return lockLocked(c);
    return this._callSync("locked") as boolean;
  }

  /** @internal The recursion count (0 when free). */
  _count(): number {
    const c = this._cell;
    if (c !== null) return lockCount(c);
    return this._callSync("count") as number;
  }

  /** @internal Whether the calling thread owns the lock. */
  _owned(): boolean {
    const c = this._cell;
    if (c !== null) return lockIsOwner(c, _PID, _TID);
    return this._callSync("owned") as boolean;
  }

  /**
   * Acquires the lock and returns a handle that releases it when disposed.
   *
   * @param options `{ blocking, timeout }` as for `acquire`.
   * @returns A handle for `using`.
   * @throws {TimeoutError} the lock could not be acquired in time.
   */
  async hold(options?: AcquireOptions): Promise<Held> {
    return held(await this.acquire(options), () => this.release(), "lock");
  }

  /**
   * The blocking twin of `hold`.
   *
   * @param options `{ blocking, timeout }` as for `acquire`.
   * @returns A handle for `using`.
   * @throws {TimeoutError} the lock could not be acquired in time.
   */
  holdSync(options?: AcquireOptions): Held {
    return held(this.acquireSync(options), () => this.release(), "lock");
  }
}
