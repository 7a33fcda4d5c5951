/**
 * Barrier: a fixed number of threads wait until all of them have arrived.
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
import { registerError } from "../_internal/core/errors.ts";
import {
  resolveTarget,
  type Target,
  type TargetSpec,
  toTargetSpec,
} from "../_internal/share/target.ts";
import { timeoutToMs } from "../_internal/core/time.ts";
import { Condition } from "./condition.ts";
import { Lock } from "./lock.ts";
import { barrierArgs, type BarrierOptions } from "./_barrier_args.ts";

export type { BarrierOptions } from "./_barrier_args.ts";

const _SHARE_URL = shareUrl(import.meta.url, "threading/barrier.ts");

/**
 * Raised by {@linkcode Barrier.wait} when the barrier is broken or reset
 * while threads wait, as Python's `threading.BrokenBarrierError`.
 *
 * @example
 * ```ts
 * import { Barrier, BrokenBarrierError } from "@pyconc/pyconc/threading";
 * const b = new Barrier(2);
 * b.abort();
 * let caught = false;
 * try {
 *   await b.wait();
 * } catch (err) {
 *   caught = err instanceof BrokenBarrierError;
 * }
 * console.assert(caught);
 * ```
 */
export class BrokenBarrierError extends RuntimeError {
  /** Creates the error. */
  constructor(message?: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "BrokenBarrierError";
  }
}
registerError(BrokenBarrierError);

/** Slots of a barrier's shared words; written with the condition's lock held. */
const _BarrierWord = {
  /** 0 filling, 1 draining, -1 resetting, -2 broken (Python's `_state`); written by the waiters, `reset()` and `abort()`. */
  State: 0,
  /** Threads inside `wait` (Python's `_count`); written by each waiter as it arrives and leaves. */
  Count: 1,
  /** How many words there are. */
  Size: 2,
} as const;

// deno-lint-ignore no-explicit-any
type _Action = (...args: any[]) => unknown;

interface _State {
  words: SharedArrayBuffer;
  cond: Condition;
  parties: number;
  timeout: number | null;
  action: TargetSpec | null;
}

/**
 * A barrier for a fixed number of threads, as Python's `threading.Barrier`:
 * each calls `wait`, and all are released together when the last arrives.
 * `wait` resolves to a distinct arrival index from 0 to `parties - 1`. The
 * optional `action` runs in one of the threads (the last to arrive) before
 * the others are released; in a worker it is the function's source (no
 * closures) or a `{ module, name }` reference, as for a thread's target.
 *
 * @example
 * ```ts
 * import { Barrier } from "@pyconc/pyconc/threading";
 * const barrier = new Barrier(2);
 * const indexes = await Promise.all([barrier.wait(), barrier.wait()]);
 * console.assert(indexes.sort().join() === "0,1");
 * ```
 */
export class Barrier {
  readonly #words: SharedArrayBuffer;
  readonly #i32: Int32Array;
  readonly #cond: Condition;
  readonly #parties: number;
  readonly #timeout: number | null;
  readonly #actionSpec: TargetSpec | null;
  #action: _Action | null;
  readonly #id: number;

