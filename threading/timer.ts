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
import { currentExcepthook } from "./_excepthook.ts";
import { Event } from "./event.ts";
import type { Thread } from "./thread.ts";

let _counter = 0;

/**
 * Calls `fn(...args)` after `interval` seconds unless cancelled, as Python's
 * `threading.Timer`.
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
   * @throws {ValueError} a negative interval.
   * @throws {TypeError} `fn` is not a function.
   */
  constructor(
    interval: number,
    fn: (...args: never[]) => unknown,
    args: unknown[] = [],
  ) {
    timeoutToMs(interval, "interval");
    if (typeof fn !== "function") {
      throw new TypeError("Timer function must be callable");
    }
    if (!Array.isArray(args)) {
      throw new TypeError("Timer args must be an array");
    }
    this.interval = interval;
    this.fn = fn as (...args: unknown[]) => unknown;
    this.args = args;
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
      if (!this.finished.isSet()) await this.fn(...this.args);
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
