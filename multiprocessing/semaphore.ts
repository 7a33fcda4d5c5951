/**
 * Semaphore and BoundedSemaphore shared by processes.
 *
 * @module
 */
import {
  type AcquireOptions,
  acquireWaitMs,
} from "../threading/_acquire_args.ts";
import { type Held, held } from "../threading/_held.ts";
import { ValueError } from "../_internal/core/errors.ts";
import {
  semAcquire,
  semAcquireSync,
  semInit,
  semRelease,
  semValue,
} from "../_internal/shm/sync.ts";
import { shmCell } from "../_internal/shm/arena.ts";
import {
  _adopting,
  _newRef,
  _preset,
  _shmBlock,
  BaseProxy,
  type ProxyRef,
} from "./_proxy.ts";

function _checkValue(value: number): number {
  if (typeof value !== "number" || !Number.isInteger(value)) {
    throw new TypeError(`semaphore value must be an integer, got ${value}`);
  }
  if (value < 0) throw new ValueError("semaphore initial value must be >= 0");
  return value;
}

/**
 * A new semaphore's ref: its state holds the initial value, the bound
 * (BoundedSemaphore) and its block of shared memory (the words of
 * `SemWord`), set to the initial value.
 */
function _semRef(value: number, bound: number | null): ProxyRef {
  const m = _shmBlock(16);
  if (m) semInit(shmCell(m)!, value);
  const state: Record<string, unknown> = { value };
  if (bound !== null) state.bound = bound;
  if (m) state.m = m;
  return _newRef("sem", state);
}

/**
 * A counter of free slots shared by processes, as Python's
 * `multiprocessing.Semaphore`: `acquire` takes one (waiting while there is
 * none), `release` gives one back. Any process may release. The count
 * lives in memory every process maps, as CPython's does. A semaphore
 * has no owner, so slots taken by a process that dies are not given back
 * (use a {@linkcode Lock} when that matters).
 *
 * @example At most two at a time
 * ```ts
 * import { Semaphore } from "@pyconc/pyconc/multiprocessing";
 * const sem = new Semaphore(2);
 * await sem.acquire();
 * await sem.acquire();
 * console.assert(!(await sem.acquire({ timeout: 0.01 })));
 * sem.release();
 * console.assert(sem.getValue() === 1);
 * ```
 */
export class Semaphore extends BaseProxy {
  /**
   * Creates a semaphore with `value` free slots.
   *
   * @param value The initial count (default 1).
   * @throws {ValueError} a negative value.
   */
  constructor(value = 1) {
    super(_adopting() ?? _semRef(_checkValue(value), null));
    const b = (this._ref.init.s as { bound?: number }).bound;
    this.#bound = typeof b === "number" ? b : null;
  }

  readonly #bound: number | null;

  /**
   * Takes a slot, waiting without blocking the event loop: forever, at most
   * `timeout` seconds, or not at all with `blocking: false`.
   *
   * @param options `{ blocking = true, timeout = null }`, or a boolean `blocking`.
   * @returns Whether a slot was taken.
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
    if (c !== null) return semAcquire(c, ms, null, this);
    return this._call("acquire", ms) as Promise<boolean>;
  }

  /**
   * The blocking twin of {@linkcode Semaphore.acquire}.
   *
   * @param options `{ blocking = true, timeout = null }`, or a boolean `blocking`.
   * @returns Whether a slot was taken.
   * @throws {ValueError} a negative timeout, or a timeout with `blocking: false`.
   */
  acquireSync(options?: boolean | AcquireOptions): boolean {
    const ms = acquireWaitMs(options);
    const c = this._cell;
    if (c !== null) return semAcquireSync(c, ms);
    return this._callSync("acquire", ms) as boolean;
  }

  /**
   * Gives back `n` slots (default 1), waking as many waiters.
   *
   * @param n How many slots.
   * @throws {ValueError} a {@linkcode BoundedSemaphore} released above its initial value.
   */
  release(n = 1): void {
    if (!Number.isInteger(n) || n < 1) {
      throw new ValueError("n must be one or more");
    }
    const c = this._cell;
    if (c !== null) semRelease(c, n, this.#bound);
    else this._callSync("release", n);
  }

  /**
   * The number of free slots now.
   *
   * @returns The semaphore's value.
   */
  getValue(): number {
    const c = this._cell;
    if (c !== null) return semValue(c);
    return this._callSync("getValue") as number;
  }

  /**
   * Takes a slot and returns a handle that gives it back when disposed.
   *
   * @param options `{ blocking, timeout }` as for `acquire`.
   * @returns A handle for `using`.
   * @throws {TimeoutError} no slot was free in time.
   */
  async hold(options?: AcquireOptions): Promise<Held> {
    return held(await this.acquire(options), () => this.release(), "semaphore");
  }

  /**
   * The blocking twin of {@linkcode Semaphore.hold}.
   *
   * @param options `{ blocking, timeout }` as for `acquire`.
   * @returns A handle for `using`.
   * @throws {TimeoutError} no slot was free in time.
   */
  holdSync(options?: AcquireOptions): Held {
    return held(this.acquireSync(options), () => this.release(), "semaphore");
  }

  /** A short description, as Python's repr. */
  override toString(): string {
    return `<${this.constructor.name}(value=${this.getValue()})>`;
  }
}

/**
 * A {@linkcode Semaphore} that refuses to be released above its initial
 * value, as Python's `multiprocessing.BoundedSemaphore`.
 *
 * @example
 * ```ts
 * import { BoundedSemaphore, ValueError } from "@pyconc/pyconc/multiprocessing";
 * const sem = new BoundedSemaphore(1);
 * let caught = false;
 * try {
 *   sem.release();
 * } catch (err) {
 *   caught = err instanceof ValueError;
 * }
 * console.assert(caught);
 * ```
 */
export class BoundedSemaphore extends Semaphore {
  /**
   * Creates a bounded semaphore with `value` free slots.
   *
   * @param value The initial and highest count (default 1).
   * @throws {ValueError} a negative value.
   */
  constructor(value = 1) {
    const ref = _adopting() ?? _semRef(_checkValue(value), value);
    _preset(ref);
    super();
  }
}