  /**
   * Creates a barrier for `parties` threads, as Python's
   * `Barrier(parties, action=None, timeout=None)`: `action` and `timeout`
   * positionally, or as an options object, `new Barrier(3, { timeout: 5 })`
   * or `new Barrier(3, action, { timeout: 5 })`.
   *
   * @param parties How many threads must wait before all go on.
   * @param options `{ action, timeout }`: see {@linkcode BarrierOptions}.
   * @throws {ValueError} `parties` below 1 or a negative timeout.
   * @throws {TypeError} an action that cannot be sent to a worker, or an
   *   unknown option.
   *
   * @example Options
   * ```ts
   * import { Barrier } from "@pyconc/pyconc/threading";
   * const b = new Barrier(2, { timeout: 5, action: () => console.log("all here") });
   * await Promise.all([b.wait(), b.wait()]);
   * ```
   */
  constructor(parties?: number, options?: BarrierOptions);
  /**
   * Creates a barrier for `parties` threads with `action` and `timeout`
   * given positionally, the timeout possibly as `{ timeout }`.
   *
   * @param parties How many threads must wait before all go on.
   * @param action Run by the last thread to arrive before all are released.
   * @param timeout The default timeout of every `wait`, in seconds.
   * @throws {ValueError} `parties` below 1 or a negative timeout.
   * @throws {TypeError} an action that cannot be sent to a worker.
   *
   * @example Positional
   * ```ts
   * import { Barrier } from "@pyconc/pyconc/threading";
   * const b = new Barrier(2, null, 5);
   * await Promise.all([b.wait(), b.wait()]);
   * ```
   */
  constructor(
    parties?: number,
    action?: Target | null,
    timeout?: number | null | { timeout?: number | null },
  );
  constructor(
    parties?: number,
    actionOrOptions?: Target | BarrierOptions | null,
    timeoutOrOptions?: number | null | { timeout?: number | null },
  ) {
    const { state, id } = adoptedState<_State & { resolved: _Action | null }>();
    this.#id = id;
    if (state) {
      this.#words = state.words;
      this.#cond = state.cond;
      this.#parties = state.parties;
      this.#timeout = state.timeout;
      this.#actionSpec = state.action;
      this.#action = state.resolved;
    } else {
      if (typeof parties !== "number" || !Number.isInteger(parties)) {
        throw new TypeError(
          `parties must be an integer, got ${typeof parties}`,
        );
      }
      if (parties < 1) throw new ValueError("parties must be greater than 0");
      const { action, timeout } = barrierArgs(
        actionOrOptions,
        timeoutOrOptions,
        "Barrier",
      );
      if (timeout !== undefined && timeout !== null) timeoutToMs(timeout);
      this.#words = new SharedArrayBuffer(_BarrierWord.Size * 4);
      this.#cond = new Condition(new Lock());
      this.#parties = parties;
      this.#timeout = timeout ?? null;
      this.#actionSpec = action ? toTargetSpec(action, "action") : null;
      this.#action = typeof action === "function" ? action : null;
    }
    this.#i32 = new Int32Array(this.#words);
    remember(id, this);
  }

  get #state(): number {
    return Atomics.load(this.#i32, _BarrierWord.State);
  }
  set #state(v: number) {
    Atomics.store(this.#i32, _BarrierWord.State, v);
  }
  get #count(): number {
    return Atomics.load(this.#i32, _BarrierWord.Count);
  }
  set #count(v: number) {
    Atomics.store(this.#i32, _BarrierWord.Count, v);
  }

  async #runAction(): Promise<void> {
    if (!this.#actionSpec) return;
    this.#action ??= await resolveTarget(this.#actionSpec);
    await this.#action();
  }

  #runActionSync(): void {
    if (!this.#actionSpec) return;
    if (!this.#action) {
      throw new RuntimeError(
        "a Barrier action given as { module, name } needs one async wait() in this thread first",
      );
    }
    const r = this.#action();
    if (r && typeof (r as Promise<unknown>).then === "function") {
      throw new TypeError(
        "a Barrier action used with waitSync() must not return a promise",
      );
    }
  }

  /** Steps both forms share, with the lock held; see CPython's Barrier. */
  #arrive(): number {
    if (this.#state < 0) throw new BrokenBarrierError();
    const index = this.#count;
    this.#count = index + 1;
    return index;
  }

