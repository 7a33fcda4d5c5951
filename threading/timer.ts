/**
 * Timer: call a function after a delay, unless cancelled first.
 *
 * @module
 */
import { agent } from "../_internal/runtime/agent.ts";
import { RuntimeError } from "../_internal/core/errors.ts";
import {
  trackResource,
  untrackResource,
} from "../_internal/runtime/resources.ts";
import { unrefTimer } from "../_internal/runtime/adapter.ts";
import { timeoutToMs } from "../_internal/core/time.ts";
import { checkOptions, isOptionsObject } from "../_internal/core/options.ts";
import { currentExcepthook } from "./_excepthook.ts";
import { Event } from "./event.ts";
import type { Thread } from "./thread.ts";

let _counter = 0;

/** Options of {@linkcode Timer}: Python's `args` and `kwargs` keywords. */
export interface TimerOptions {
  /** The function's arguments (default `[]`). */
  args?: readonly unknown[] | null;
  /**
   * Python's keyword arguments (default `{}`): when not empty, passed to the
   * function as one extra last argument, as `sched` does.
   */
  kwargs?: Record<string, unknown> | null;
}

function _hasKeys(o: object): boolean {
  for (const k in o) if (Object.hasOwn(o, k)) return true;
  return false;
}

/**
 * Calls `fn(...args)` after `interval` seconds unless cancelled, as Python's
 * `threading.Timer(interval, function, args=None, kwargs=None)`: `args` and
 * `kwargs` positionally, or as an options object,
 * `new Timer(1, fn, { args: [1], kwargs: { verbose: true } })`. A non-empty
 * `kwargs` object is passed as one extra last argument (as `sched` does).
 *
 * JavaScript difference: the function runs in the thread that started the
 * timer, on its event loop (so it may close over local variables), instead
 * of in a new thread. A running timer keeps the program alive unless it is
 * a daemon; a cancelled one does not. An error it throws goes to
 * {@linkcode excepthook}.
 *
 * @example
 * ```ts
 * import { Timer } from "@pyconc/pyconc/threading";
 * let fired = false;
 * const t = new Timer(0.01, () => { fired = true; });
 * t.start();
 * await t.join();
 * console.assert(fired);
 * ```
 */
export class Timer {
  /** The function to call. */
  readonly fn: (...args: unknown[]) => unknown;
  /** Its arguments. */
  readonly args: unknown[];
  /** Its keyword arguments (a non-empty object is passed as the last argument). */
  readonly kwargs: Record<string, unknown>;
  /** The delay in seconds. */
  readonly interval: number;
  /** Set when the timer has fired or was cancelled. */
  readonly finished: Event = new Event();
  /** The timer's name. */
  name: string;
  #daemon: boolean = agent.daemon;
  #handle: ReturnType<typeof setTimeout> | undefined;
  #started = false;
  #done!: () => void;
  readonly #over: Promise<void> = new Promise<void>((r) => this.#done = r);

