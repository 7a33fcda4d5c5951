/**
 * Semaphore and BoundedSemaphore: a shared counter that acquire decrements.
 *
 * @module
 */
import {
  registerShareable,
  SHARE,
  type SharedDescriptor,
  shareUrl,
} from "../_internal/share/codec.ts";
import { ValueError } from "../_internal/core/errors.ts";
import {
  adopt,
  adoptedState,
  remember,
} from "../_internal/share/shared_object.ts";
import { Deadline, timeoutOverflow } from "../_internal/core/time.ts";
import { waitAsync, waitSync } from "../_internal/sync/wait.ts";
import {
  type AcquireOptions,
  OVERFLOW_MS,
  semaphoreWaitMs,
} from "./_acquire_args.ts";
import { type Held, held } from "./_held.ts";

const _SHARE_URL = shareUrl(import.meta.url, "threading/semaphore.ts");

/** Slots of a semaphore's shared words. */
const _SemWord = {
  /** The free units; any thread changes it by compare-exchange (acquire takes one, release adds); waiters sleep while it is 0. */
  Value: 0,
  /** The bound of a BoundedSemaphore (its initial value), -1 for a plain one; written once by the creating thread. */
  Bound: 1,
  /** How many words there are. */
  Size: 2,
} as const;

function _checkValue(value: unknown): number {
  if (typeof value !== "number" || !Number.isInteger(value)) {
    throw new TypeError(
      `semaphore value must be an integer, got ${
        typeof value === "number" ? value : typeof value
      }`,
    );
  }
  if (value < 0) throw new ValueError("semaphore initial value must be >= 0");
  if (value > 0x7fffffff) {
    throw new ValueError(
      "semaphore initial value is too large (at most 2**31 - 1)",
    );
  }
  return value;
}

/**
 * A counting semaphore, as Python's `threading.Semaphore`: `acquire` takes
 * one unit, waiting while the counter is zero; `release(n)` gives units back.
 * It lives in shared memory and works across workers.
 *
 * @example Limiting concurrency
 * ```ts
 * import { Semaphore } from "@pyconc/pyconc/threading";
 * const slots = new Semaphore(2);
 * console.assert(slots.acquireSync({ blocking: false }));
 * console.assert(slots.acquireSync({ blocking: false }));
 * console.assert(!slots.acquireSync({ blocking: false }));
 * slots.release(2);
 * ```
 */
export class Semaphore {
  readonly #sab: SharedArrayBuffer;
  readonly #i32: Int32Array;
  readonly #id: number;

