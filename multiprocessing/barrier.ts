/**
 * Barrier: processes meet, then go on together.
 *
 * @module
 */
import { ValueError } from "../_internal/core/errors.ts";
import {
  evaluateFunction,
  resolveTarget,
  type Target,
  type TargetSpec,
  toTargetSpec,
} from "../_internal/share/target.ts";
import { timeoutToMs } from "../_internal/core/time.ts";
import { BrokenBarrierError } from "../threading/barrier.ts";
import {
  barrierArgs,
  type BarrierOptions,
} from "../threading/_barrier_args.ts";
import { _adopting, _newRef, BaseProxy } from "./_proxy.ts";

interface _BarrierExtra {
  parties: number;
  action: TargetSpec | null;
  timeout: number | null;
}

/**
 * A meeting point for a fixed number of parties across processes, as
 * Python's `multiprocessing.Barrier`: each `wait` blocks until `parties`
 * callers are waiting, then all go on and the barrier resets for the next
 * round. `wait` resolves to a distinct arrival index from 0 to
 * `parties - 1`. When `action` is given, the last to arrive runs it (in its
 * own process) before the others are released. A timeout, an `abort()`, an
 * action that throws, or a party whose process dies while waiting breaks
 * the barrier: waiters then get {@linkcode BrokenBarrierError}.
 *
 * @example
 * ```ts
 * import { Barrier } from "@pyconc/pyconc/multiprocessing";
 * const b = new Barrier(2);
 * const [x, y] = await Promise.all([b.wait(), b.wait()]);
 * console.assert(x + y === 1);
 * ```
 */
export class Barrier extends BaseProxy {
  readonly #extra: _BarrierExtra;

  /**
   * Creates a barrier for `parties` callers, as Python's
   * `Barrier(parties, action=None, timeout=None)`: `action` and `timeout`
   * positionally, or as an options object, `new Barrier(3, { timeout: 5 })`
   * or `new Barrier(3, action, { timeout: 5 })`.
   *
   * @param parties How many must wait before all go on.
   * @param options `{ action, timeout }`: a function (no closures) or
   *   `{ module, name }` run by the last to arrive, and the default timeout
   *   of `wait` in seconds.
   * @throws {ValueError} `parties` is below 1, or a negative timeout.
   * @throws {TypeError} an unknown option, or an action that cannot be sent.
   *
   * @example Options
   * ```ts
   * import { Barrier } from "@pyconc/pyconc/multiprocessing";
   * const b = new Barrier(2, { timeout: 5 });
   * await Promise.all([b.wait(), b.wait()]);
   * ```
   */
  constructor(parties: number, options?: BarrierOptions);
  /**
   * Creates a barrier with `action` and `timeout` given positionally, the
   * timeout possibly as `{ timeout }`.
   *
   * @param parties How many must wait before all go on.
   * @param action A function (no closures) or `{ module, name }` run by the last to arrive.
   * @param timeout The default timeout of `wait`, in seconds.
   * @throws {ValueError} `parties` is below 1, or a negative timeout.
   * @throws {TypeError} an action that cannot be sent.
   *
   * @example Positional
   * ```ts
   * import { Barrier } from "@pyconc/pyconc/multiprocessing";
   * const b = new Barrier(2, null, 5);
   * await Promise.all([b.wait(), b.wait()]);
   * ```
   */
  constructor(
    parties: number,
    action?: Target | null,
    timeout?: number | null | { timeout?: number | null },
  );
  constructor(
    parties: number,
    actionOrOptions?: Target | BarrierOptions | null,
    timeoutOrOptions?: number | null | { timeout?: number | null },
  ) {
    const adopted = _adopting();
    let extra: _BarrierExtra;
    if (adopted) extra = adopted.extra as _BarrierExtra;
    else {
      if (!Number.isInteger(parties) || parties < 1) {
        throw new ValueError("parties must be >= 1");
      }
      const { action, timeout } = barrierArgs(
        actionOrOptions,
        timeoutOrOptions,
        "Barrier",
      );
      if (timeout != null) timeoutToMs(timeout);
      extra = {
        parties,
        action: action == null ? null : toTargetSpec(action, "action"),
        timeout: timeout ?? null,
      };
    }
    super(
      adopted ??
        _newRef("barrier", { parties, action: extra.action !== null }, extra),
    );
    this.#extra = extra;
  }

  /** The number of parties needed to pass. */
  get parties(): number {
    return this.#extra.parties;
  }

  /** How many parties wait now. */
  get nWaiting(): number {
    return this._callSync("nWaiting") as number;
  }

  /** Whether the barrier is broken. */
  get broken(): boolean {
    return this._callSync("broken") as boolean;
  }

  async #afterArrival(r: { index: number; action: boolean }): Promise<number> {
    if (!r.action) return r.index;
    try {
      const fn = await resolveTarget(this.#extra.action!);
      await fn();
    } catch (err) {
      await this._call("actionDone", false);
      throw err;
    }
    await this._call("actionDone", true);
    return r.index;
  }

  /**
   * Waits until all parties have arrived.
   *
   * @param timeout Seconds; the barrier's default timeout when omitted.
   * @returns The caller's arrival index, from 0 to `parties - 1`.
   * @throws {BrokenBarrierError} the barrier is or became broken.
   * @throws {ValueError} a negative timeout.
   */
  async wait(timeout?: number | null): Promise<number> {
    const ms = timeoutToMs(timeout ?? this.#extra.timeout);
    const r = await this._call("wait", ms) as {
      index: number;
      action: boolean;
    };
    return this.#afterArrival(r);
  }

  /**
   * The blocking twin of {@linkcode Barrier.wait}. An action, if any, must
   * be synchronous here.
   *
   * @param timeout Seconds; the barrier's default timeout when omitted.
   * @returns The caller's arrival index.
   * @throws {BrokenBarrierError} the barrier is or became broken.
   */
  waitSync(timeout?: number | null): number {
    const ms = timeoutToMs(timeout ?? this.#extra.timeout);
    const r = this._callSync("wait", ms) as { index: number; action: boolean };
    if (!r.action) return r.index;
    try {
      const spec = this.#extra.action!;
      if (spec.kind !== "fn") {
        throw new TypeError(
          "waitSync cannot run a module action; use wait()",
        );
      }
      evaluateFunction(spec.source)();
    } catch (err) {
      this._callSync("actionDone", false);
      throw err;
    }
    this._callSync("actionDone", true);
    return r.index;
  }

  /** Puts the barrier back to its first state; current waiters get {@linkcode BrokenBarrierError}. */
  reset(): void {
    this._callSync("reset");
  }

  /** Breaks the barrier: current and later waiters get {@linkcode BrokenBarrierError}. */
  abort(): void {
    this._callSync("abort");
  }
}

export { BrokenBarrierError };
