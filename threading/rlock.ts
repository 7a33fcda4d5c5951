/**
 * RLock: a re-entrant lock owned by the thread that acquired it.
 *
 * @module
 */
import { agent } from "../_internal/runtime/agent.ts";
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

const _SHARE_URL = shareUrl(import.meta.url, "threading/rlock.ts");

/** Slots of an RLock's shared words. */
const _RLockWord = {
  /** The futex mutex (see `_internal/sync/mutex.ts`); taken and freed by the owning thread. */
  Mutex: 0,
  /** The ident of the owning thread, 0 when free; written by the owner only. */
  Owner: 1,
  /** How many times the owner has acquired it; written by the owner only. */
  Count: 2,
  /** How many words there are. */
  Size: 3,
} as const;

/**
 * A re-entrant lock, as Python's `threading.RLock`: the thread that holds it
 * may acquire it again, and must release it as many times; only the owner
 * may release it. Ownership is per thread (per worker): async code in one
 * thread shares that thread's ownership, as Python's does.
 *
 * @example
 * ```ts
 * import { RLock } from "@pyconc/pyconc/threading";
 * const lock = new RLock();
 * lock.acquireSync();
 * lock.acquireSync();
 * lock.release();
 * console.assert(lock.locked());
 * lock.release();
 * console.assert(!lock.locked());
 * ```
 */
export class RLock {
  readonly #sab: SharedArrayBuffer;
  readonly #i32: Int32Array;
  readonly #id: number;

  /** Creates an unlocked re-entrant lock. */
  constructor() {
    const { state, id } = adoptedState<SharedArrayBuffer>();
    this.#sab = state ?? new SharedArrayBuffer(_RLockWord.Size * 4);
    this.#i32 = new Int32Array(this.#sab);
    this.#id = id;
    remember(id, this);
  }

  #reenter(): boolean {
    if (Atomics.load(this.#i32, _RLockWord.Owner) !== agent.ident) return false;
    Atomics.add(this.#i32, _RLockWord.Count, 1);
    return true;
  }

  #own(count: number): void {
    Atomics.store(this.#i32, _RLockWord.Owner, agent.ident);
    Atomics.store(this.#i32, _RLockWord.Count, count);
  }

  /**
   * Acquires the lock, or adds a level when this thread holds it already;
   * waits without blocking the event loop. Resolves to whether it got it.
   *
   * @throws {ValueError} a negative timeout, or a timeout with `blocking: false`.
   */
  async acquire(options?: boolean | AcquireOptions): Promise<boolean> {
    const ms = acquireWaitMs(options);
    if (this.#reenter()) return true;
    if (
      !tryLock(this.#i32, _RLockWord.Mutex) &&
      !await lockAsync(this.#i32, _RLockWord.Mutex, ms)
    ) return false;
    this.#own(1);
    return true;
  }

  /**
   * The blocking twin of {@linkcode RLock.acquire}.
   *
   * @throws {ValueError} a negative timeout, or a timeout with `blocking: false`.
   */
  acquireSync(options?: boolean | AcquireOptions): boolean {
    const ms = acquireWaitMs(options);
    if (this.#reenter()) return true;
    if (
      !tryLock(this.#i32, _RLockWord.Mutex) &&
      !lockSync(this.#i32, _RLockWord.Mutex, ms)
    ) {
      return false;
    }
    this.#own(1);
    return true;
  }

  /**
   * Releases one level; the lock is free when the last level is released.
   *
   * @throws {RuntimeError} "cannot release un-acquired lock" when this thread does not hold it.
   */
  release(): void {
    if (Atomics.load(this.#i32, _RLockWord.Owner) !== agent.ident) {
      throw new RuntimeError("cannot release un-acquired lock");
    }
    if (Atomics.sub(this.#i32, _RLockWord.Count, 1) === 1) {
      Atomics.store(this.#i32, _RLockWord.Owner, 0);
      unlock(this.#i32, _RLockWord.Mutex);
    }
  }

  /** Whether some thread holds the lock. */
  locked(): boolean {
    return Atomics.load(this.#i32, _RLockWord.Mutex) !== 0;
  }

  /** Acquires the lock and returns a handle that releases it when disposed (`using`). */
  async hold(options?: AcquireOptions): Promise<Held> {
    return held(await this.acquire(options), () => this.release(), "RLock");
  }

  /** The blocking twin of {@linkcode RLock.hold}. */
  holdSync(options?: AcquireOptions): Held {
    return held(this.acquireSync(options), () => this.release(), "RLock");
  }

  /** @internal Condition protocol: release every level, returning the count. */
  _releaseSave(): unknown {
    if (Atomics.load(this.#i32, _RLockWord.Owner) !== agent.ident) {
      throw new RuntimeError("cannot release un-acquired lock");
    }
    const count = Atomics.load(this.#i32, _RLockWord.Count);
    Atomics.store(this.#i32, _RLockWord.Count, 0);
    Atomics.store(this.#i32, _RLockWord.Owner, 0);
    unlock(this.#i32, _RLockWord.Mutex);
    return count;
  }

  /** @internal Condition protocol: take the lock back with its saved count. */
  _acquireRestore(saved: unknown): void {
    lockSync(this.#i32, _RLockWord.Mutex, Infinity);
    this.#own(saved as number);
  }

  /** @internal Condition protocol, async form. */
  async _acquireRestoreAsync(saved: unknown): Promise<void> {
    await lockAsync(this.#i32, _RLockWord.Mutex, Infinity);
    this.#own(saved as number);
  }

  /** @internal Condition protocol: whether this thread holds it. */
  _isOwned(): boolean {
    return Atomics.load(this.#i32, _RLockWord.Owner) === agent.ident;
  }

  /** @internal Describes this lock for another thread. */
  [SHARE](): SharedDescriptor {
    return {
      url: _SHARE_URL,
      name: "RLock",
      id: this.#id,
      state: this.#sab,
    };
  }

  /** @internal Rebuilds a handle in another thread. */
  static _fromShared(state: unknown, id: number): RLock {
    return adopt(RLock, state, id);
  }

  /** A short description, as Python's repr. */
  toString(): string {
    const owner = Atomics.load(this.#i32, _RLockWord.Owner);
    return `<${
      this.locked() ? "locked" : "unlocked"
    } threading.RLock object owner=${owner} count=${
      Atomics.load(this.#i32, _RLockWord.Count)
    }>`;
  }
}
registerShareable(_SHARE_URL, "RLock", RLock);
