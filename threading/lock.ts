/**
 * Lock: a mutual-exclusion lock in shared memory, usable from every thread.
 *
 * @module
 */
import {
  registerShareable,
  SHARE,
  type SharedDescriptor,
  shareUrl,
} from "../_internal/share/codec.ts";
import { RuntimeError } from "../_internal/core/errors.ts";
import {
  lockAsync,
  lockSync,
  tryLock,
  unlock,
} from "../_internal/sync/mutex.ts";
import {
  adopt,
  adoptedState,
  remember,
} from "../_internal/share/shared_object.ts";
import { type AcquireOptions, acquireWaitMs } from "./_acquire_args.ts";
import { type Held, held } from "./_held.ts";

const _SHARE_URL = shareUrl(import.meta.url, "threading/lock.ts");

/**
 * A primitive lock, as Python's `threading.Lock`: not owned by a thread, so
 * any thread may release it. It lives in a `SharedArrayBuffer`; passing it
 * to a thread, task or worker hands over a live handle to the same lock.
 *
 * The plain `acquire` is async and never blocks the event loop;
 * `acquireSync` blocks the calling thread (meant for workers and scripts).
 *
 * @example Guarding a counter
 * ```ts
 * import { Lock } from "@pyconc/pyconc/threading";
 * const lock = new Lock();
 * await lock.acquire();
 * console.assert(lock.locked());
 * lock.release();
 * {
 *   using _held = lock.holdSync();
 *   console.assert(lock.locked());
 * }
 * console.assert(!lock.locked());
 * ```
 */
export class Lock {
  readonly #sab: SharedArrayBuffer;
  readonly #i32: Int32Array;
  readonly #id: number;

  /** Creates an unlocked lock. */
  constructor() {
    const { state, id } = adoptedState<SharedArrayBuffer>();
    this.#sab = state ?? new SharedArrayBuffer(4);
    this.#i32 = new Int32Array(this.#sab);
    this.#id = id;
    remember(id, this);
  }

  /**
   * Acquires the lock, waiting without blocking the event loop.
   *
   * - `acquire()` waits as long as it takes and resolves to `true`;
   * - `acquire({ timeout: s })` waits at most `s` seconds and resolves to
   *   whether it got the lock;
   * - `acquire({ blocking: false })` or `acquire(false)` only tries.
   *
   * @throws {ValueError} a negative timeout, or a timeout with `blocking: false`.
   */
  acquire(options?: boolean | AcquireOptions): Promise<boolean> {
    let ms: number;
    try {
      ms = options === undefined ? Infinity : acquireWaitMs(options);
    } catch (err) {
      return Promise.reject(err);
    }
    if (tryLock(this.#i32, 0)) return Promise.resolve(true);
    return lockAsync(this.#i32, 0, ms);
  }

  /**
   * The blocking twin of {@linkcode Lock.acquire}: blocks this thread.
   *
   * @throws {ValueError} a negative timeout, or a timeout with `blocking: false`.
   */
  acquireSync(options?: boolean | AcquireOptions): boolean {
    const ms = options === undefined ? Infinity : acquireWaitMs(options);
    if (tryLock(this.#i32, 0)) return true;
    return lockSync(this.#i32, 0, ms);
  }

  /**
   * Releases the lock; any thread may release it.
   *
   * @throws {RuntimeError} "release unlocked lock" when it is not locked.
   */
  release(): void {
    if (!unlock(this.#i32, 0)) throw new RuntimeError("release unlocked lock");
  }

  /** Whether some thread holds the lock. */
  locked(): boolean {
    return Atomics.load(this.#i32, 0) !== 0;
  }

  /** Acquires the lock and returns a handle that releases it when disposed (`using`). */
  async hold(options?: AcquireOptions): Promise<Held> {
    return held(await this.acquire(options), () => this.release(), "Lock");
  }

  /** The blocking twin of {@linkcode Lock.hold}. */
  holdSync(options?: AcquireOptions): Held {
    return held(this.acquireSync(options), () => this.release(), "Lock");
  }

  /** @internal Condition protocol: release, returning what restores it. */
  _releaseSave(): unknown {
    this.release();
    return null;
  }

  /** @internal Condition protocol: acquire again after a wait. */
  _acquireRestore(_saved: unknown): void {
    this.acquireSync();
  }

  /** @internal Condition protocol, async form. */
  async _acquireRestoreAsync(_saved: unknown): Promise<void> {
    await this.acquire();
  }

  /** @internal Condition protocol: whether the caller holds it (a guess for a plain Lock, as in Python). */
  _isOwned(): boolean {
    return this.locked();
  }

  /** @internal Describes this lock for another thread. */
  [SHARE](): SharedDescriptor {
    return {
      url: _SHARE_URL,
      name: "Lock",
      id: this.#id,
      state: this.#sab,
    };
  }

  /** @internal Rebuilds a handle in another thread. */
  static _fromShared(state: unknown, id: number): Lock {
    return adopt(Lock, state, id);
  }

  /** A short description, as Python's repr. */
  toString(): string {
    return `<${this.locked() ? "locked" : "unlocked"} threading.Lock object>`;
  }
}
registerShareable(_SHARE_URL, "Lock", Lock);
