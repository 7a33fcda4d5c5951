// What Lock and RLock share: acquire with Python's { blocking, timeout },
// release, and the `using` forms.
import {
  type AcquireOptions,
  acquireWaitMs,
} from "../threading/_acquire_args.ts";
import { type Held, held } from "../threading/_held.ts";
import { BaseProxy } from "./_proxy.ts";

export type { AcquireOptions, Held };

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
    return this._callSync("acquire", acquireWaitMs(options)) as boolean;
  }

  /** Releases the lock (a short blocking call to the process serving it). */
  release(): void {
    this._callSync("release");
  }

  /** Whether some process holds the lock. */
  locked(): boolean {
    return this._callSync("locked") as boolean;
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
