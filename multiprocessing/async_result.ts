/**
 * AsyncResult: the handle of a Pool call whose result comes later.
 *
 * @module
 */
import { TimeoutError, ValueError } from "../_internal/core/errors.ts";
import { timeoutToMs } from "../_internal/core/time.ts";

/**
 * The result of {@linkcode Pool.applyAsync}, {@linkcode Pool.mapAsync} and
 * {@linkcode Pool.starmapAsync}, as Python's `multiprocessing.pool.AsyncResult`.
 * `get(timeout)` resolves to the value or rejects with the task's error
 * (or with the root {@linkcode TimeoutError} when the time runs out, the
 * task going on); `wait(timeout)` only waits; `ready()` and `successful()`
 * look without waiting. An AsyncResult is also a thenable, so
 * `await pool.applyAsync(...)` gives the value.
 *
 * @example
 * ```ts
 * import { Pool } from "@pyconc/pyconc/multiprocessing";
 * await using pool = new Pool(1);
 * const r = pool.applyAsync((x: number) => x + 1, [41]);
 * console.assert(await r.get(30) === 42);
 * console.assert(r.ready() && r.successful());
 * ```
 */
export class AsyncResult<T = unknown> implements PromiseLike<T> {
  #state: "pending" | "ok" | "error" = "pending";
  #value: T | undefined;
  #error: unknown;
  readonly #settled: Promise<void>;
  #finish!: () => void;

  /**
   * @internal Pools make these.
   */
  constructor(
    promise: Promise<T>,
    callback?: ((value: T) => void) | null,
    errorCallback?: ((error: unknown) => void) | null,
  ) {
    this.#settled = new Promise<void>((r) => this.#finish = r);
    promise.then(
      (v) => {
        if (this.#state !== "pending") return;
        this.#state = "ok";
        this.#value = v;
        this.#finish();
        if (callback) _safely(() => callback(v));
      },
      (e) => {
        if (this.#state !== "pending") return;
        this.#state = "error";
        this.#error = e;
        this.#finish();
        if (errorCallback) _safely(() => errorCallback(e));
      },
    );
  }

  /** @internal Fails a result that has not settled (the pool was terminated). */
  _abandon(err: unknown): void {
    if (this.#state !== "pending") return;
    this.#state = "error";
    this.#error = err;
    this.#finish();
  }

  /**
   * Whether the call has finished.
   *
   * @returns `true` once it returned or threw.
   */
  ready(): boolean {
    return this.#state !== "pending";
  }

  /**
   * Whether the call returned without throwing.
   *
   * @returns `true` when it returned.
   * @throws {ValueError} the call has not finished.
   */
  successful(): boolean {
    if (this.#state === "pending") {
      throw new ValueError(`${this} not ready`);
    }
    return this.#state === "ok";
  }

  /**
   * Waits until the call finishes or `timeout` seconds pass.
   *
   * @param timeout Seconds; forever when omitted or `null`.
   * @returns A promise that settles when it finished or the time is up.
   * @throws {ValueError} a negative timeout.
   */
  async wait(timeout?: number | null): Promise<void> {
    const ms = timeoutToMs(timeout);
    if (this.#state !== "pending") return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      await Promise.race([
        this.#settled,
        new Promise<void>((r) => {
          if (ms !== Infinity) timer = setTimeout(r, ms);
        }),
      ]);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * The call's result, waiting for it at most `timeout` seconds.
   *
   * @param timeout Seconds; forever when omitted or `null`.
   * @returns The result.
   * @throws {TimeoutError} the call did not finish in time.
   * @throws The error the call threw.
   */
  async get(timeout?: number | null): Promise<T> {
    await this.wait(timeout);
    if (this.#state === "pending") throw new TimeoutError();
    if (this.#state === "error") throw this.#error;
    return this.#value as T;
  }

  /** Lets `await result` give the value (or throw). */
  then<R1 = T, R2 = never>(
    onfulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    onrejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    return this.get().then(onfulfilled, onrejected);
  }

  /** A short description, as Python's repr. */
  toString(): string {
    return `<multiprocessing.pool.AsyncResult object (${this.#state})>`;
  }
}

function _safely(fn: () => void): void {
  try {
    fn();
  } catch (err) {
    console.error("Exception in AsyncResult callback:", err);
  }
}