  /**
   * Creates a semaphore with `value` units (default 1).
   *
   * @throws {ValueError} "semaphore initial value must be >= 0".
   */
  constructor(value = 1) {
    const { state, id } = adoptedState<SharedArrayBuffer>();
    this.#id = id;
    if (state) this.#sab = state;
    else {
      const v = _checkValue(value);
      this.#sab = new SharedArrayBuffer(_SemWord.Size * 4);
      const i32 = new Int32Array(this.#sab);
      i32[_SemWord.Value] = v;
      i32[_SemWord.Bound] = this._bounded() ? v : -1;
    }
    this.#i32 = new Int32Array(this.#sab);
    remember(id, this);
  }

  /** @internal Whether releases are bounded by the initial value. */
  _bounded(): boolean {
    return false;
  }

  #tryTake(): boolean {
    for (;;) {
      const v = Atomics.load(this.#i32, _SemWord.Value);
      if (v <= 0) return false;
      if (Atomics.compareExchange(this.#i32, _SemWord.Value, v, v - 1) === v) {
        return true;
      }
    }
  }

  /**
   * Takes one unit, waiting without blocking the event loop while none is
   * left; resolves to whether it got one (always `true` without a timeout).
   *
   * @throws {ValueError} a negative timeout, or a timeout with `blocking: false`.
   * @throws {OverflowError} a timeout above `TIMEOUT_MAX` when none is left.
   */
  async acquire(options?: boolean | AcquireOptions): Promise<boolean> {
    const ms = semaphoreWaitMs(options);
    if (this.#tryTake()) return true;
    if (ms === OVERFLOW_MS) throw timeoutOverflow();
    const deadline = new Deadline(ms);
    for (;;) {
      const left = deadline.remainingMs();
      if (left <= 0) return false;
      await waitAsync(this.#i32, _SemWord.Value, 0, left);
      if (this.#tryTake()) return true;
    }
  }

  /**
   * The blocking twin of {@linkcode Semaphore.acquire}.
   *
   * @throws {ValueError} a negative timeout, or a timeout with `blocking: false`.
   * @throws {OverflowError} a timeout above `TIMEOUT_MAX` when none is left.
   */
  acquireSync(options?: boolean | AcquireOptions): boolean {
    const ms = semaphoreWaitMs(options);
    if (this.#tryTake()) return true;
    if (ms === OVERFLOW_MS) throw timeoutOverflow();
    const deadline = new Deadline(ms);
    for (;;) {
      const left = deadline.remainingMs();
      if (left <= 0) return false;
      waitSync(this.#i32, _SemWord.Value, 0, left);
      if (this.#tryTake()) return true;
    }
  }

  /**
   * Gives back `n` units (default 1), waking up to `n` waiters.
   *
   * @throws {ValueError} "n must be one or more"; for a BoundedSemaphore,
   * "Semaphore released too many times".
   */
  release(n = 1): void {
    if (typeof n !== "number" || !Number.isInteger(n)) {
      throw new TypeError("release() n must be an integer");
    }
    if (n < 1) throw new ValueError("n must be one or more");
    const bound = Atomics.load(this.#i32, _SemWord.Bound);
    for (;;) {
      const v = Atomics.load(this.#i32, _SemWord.Value);
      if (bound >= 0 && v + n > bound) {
        throw new ValueError("Semaphore released too many times");
      }
      if (v + n > 0x7fffffff) {
        throw new ValueError("semaphore value would overflow 2**31 - 1");
      }
      if (Atomics.compareExchange(this.#i32, _SemWord.Value, v, v + n) === v) {
        break;
      }
    }
    Atomics.notify(this.#i32, _SemWord.Value, n);
  }

  /** The current number of free units (for inspection; it may change at once). */
  get value(): number {
    return Atomics.load(this.#i32, _SemWord.Value);
  }

  /** Takes a unit and returns a handle that gives it back when disposed (`using`). */
  async hold(options?: AcquireOptions): Promise<Held> {
    return held(await this.acquire(options), () => this.release(), "Semaphore");
  }

  /** The blocking twin of {@linkcode Semaphore.hold}. */
  holdSync(options?: AcquireOptions): Held {
    return held(this.acquireSync(options), () => this.release(), "Semaphore");
  }

  /** @internal Describes this semaphore for another thread. */
  [SHARE](): SharedDescriptor {
    return {
      url: _SHARE_URL,
      name: this._bounded() ? "BoundedSemaphore" : "Semaphore",
      id: this.#id,
      state: this.#sab,
    };
  }

  /** @internal Rebuilds a handle in another thread. */
  static _fromShared(state: unknown, id: number): Semaphore {
    return adopt(Semaphore, state, id);
  }

  /** A short description, as Python's repr. */
  toString(): string {
    return `<threading.${
      this._bounded() ? "BoundedSemaphore" : "Semaphore"
    } value=${this.value}>`;
  }
}

/**
 * A semaphore that refuses to be released above its initial value, as
 * Python's `threading.BoundedSemaphore`: a release too many is a bug, and
 * throws.
 *
 * @example
 * ```ts
 * import { BoundedSemaphore } from "@pyconc/pyconc/threading";
 * const sem = new BoundedSemaphore(1);
 * let message = "";
 * try {
 *   sem.release();
 * } catch (err) {
 *   message = (err as Error).message;
 * }
 * console.assert(message === "Semaphore released too many times");
 * ```
 */
export class BoundedSemaphore extends Semaphore {
  /** @internal Releases are bounded by the initial value. */
  override _bounded(): boolean {
    return true;
  }

  /** @internal Rebuilds a handle in another thread. */
  static override _fromShared(state: unknown, id: number): BoundedSemaphore {
    return adopt(BoundedSemaphore, state, id);
  }
}
registerShareable(_SHARE_URL, "Semaphore", Semaphore);
registerShareable(_SHARE_URL, "BoundedSemaphore", BoundedSemaphore);