  #released(): void {
    this.#state = 1;
    this.#cond.notifyAll();
  }

  #afterWait(ok: boolean): void {
    if (!ok) {
      this.#break();
      throw new BrokenBarrierError();
    }
    if (this.#state < 0) throw new BrokenBarrierError();
  }

  #exit(): void {
    this.#count = this.#count - 1;
    if (this.#count === 0 && (this.#state === -1 || this.#state === 1)) {
      this.#state = 0;
      this.#cond.notifyAll();
    }
  }

  #break(): void {
    this.#state = -2;
    this.#cond.notifyAll();
  }

  #waitTimeout(timeout: number | null | undefined): number | null {
    const t = timeout ?? this.#timeout;
    timeoutToMs(t);
    return t;
  }

  /**
   * Waits until all parties have called `wait`, without blocking the event
   * loop; resolves to this thread's arrival index.
   *
   * @throws {BrokenBarrierError} the barrier is broken, reset or aborted, or
   * the wait timed out (which breaks it for everyone, as in Python).
   * @throws {ValueError} a negative timeout.
   */
  async wait(timeout?: number | null): Promise<number> {
    const t = this.#waitTimeout(timeout);
    await this.#cond.acquire();
    try {
      await this.#cond.waitFor(() => this.#state !== -1 && this.#state !== 1);
      const index = this.#arrive();
      try {
        if (index + 1 === this.#parties) {
          try {
            await this.#runAction();
            this.#released();
          } catch (err) {
            this.#break();
            throw err;
          }
        } else {
          this.#afterWait(
            Boolean(await this.#cond.waitFor(() => this.#state !== 0, t)),
          );
        }
        return index;
      } finally {
        this.#exit();
      }
    } finally {
      this.#cond.release();
    }
  }

  /** The blocking twin of {@linkcode Barrier.wait}. */
  waitSync(timeout?: number | null): number {
    const t = this.#waitTimeout(timeout);
    this.#cond.acquireSync();
    try {
      this.#cond.waitForSync(() => this.#state !== -1 && this.#state !== 1);
      const index = this.#arrive();
      try {
        if (index + 1 === this.#parties) {
          try {
            this.#runActionSync();
            this.#released();
          } catch (err) {
            this.#break();
            throw err;
          }
        } else {
          this.#afterWait(
            Boolean(this.#cond.waitForSync(() => this.#state !== 0, t)),
          );
        }
        return index;
      } finally {
        this.#exit();
      }
    } finally {
      this.#cond.release();
    }
  }

  /**
   * Returns the barrier to its empty state; threads waiting on it get
   * {@linkcode BrokenBarrierError}.
   */
  reset(): void {
    this.#cond.acquireSync();
    try {
      if (this.#count > 0) {
        if (this.#state === 0 || this.#state === -2) this.#state = -1;
      } else this.#state = 0;
      this.#cond.notifyAll();
    } finally {
      this.#cond.release();
    }
  }

  /** Puts the barrier in the broken state; current and future waits throw. */
  abort(): void {
    this.#cond.acquireSync();
    try {
      this.#break();
    } finally {
      this.#cond.release();
    }
  }

  /** The number of threads needed to pass the barrier. */
  get parties(): number {
    return this.#parties;
  }

  /** The number of threads currently waiting. */
  get nWaiting(): number {
    return this.#state === 0 ? this.#count : 0;
  }

  /** Whether the barrier is broken. */
  get broken(): boolean {
    return this.#state === -2;
  }

  /** @internal Describes this barrier for another thread. */
  [SHARE](): SharedDescriptor {
    const state: _State = {
      words: this.#words,
      cond: this.#cond,
      parties: this.#parties,
      timeout: this.#timeout,
      action: this.#actionSpec,
    };
    return { url: _SHARE_URL, name: "Barrier", id: this.#id, state };
  }

  /** @internal Rebuilds a handle in another thread, resolving its action. */
  static async _fromShared(state: unknown, id: number): Promise<Barrier> {
    const s = state as _State;
    const resolved = s.action ? await resolveTarget(s.action) : null;
    return adopt(Barrier, { ...s, resolved }, id);
  }
}
registerShareable(_SHARE_URL, "Barrier", Barrier);
