/**
 * Future: the eventual outcome of a call, with Python's state machine.
 *
 * @module
 */
import { RuntimeError, TimeoutError } from "../_internal/core/errors.ts";
import { timeoutToMs } from "../_internal/core/time.ts";
import { CancelledError, InvalidStateError } from "./errors.ts";

const PENDING = 0;
const RUNNING = 1;
const CANCELLED = 2;
const CANCELLED_AND_NOTIFIED = 3;
const FINISHED = 4;
type _State = 0 | 1 | 2 | 3 | 4;

const _STATE_NAME = [
  "PENDING",
  "RUNNING",
  "CANCELLED",
  "CANCELLED_AND_NOTIFIED",
  "FINISHED",
] as const;
const _STATE_DESCRIPTION = [
  "pending",
  "running",
  "cancelled",
  "cancelled",
  "finished",
] as const;

let _nextId = 0x1000;

function _typeName(v: unknown): string {
  if (v === null) return "null";
  if (typeof v !== "object" && typeof v !== "function") return typeof v;
  const ctor = (v as { constructor?: { name?: string } }).constructor;
  return ctor?.name || "Object";
}

/**
 * The eventual outcome of a call, as Python's `concurrent.futures.Future`:
 * pending, then running, then finished with a result or an exception; or
 * cancelled while still pending. {@linkcode Executor.submit} creates them;
 * code outside an executor only creates one for tests or to bridge other
 * code (as Python documents).
 *
 * A future is a thenable: `await future` gives its result, or throws its
 * exception (a {@linkcode CancelledError} when it was cancelled).
 * {@linkcode Future.result} and {@linkcode Future.exception} are async and
 * take a timeout in seconds, as in Python.
 *
 * JavaScript differences: a future lives in the thread that created it (it
 * is not shareable with workers). A callback that throws is reported on
 * stderr and otherwise ignored, as Python logs it.
 *
 * @typeParam T The type of the result.
 *
 * @example A future settled by hand
 * ```ts
 * import { Future } from "@pyconc/pyconc/futures";
 * const f = new Future<number>();
 * f.addDoneCallback((done) => console.assert(done.done()));
 * console.assert(f.setRunningOrNotifyCancel());
 * f.setResult(42);
 * console.assert((await f.result()) === 42);
 * console.assert((await f) === 42);
 * ```
 */
export class Future<T = unknown> implements PromiseLike<T> {
  #state: _State = PENDING;
  #result: unknown = undefined;
  #exception: unknown = undefined;
  #failed = false;
  // Typed loosely so that Future<T> stays assignable to Future<unknown>.
  // deno-lint-ignore no-explicit-any
  #callbacks: ((future: any) => unknown)[] = [];
  #waiters: Set<() => void> | null = null;
  #promise: Promise<T> | null = null;
  #id = _nextId++;

  /**
   * Attempts to cancel the call. A running or finished future cannot be
   * cancelled. Done callbacks run when the cancel takes effect.
   *
   * @returns true if the future is (now or already) cancelled, false if it is running or finished.
   */
  cancel(): boolean {
    const s = this.#state;
    if (s === RUNNING || s === FINISHED) return false;
    if (s === CANCELLED || s === CANCELLED_AND_NOTIFIED) return true;
    this.#state = CANCELLED;
    this.#settle();
    return true;
  }

  /** Whether the future was cancelled. */
  cancelled(): boolean {
    return this.#state === CANCELLED ||
      this.#state === CANCELLED_AND_NOTIFIED;
  }

  /** Whether the call is running now (and so cannot be cancelled). */
  running(): boolean {
    return this.#state === RUNNING;
  }

  /** Whether the future was cancelled or finished running. */
  done(): boolean {
    return this.#state >= CANCELLED;
  }

  #outcome(): T {
    if (this.#state === CANCELLED || this.#state === CANCELLED_AND_NOTIFIED) {
      throw new CancelledError();
    }
    if (this.#failed) throw this.#exception;
    return this.#result as T;
  }

  /**
   * Waits up to `timeout` seconds (forever when omitted or `null`) for the
   * call to finish and resolves to its result.
   *
   * @param timeout Seconds to wait; `null` or omitted waits forever.
   * @returns The call's result.
   * @throws {CancelledError} the future was cancelled.
   * @throws {TimeoutError} the future did not finish in time.
   * @throws {ValueError} a negative timeout.
   * @throws {unknown} whatever the call threw.
   */
  async result(timeout?: number | null): Promise<T> {
    const ms = timeoutToMs(timeout);
    if (!this.done()) await this.#waitDone(ms);
    if (!this.done()) throw new TimeoutError();
    return this.#outcome();
  }

  /**
   * Waits up to `timeout` seconds for the call to finish and resolves to the
   * error it threw, or `null` if it returned normally.
   *
   * @param timeout Seconds to wait; `null` or omitted waits forever.
   * @returns The thrown value, or `null`.
   * @throws {CancelledError} the future was cancelled.
   * @throws {TimeoutError} the future did not finish in time.
   * @throws {ValueError} a negative timeout.
   */
  async exception(timeout?: number | null): Promise<unknown> {
    const ms = timeoutToMs(timeout);
    if (!this.done()) await this.#waitDone(ms);
    if (!this.done()) throw new TimeoutError();
    if (this.cancelled()) throw new CancelledError();
    return this.#failed ? this.#exception : null;
  }

