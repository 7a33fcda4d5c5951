/**
 * Condition: wait until notified, with a wake-up slot per waiter.
 *
 * @module
 */
import {
  registerShareable,
  SHARE,
  type SharedDescriptor,
  shareUrl,
} from "../_internal/share/codec.ts";
import { RuntimeError, ValueError } from "../_internal/core/errors.ts";
import {
  adopt,
  adoptedState,
  remember,
} from "../_internal/share/shared_object.ts";
import { Deadline, timeoutToMs } from "../_internal/core/time.ts";
import { waitAsync, waitSync } from "../_internal/sync/wait.ts";
import type { AcquireOptions } from "./_acquire_args.ts";
import { Lock } from "./lock.ts";
import { RLock } from "./rlock.ts";
import type { Held } from "./_held.ts";

const _SHARE_URL = shareUrl(import.meta.url, "threading/condition.ts");

/** The lock types a Condition can be built on. */
export type ConditionLock = Lock | RLock;

/**
 * The states of a waiter's wake-up slot (one word per slot); every write
 * happens with the condition's lock held.
 */
const _SlotState = {
  /** No waiter owns the slot; written by the waiter when it takes its slot back. */
  Free: 0,
  /** A waiter sleeps on it; written by the waiter before it releases the lock. */
  Waiting: 1,
  /** Woken; written by `notify()`. */
  Notified: 2,
} as const;

/**
 * Header words of the order list (the waiters' slots, oldest first, which
 * follow the header); written with the condition's lock held.
 */
const _OrderWord = {
  /** How many waiters are in the list; written by a waiter and by `notify()`. */
  Count: 0,
  /** How many slots exist; written by the waiter that grows them. */
  Capacity: 1,
  /** How many header words there are: the list starts here. */
  Size: 2,
} as const;

const _INITIAL_SLOTS = 16;
const _MAX_SLOTS = 1 << 20;

interface _State {
  lock: ConditionLock;
  order: SharedArrayBuffer;
  slots: SharedArrayBuffer;
}

/**
 * A condition variable, as Python's `threading.Condition`: threads wait
 * until another notifies them, always while holding the condition's lock.
 *
 * Every waiter gets its own wake-up slot in shared memory, and `notify(n)`
 * wakes exactly the `n` oldest waiters, even across workers. A waiter that
 * times out takes its slot back, so a later `notify` is never spent on it.
 *
 * @example Waiting for a value
 * ```ts
 * import { Condition } from "@pyconc/pyconc/threading";
 * const cond = new Condition();
 * await cond.acquire();
 * const notified = await cond.wait(0.01);
 * cond.release();
 * console.assert(notified === false);
 * ```
 */
export class Condition {
  readonly #lock: ConditionLock;
  readonly #orderSab: SharedArrayBuffer;
  readonly #slotSab: SharedArrayBuffer;
  // Fixed-length views (V8 is far slower on length-tracking views over
  // growable memory), rebuilt by #refresh() when another thread grew it.
  #order: Int32Array;
  #slots: Int32Array;
  readonly #id: number;