  /**
   * Creates a timer; call {@linkcode Timer.start} to arm it.
   *
   * @param interval Seconds before `fn` is called.
   * @param fn The function.
   * @param options `{ args, kwargs }`: see {@linkcode TimerOptions}.
   * @throws {ValueError} a negative interval.
   * @throws {TypeError} `fn` is not a function, `args` not an array,
   *   `kwargs` not an object, or an unknown option.
   *
   * @example Options
   * ```ts
   * import { Timer } from "@pyconc/pyconc/threading";
   * const got: unknown[] = [];
   * const t = new Timer(0.01, (...a: unknown[]) => got.push(...a), {
   *   args: [1],
   *   kwargs: { loud: true },
   * });
   * t.start();
   * await t.join();
   * console.assert(got[0] === 1 && (got[1] as { loud: boolean }).loud);
   * ```
   */
  constructor(
    interval: number,
    fn: (...args: never[]) => unknown,
    options?: TimerOptions,
  );
  /**
   * Creates a timer with `args` and `kwargs` given positionally, as
   * Python's `Timer(1, f, [1, 2], {"k": 3})`.
   *
   * @param interval Seconds before `fn` is called.
   * @param fn The function.
   * @param args Its arguments.
   * @param kwargs Its keyword arguments, passed as one extra last argument when not empty.
   * @throws {ValueError} a negative interval.
   * @throws {TypeError} `fn` is not a function, `args` not an array or
   *   `kwargs` not an object.
   *
   * @example Positional arguments
   * ```ts
   * import { Timer } from "@pyconc/pyconc/threading";
   * let sum = 0;
   * const t = new Timer(0.01, (a: number, b: number) => { sum = a + b; }, [1, 2]);
   * t.start();
   * await t.join();
   * console.assert(sum === 3);
   * ```
   */
  constructor(
    interval: number,
    fn: (...args: never[]) => unknown,
    args?: readonly unknown[] | null,
    kwargs?: Record<string, unknown> | null,
  );
  constructor(
    interval: number,
    fn: (...args: never[]) => unknown,
    argsOrOptions?: readonly unknown[] | TimerOptions | null,
    kwargs?: Record<string, unknown> | null,
  ) {
    timeoutToMs(interval, "interval");
    if (typeof fn !== "function") {
      throw new TypeError("Timer function must be callable");
    }
    let args: unknown = argsOrOptions;
    if (isOptionsObject(argsOrOptions)) {
      if (kwargs !== undefined) {
        throw new TypeError(
          "Timer() takes args and kwargs either as arguments or in one options object",
        );
      }
      const o = checkOptions(
        argsOrOptions as TimerOptions,
        ["args", "kwargs"],
        "Timer",
      );
      args = o.args;
      kwargs = o.kwargs;
    }
    args ??= [];
    kwargs ??= {};
    if (!Array.isArray(args)) {
      throw new TypeError("Timer args must be an array");
    }
    if (!isOptionsObject(kwargs)) {
      throw new TypeError("Timer kwargs must be an object");
    }
    this.interval = interval;
    this.fn = fn as (...args: unknown[]) => unknown;
    this.args = args;
    this.kwargs = kwargs;
    this.name = `Thread-${++_counter} (${fn.name || "Timer"})`;
  }

  /** Whether the timer does not keep the program alive. */
  get daemon(): boolean {
    return this.#daemon;
  }
  set daemon(value: boolean) {
    if (this.#started) {
      throw new RuntimeError("cannot set daemon status of active thread");
    }
    this.#daemon = Boolean(value);
  }

  /**
   * Arms the timer.
   *
   * @throws {RuntimeError} "threads can only be started once".
   */
  start(): void {
    if (this.#started) {
      throw new RuntimeError("threads can only be started once");
    }
    this.#started = true;
    trackResource("timer", this, `Timer ${this.name}`);
    this.#handle = setTimeout(() => void this.#fire(), this.interval * 1000);
    if (this.#daemon) unrefTimer(this.#handle);
  }

  async #fire(): Promise<void> {
    try {
      if (!this.finished.isSet()) {
        await (_hasKeys(this.kwargs)
          ? this.fn(...this.args, { ...this.kwargs })
          : this.fn(...this.args));
      }
    } catch (err) {
      currentExcepthook()({
        excType: err instanceof Error ? err.name : typeof err,
        excValue: err,
        excTraceback: err instanceof Error ? err.stack : undefined,
        thread: this as unknown as Thread,
      });
    } finally {
      this.#finish();
    }
  }

  #finish(): void {
    this.finished.set();
    untrackResource(this);
    this.#done();
  }

  /** Stops the timer if it has not fired yet. */
  cancel(): void {
    this.finished.set();
    if (this.#handle !== undefined) clearTimeout(this.#handle);
    if (this.#started) this.#finish();
  }

  /** Whether the timer was started and has not yet fired or been cancelled. */
  isAlive(): boolean {
    return this.#started && !this.finished.isSet();
  }

  /**
   * Waits until the timer has fired (and its function returned) or was
   * cancelled, at most `timeout` seconds.
   *
   * @throws {RuntimeError} "cannot join thread before it is started".
   */
  async join(timeout?: number | null): Promise<void> {
    const ms = timeoutToMs(timeout);
    if (!this.#started) {
      throw new RuntimeError("cannot join thread before it is started");
    }
    if (ms === Infinity) return await this.#over;
    let t: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      this.#over,
      new Promise<void>((r) => t = setTimeout(r, ms)),
    ]);
    clearTimeout(t);
  }
}
