/**
 * Lock: a mutual-exclusion lock shared by processes.
 *
 * @module
 */
import { _lockState, SemLock } from "./_lock_base.ts";
import { _adopting, _newRef } from "./_proxy.ts";

/**
 * A non-recursive lock that any number of processes (and their threads)
 * share, as Python's `multiprocessing.Lock`. Pass it to a
 * {@linkcode Process} or a pool task and the child gets a live handle.
 *
 * The lock lives in memory that every process maps (as CPython's
 * semaphores do): taking and releasing a free lock costs a few atomic
 * operations and no system call, and waiters sleep in the kernel (futex).
 * Where shared memory is not available (Deno without the ffi permission,
 * or not Linux), the process that created the lock serves it instead,
 * one round trip over a local socket per operation. `acquire` is async,
 * `acquireSync` blocks the calling thread; `release` never waits. Once
 * acquired, any process may release it, as in Python. When a process dies
 * holding it, the lock is released, so the others do not hang.
 *
 * @example Guarding a shared counter
 * ```ts
 * import { Lock } from "@pyconc/pyconc/multiprocessing";
 * const lock = new Lock();
 * console.assert(await lock.acquire());
 * console.assert(lock.locked());
 * lock.release();
 * {
 *   using _held = await lock.hold();
 *   console.assert(!(await lock.acquire({ blocking: false })));
 * }
 * console.assert(!lock.locked());
 * ```
 */
export class Lock extends SemLock {
  /** Creates an unlocked lock. */
  constructor() {
    super(_adopting() ?? _newRef("lock", _lockState()));
  }

  /** @internal */
  protected get _recursive(): boolean {
    return false;
  }

  /** A short description, as Python's repr. */
  override toString(): string {
    return `<Lock(owner=${this.locked() ? "SomeOtherProcess" : "None"})>`;
  }
}