  /**
   * Creates a condition over `lock` (a new {@linkcode RLock} when omitted).
   *
   * @throws {TypeError} a lock that is not a threading `Lock` or `RLock`.
   */
  constructor(lock?: ConditionLock | null) {
    const { state, id } = adoptedState<_State>();
    this.#id = id;
    if (state) {
      this.#lock = state.lock;
      this.#orderSab = state.order;
      this.#slotSab = state.slots;
    } else {
      if (
        lock !== undefined && lock !== null && !(lock instanceof Lock) &&
        !(lock instanceof RLock)
      ) {
        throw new TypeError("Condition() takes a threading Lock or RLock");
      }
      this.#lock = lock ?? new RLock();
      const growable = { maxByteLength: (_OrderWord.Size + _MAX_SLOTS) * 4 };
      this.#orderSab = new SharedArrayBuffer(
        (_OrderWord.Size + _INITIAL_SLOTS) * 4,
        growable,
      );
      this.#slotSab = new SharedArrayBuffer(_INITIAL_SLOTS * 4, {
        maxByteLength: _MAX_SLOTS * 4,
      });
      Atomics.store(
        new Int32Array(this.#orderSab),
        _OrderWord.Capacity,
        _INITIAL_SLOTS,
      );
    }
    this.#order = new Int32Array(
      this.#orderSab,
      0,
      this.#orderSab.byteLength / 4,
    );
    this.#slots = new Int32Array(
      this.#slotSab,
      0,
      this.#slotSab.byteLength / 4,
    );
    remember(id, this);
  }

  /** Acquires the underlying lock (see {@linkcode Lock.acquire}). */
  acquire(options?: boolean | AcquireOptions): Promise<boolean> {
    return this.#lock.acquire(options);
  }

  /** Acquires the underlying lock, blocking (see {@linkcode Lock.acquireSync}). */
  acquireSync(options?: boolean | AcquireOptions): boolean {
    return this.#lock.acquireSync(options);
  }

  /** Releases the underlying lock. */
  release(): void {
    this.#lock.release();
  }

  /** Acquires the underlying lock for a `using` block. */
  hold(options?: AcquireOptions): Promise<Held> {
    return this.#lock.hold(options);
  }

  /** Acquires the underlying lock for a `using` block, blocking. */
  holdSync(options?: AcquireOptions): Held {
    return this.#lock.holdSync(options);
  }

  // --- the waiter list; every method below runs with the lock held ---

  /** Catches up with growth done by another thread; call with the lock held. */
  #refresh(): void {
    if (this.#slots.byteLength !== this.#slotSab.byteLength) {
      this.#slots = new Int32Array(
        this.#slotSab,
        0,
        this.#slotSab.byteLength / 4,
      );
    }
    if (this.#order.byteLength !== this.#orderSab.byteLength) {
      this.#order = new Int32Array(
        this.#orderSab,
        0,
        this.#orderSab.byteLength / 4,
      );
    }
  }

  #allocSlot(): number {
    this.#refresh();
    const cap = Atomics.load(this.#order, _OrderWord.Capacity);
    for (let s = 0; s < cap; s++) {
      if (Atomics.load(this.#slots, s) === _SlotState.Free) return s;
    }
    if (cap >= _MAX_SLOTS) {
      throw new RuntimeError(
        `too many threads waiting on one Condition (${_MAX_SLOTS})`,
      );
    }
    const next = Math.min(cap * 2, _MAX_SLOTS);
    this.#slotSab.grow(next * 4);
    this.#orderSab.grow((_OrderWord.Size + next) * 4);
    this.#refresh();
    Atomics.store(this.#order, _OrderWord.Capacity, next);
    return cap;
  }

  #enqueue(): number {
    const slot = this.#allocSlot();
    Atomics.store(this.#slots, slot, _SlotState.Waiting);
    const n = Atomics.load(this.#order, _OrderWord.Count);
    Atomics.store(this.#order, _OrderWord.Size + n, slot);
    Atomics.store(this.#order, _OrderWord.Count, n + 1);
    return slot;
  }

  /** Takes the slot back after the wait; returns whether it was notified. */
  #dequeue(slot: number): boolean {
    this.#refresh();
    const notified = Atomics.load(this.#slots, slot) === _SlotState.Notified;
    if (!notified) {
      const n = Atomics.load(this.#order, _OrderWord.Count);
      let at = 0;
      while (
        at < n && Atomics.load(this.#order, _OrderWord.Size + at) !== slot
      ) at++;
      for (let k = at; k < n - 1; k++) {
        Atomics.store(
          this.#order,
          _OrderWord.Size + k,
          Atomics.load(this.#order, _OrderWord.Size + k + 1),
        );
      }
      if (at < n) Atomics.store(this.#order, _OrderWord.Count, n - 1);
    }
    Atomics.store(this.#slots, slot, _SlotState.Free);
    return notified;
  }

  #checkOwned(what: string): void {
    if (!this.#lock._isOwned()) {
      throw new RuntimeError(`cannot ${what} on un-acquired lock`);
    }
  }

  /**
   * Releases the lock, waits until notified or until `timeout` seconds pass,
   * then takes the lock back; resolves to `false` only when it timed out.
   * Never blocks the event loop.
   *
   * @throws {RuntimeError} "cannot wait on un-acquired lock".
   * @throws {ValueError} a negative timeout.
   */
  async wait(timeout?: number | null): Promise<boolean> {
    const deadline = new Deadline(timeoutToMs(timeout));
    this.#checkOwned("wait");
    const slot = this.#enqueue();
    const saved = this.#lock._releaseSave();
    try {
      while (Atomics.load(this.#slots, slot) === _SlotState.Waiting) {
        const left = deadline.remainingMs();
        if (left <= 0) break;
        await waitAsync(this.#slots, slot, _SlotState.Waiting, left);
      }
    } finally {
      await this.#lock._acquireRestoreAsync(saved);
    }
    return this.#dequeue(slot);
  }

  /** The blocking twin of {@linkcode Condition.wait}. */
  waitSync(timeout?: number | null): boolean {
    const deadline = new Deadline(timeoutToMs(timeout));
    this.#checkOwned("wait");
    const slot = this.#enqueue();
    const saved = this.#lock._releaseSave();
    try {
      while (Atomics.load(this.#slots, slot) === _SlotState.Waiting) {
        const left = deadline.remainingMs();
        if (left <= 0) break;
        waitSync(this.#slots, slot, _SlotState.Waiting, left);
      }
    } finally {
      this.#lock._acquireRestore(saved);
    }
    return this.#dequeue(slot);
  }

  /**
   * Waits until `predicate()` is truthy, re-checking after each wake-up, at
   * most `timeout` seconds in all; resolves to the predicate's last value.
   *
   * @throws {RuntimeError} "cannot wait on un-acquired lock".
   */
  async waitFor<T>(predicate: () => T, timeout?: number | null): Promise<T> {
    if (typeof predicate !== "function") {
      throw new TypeError("waitFor() predicate must be a function");
    }
    const deadline = new Deadline(timeoutToMs(timeout));
    let result = predicate();
    while (!result) {
      if (!deadline.infinite && deadline.expired()) break;
      await this.wait(deadline.infinite ? null : deadline.remainingMs() / 1000);
      result = predicate();
    }
    return result;
  }

  /** The blocking twin of {@linkcode Condition.waitFor}. */
  waitForSync<T>(predicate: () => T, timeout?: number | null): T {
    if (typeof predicate !== "function") {
      throw new TypeError("waitFor() predicate must be a function");
    }
    const deadline = new Deadline(timeoutToMs(timeout));
    let result = predicate();
    while (!result) {
      if (!deadline.infinite && deadline.expired()) break;
      this.waitSync(deadline.infinite ? null : deadline.remainingMs() / 1000);
      result = predicate();
    }
    return result;
  }

  /**
   * Wakes the `n` threads that have waited longest (one by default).
   *
   * @throws {RuntimeError} "cannot notify on un-acquired lock".
   * @throws {ValueError} a negative `n`.
   */
  notify(n = 1): void {
    if (typeof n !== "number" || Number.isNaN(n)) {
      throw new TypeError("notify() n must be a number");
    }
    if (n < 0) throw new ValueError("notify() n must be non-negative");
    this.#checkOwned("notify");
    this.#refresh();
    const count = Atomics.load(this.#order, _OrderWord.Count);
    const k = Math.min(n, count);
    for (let i = 0; i < k; i++) {
      const slot = Atomics.load(this.#order, _OrderWord.Size + i);
      Atomics.store(this.#slots, slot, _SlotState.Notified);
      Atomics.notify(this.#slots, slot, 1);
    }
    for (let i = k; i < count; i++) {
      Atomics.store(
        this.#order,
        _OrderWord.Size + i - k,
        Atomics.load(this.#order, _OrderWord.Size + i),
      );
    }
    Atomics.store(this.#order, _OrderWord.Count, count - k);
  }

  /**
   * Wakes every waiting thread.
   *
   * @throws {RuntimeError} "cannot notify on un-acquired lock".
   */
  notifyAll(): void {
    this.notify(Number.MAX_SAFE_INTEGER);
  }

  /** @internal Describes this condition for another thread. */
  [SHARE](): SharedDescriptor {
    const state: _State = {
      lock: this.#lock,
      order: this.#orderSab,
      slots: this.#slotSab,
    };
    return { url: _SHARE_URL, name: "Condition", id: this.#id, state };
  }

  /** @internal Rebuilds a handle in another thread. */
  static _fromShared(state: unknown, id: number): Condition {
    return adopt(Condition, state, id);
  }
}
registerShareable(_SHARE_URL, "Condition", Condition);