  /**
   * The synchronous twin of {@linkcode Future.result}, for code that cannot
   * await (a done callback, or after {@linkcode wait}). A future is settled
   * on its thread's event loop, which cannot run while the thread blocks, so
   * this reads a future that is done; for one that is not, it throws
   * `RuntimeError` at once instead of blocking forever.
   *
   * @param _timeout Accepted for symmetry with `result`; checked, not waited.
   * @returns The call's result.
   * @throws {CancelledError} the future was cancelled.
   * @throws {RuntimeError} the future is not done yet.
   * @throws {ValueError} a negative timeout.
   */
  resultSync(_timeout?: number | null): T {
    this.#checkDone(_timeout);
    return this.#outcome();
  }

  /**
   * The blocking twin of {@linkcode Future.exception}; see
   * {@linkcode Future.resultSync}.
   *
   * @param _timeout Accepted for symmetry with `exception`; checked, not waited.
   * @returns The thrown value, or `null`.
   * @throws {CancelledError} the future was cancelled.
   * @throws {RuntimeError} the future is not done yet.
   */
  exceptionSync(_timeout?: number | null): unknown {
    this.#checkDone(_timeout);
    if (this.cancelled()) throw new CancelledError();
    return this.#failed ? this.#exception : null;
  }

  #checkDone(timeout: number | null | undefined): void {
    timeoutToMs(timeout);
    if (!this.done()) {
      throw new RuntimeError(
        "the future is not done: a future settles on its thread's event loop, so a synchronous wait would block forever; await result() instead",
      );
    }
  }

  /**
   * Attaches `fn`, called with this future once it is cancelled or
   * finished. Callbacks run in the order they were added; one added to a
   * done future runs at once. An error thrown by a callback is reported on
   * stderr and ignored.
   *
   * @param fn The callback.
   * @throws {TypeError} `fn` is not a function.
   */
  addDoneCallback(fn: (future: Future<T>) => unknown): void {
    if (typeof fn !== "function") {
      throw new TypeError(
        `addDoneCallback() needs a function, got ${_typeName(fn)}`,
      );
    }
    if (!this.done()) {
      this.#callbacks.push(fn);
      return;
    }
    this.#invoke(fn);
  }

  // deno-lint-ignore no-explicit-any
  #invoke(fn: (future: any) => unknown): void {
    try {
      fn(this);
    } catch (err) {
      console.error(`exception calling callback for ${this}`, err);
    }
  }

  /**
   * For executors: marks the future running, or acknowledges that it was
   * cancelled. Call it right before the work starts; when it returns false
   * the work must not run.
   *
   * @returns false if the future was cancelled, true if it is now running.
   * @throws {RuntimeError} "Future in unexpected state": it was already running or done.
   */
  setRunningOrNotifyCancel(): boolean {
    if (this.#state === CANCELLED) {
      this.#state = CANCELLED_AND_NOTIFIED;
      return false;
    }
    if (this.#state === PENDING) {
      this.#state = RUNNING;
      return true;
    }
    console.error(
      `Future ${this.#id} in unexpected state: ${_STATE_NAME[this.#state]}`,
    );
    throw new RuntimeError("Future in unexpected state");
  }

  #checkSettable(): void {
    if (this.#state >= CANCELLED) {
      throw new InvalidStateError(`${_STATE_NAME[this.#state]}: ${this}`);
    }
  }

  /**
   * For executors and tests: finishes the future with `result`.
   *
   * @param result The call's result.
   * @throws {InvalidStateError} the future is already cancelled or finished.
   */
  setResult(result: T): void {
    this.#checkSettable();
    this.#result = result;
    this.#state = FINISHED;
    this.#settle();
  }

  /**
   * For executors and tests: finishes the future with an exception.
   *
   * @param exception What the call threw.
   * @throws {InvalidStateError} the future is already cancelled or finished.
   */
  setException(exception: unknown): void {
    this.#checkSettable();
    this.#exception = exception;
    this.#failed = true;
    this.#state = FINISHED;
    this.#settle();
  }

  #settle(): void {
    const waiters = this.#waiters;
    if (waiters) {
      this.#waiters = null;
      for (const w of waiters) w();
    }
    const callbacks = this.#callbacks;
    if (callbacks.length) {
      this.#callbacks = [];
      for (const fn of callbacks) this.#invoke(fn);
    }
  }

  /**
   * @internal Calls `listener` once when the future becomes done (at once if
   * it is); returns a function that removes it.
   */
  _onDone(listener: () => void): () => void {
    if (this.done()) {
      listener();
      return () => {};
    }
    (this.#waiters ??= new Set()).add(listener);
    return () => this.#waiters?.delete(listener);
  }

  #waitDone(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const off = this._onDone(() => {
        if (timer !== undefined) clearTimeout(timer);
        resolve();
      });
      if (!this.done() && ms !== Infinity) {
        timer = setTimeout(() => {
          off();
          resolve();
        }, ms);
      }
    });
  }

  /**
   * Makes the future awaitable: `await future` resolves to the result or
   * throws the exception (a {@linkcode CancelledError} when cancelled).
   *
   * @param onfulfilled Called with the result.
   * @param onrejected Called with the exception.
   * @returns A promise for what the called handler returns.
   */
  then<R1 = T, R2 = never>(
    onfulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    onrejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    this.#promise ??= new Promise<T>((resolve, reject) => {
      this._onDone(() => {
        try {
          resolve(this.#outcome());
        } catch (err) {
          reject(err);
        }
      });
    });
    return this.#promise.then(onfulfilled, onrejected);
  }

  /** A short description, as Python's repr: `<Future at 0x1000 state=pending>`. */
  toString(): string {
    const head = `<Future at 0x${this.#id.toString(16)} state=${
      _STATE_DESCRIPTION[this.#state]
    }`;
    if (this.#state !== FINISHED) return `${head}>`;
    return this.#failed
      ? `${head} raised ${_typeName(this.#exception)}>`
      : `${head} returned ${_typeName(this.#result)}>`;
  }
}
