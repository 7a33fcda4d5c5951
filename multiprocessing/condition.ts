/**
 * Condition: waiting for a state change, across processes.
 *
 * @module
 */
import type { AcquireOptions } from "../threading/_acquire_args.ts";
import type { Held } from "../threading/_held.ts";
import { Deadline, timeoutToMs } from "../_internal/core/time.ts";
import type { SemLock } from "./_lock_base.ts";
import { _adopting, _newRef, BaseProxy } from "./_proxy.ts";
import { RLock } from "./rlock.ts";

/**
 * A condition variable shared by processes, as Python's
 * `multiprocessing.Condition`: processes holding its lock `wait` until
 * another `notify`s. Waiting gives up the lock and takes it back before
 * returning (all levels of an {@linkcode RLock}). The lock is an `RLock`
 * unless one is given; the condition is served by the process serving its
 * lock.
 *
 * @example
 * ```ts
 * import { Condition } from "@pyconc/pyconc/multiprocessing";
 * const cond = new Condition();
 * await cond.acquire();
 * console.assert(!(await cond.wait(0.01))); // nobody notified
 * cond.notifyAll();
 * cond.release();
 * ```
 */
export class Condition extends BaseProxy {
  readonly #lock: SemLock;

  /**
   * Creates a condition over `lock` (a new {@linkcode RLock} when omitted).
   *
   * @param lock A multiprocessing `Lock` or `RLock`.
   * @throws {TypeError} `lock` is not a multiprocessing Lock or RLock.
   */
  constructor(lock?: SemLock | null) {
    const adopted = _adopting();
    const l = adopted ? (adopted.extra as SemLock) : (lock ?? new RLock());
    if (!adopted && (!l || typeof l._ref?.oid !== "number")) {
      throw new TypeError("Condition needs a multiprocessing Lock or RLock");
    }
    super(
      adopted ?? _newRef(
        "cond",
        { lock: l._ref.oid, lockInit: l._ref.init },
        l,
        l._ref.address,
      ),
    );
    this.#lock = l;
  }

  /** @internal */
  override _onShare(): unknown {
    return { ...this._ref, extra: this.#lock };
  }

  /**
   * Acquires the underlying lock; see `Lock.acquire`.
   *
   * @param options `{ blocking, timeout }`.
   * @returns Whether it was acquired.
   */
  acquire(options?: boolean | AcquireOptions): Promise<boolean> {
    return this.#lock.acquire(options);
  }

  /**
   * The blocking twin of {@linkcode Condition.acquire}.
   *
   * @param options `{ blocking, timeout }`.
   * @returns Whether it was acquired.
   */
  acquireSync(options?: boolean | AcquireOptions): boolean {
    return this.#lock.acquireSync(options);
  }

  /** Releases the underlying lock. */
  release(): void {
    this.#lock.release();
  }

  /**
   * Holds the lock for a `using` block.
   *
   * @param options `{ blocking, timeout }`.
   * @returns A handle for `using`.
   */
  hold(options?: AcquireOptions): Promise<Held> {
    return this.#lock.hold(options);
  }

  /**
   * The blocking twin of {@linkcode Condition.hold}.
   *
   * @param options `{ blocking, timeout }`.
   * @returns A handle for `using`.
   */
  holdSync(options?: AcquireOptions): Held {
    return this.#lock.holdSync(options);
  }

  /**
   * Gives up the lock, waits for a notify (or `timeout` seconds), and
   * takes the lock back.
   *
   * @param timeout Seconds; forever when omitted or `null`.
   * @returns `false` when the timeout ran out, else `true`.
   * @throws {RuntimeError} "cannot wait on un-acquired lock".
   * @throws {ValueError} a negative timeout.
   */
  wait(timeout?: number | null): Promise<boolean> {
    let ms: number;
    try {
      ms = timeoutToMs(timeout);
    } catch (err) {
      return Promise.reject(err);
    }
    return this._call("wait", ms) as Promise<boolean>;
  }

  /**
   * The blocking twin of {@linkcode Condition.wait}.
   *
   * @param timeout Seconds; forever when omitted or `null`.
   * @returns `false` when the timeout ran out, else `true`.
   * @throws {RuntimeError} "cannot wait on un-acquired lock".
   */
  waitSync(timeout?: number | null): boolean {
    return this._callSync("wait", timeoutToMs(timeout)) as boolean;
  }

  /**
   * Waits until `predicate()` is truthy, checking it first and after each
   * wake-up, for at most `timeout` seconds in all.
   *
   * @param predicate The condition to wait for (runs in this process).
   * @param timeout Seconds; forever when omitted or `null`.
   * @returns The predicate's last value.
   */
  async waitFor<T>(
    predicate: () => T | Promise<T>,
    timeout?: number | null,
  ): Promise<T> {
    const deadline = Deadline.fromSeconds(timeout);
    let r = await predicate();
    while (!r) {
      if (deadline.expired()) break;
      await this.wait(deadline.infinite ? null : deadline.remainingMs() / 1000);
      r = await predicate();
    }
    return r;
  }

  /**
   * The blocking twin of {@linkcode Condition.waitFor}.
   *
   * @param predicate The condition to wait for.
   * @param timeout Seconds; forever when omitted or `null`.
   * @returns The predicate's last value.
   */
  waitForSync<T>(predicate: () => T, timeout?: number | null): T {
    const deadline = Deadline.fromSeconds(timeout);
    let r = predicate();
    while (!r) {
      if (deadline.expired()) break;
      this.waitSync(deadline.infinite ? null : deadline.remainingMs() / 1000);
      r = predicate();
    }
    return r;
  }

  /**
   * Wakes up to `n` waiters (default 1), oldest first.
   *
   * @param n How many.
   * @throws {RuntimeError} "cannot notify on un-acquired lock".
   */
  notify(n = 1): void {
    this._callSync("notify", n);
  }

  /**
   * Wakes every waiter.
   *
   * @throws {RuntimeError} "cannot notify on un-acquired lock".
   */
  notifyAll(): void {
    this._callSync("notify", Number.MAX_SAFE_INTEGER);
  }
}
