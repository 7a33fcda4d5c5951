/**
 * RLock: a re-entrant lock shared by processes.
 *
 * @module
 */
import { _lockState, SemLock } from "./_lock_base.ts";
import { _adopting, _newRef } from "./_proxy.ts";

/**
 * A re-entrant lock shared by processes, as Python's
 * `multiprocessing.RLock`: owned by the thread (of some process) that
 * acquired it, which may acquire it again and must release it as many
 * times. Only the owner may release it. When the owning process dies, the
 * lock is released. It lives in shared memory, as {@linkcode Lock} does.
 *
 * @example
 * ```ts
 * import { RLock } from "@pyconc/pyconc/multiprocessing";
 * const lock = new RLock();
 * await lock.acquire();
 * await lock.acquire();
 * lock.release();
 * console.assert(lock.locked());
 * lock.release();
 * console.assert(!lock.locked());
 * ```
 */
export class RLock extends SemLock {
  /** Creates an unlocked re-entrant lock. */
  constructor() {
    super(_adopting() ?? _newRef("rlock", _lockState()));
  }

  /**
   * Releases one level of ownership.
   *
   * @throws {RuntimeError} "cannot release un-acquired lock" when the caller does not own it.
   */
  override release(): void {
    super.release();
  }

  /** @internal */
  protected get _recursive(): boolean {
    return true;
  }

  /** A short description, as Python's repr. */
  override toString(): string {
    const n = this._count();
    return n === 0
      ? "<RLock(None, 0)>"
      : `<RLock(${this._owned() ? "MainThread" : "SomeOtherThread"}, ${n})>`;
  }
}
