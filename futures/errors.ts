/**
 * The exceptions of concurrent.futures, with CPython's names and hierarchy.
 *
 * @module
 */
import {
  registerError,
  RuntimeError,
  TimeoutError,
} from "../_internal/core/errors.ts";

export { TimeoutError };

/**
 * Python's `concurrent.futures.CancelledError`: the future was cancelled, so
 * it has no result. Thrown by {@linkcode Future.result} and
 * {@linkcode Future.exception}.
 *
 * @example
 * ```ts
 * import { CancelledError, Future } from "@pyconc/pyconc/futures";
 * const f = new Future();
 * f.cancel();
 * try {
 *   await f.result();
 * } catch (err) {
 *   console.assert(err instanceof CancelledError);
 * }
 * ```
 */
export class CancelledError extends Error {
  /** Creates the error with an optional message. */
  constructor(message?: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "CancelledError";
  }
}

/**
 * Python's `concurrent.futures.InvalidStateError`: an operation is not
 * allowed in the future's current state, such as setting the result of a
 * future that is already finished. The message is CPython's:
 * `"FINISHED: <Future at 0x1 state=finished returned number>"`.
 *
 * @example
 * ```ts
 * import { Future, InvalidStateError } from "@pyconc/pyconc/futures";
 * const f = new Future<number>();
 * f.setResult(1);
 * try {
 *   f.setResult(2);
 * } catch (err) {
 *   console.assert(err instanceof InvalidStateError);
 * }
 * ```
 */
export class InvalidStateError extends Error {
  /** Creates the error with an optional message. */
  constructor(message?: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "InvalidStateError";
  }
}

/**
 * Python's `concurrent.futures.BrokenExecutor` (a `RuntimeError`): the
 * executor cannot run tasks anymore, because a worker failed to start or
 * died. Every pending future fails with it, and so does every later
 * `submit`.
 *
 * @example
 * ```ts
 * import { BrokenExecutor, BrokenThreadPool } from "@pyconc/pyconc/futures";
 * console.assert(new BrokenThreadPool("x") instanceof BrokenExecutor);
 * ```
 */
export class BrokenExecutor extends RuntimeError {
  /** Creates the error with an optional message. */
  constructor(message?: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "BrokenExecutor";
  }
}

/**
 * Python's `concurrent.futures.thread.BrokenThreadPool`: a worker's
 * initializer failed, or a worker thread exited while it had work.
 *
 * @example
 * ```ts
 * import { BrokenThreadPool, ThreadPoolExecutor } from "@pyconc/pyconc/futures";
 * const ex = new ThreadPoolExecutor({ maxWorkers: 1, initializer: () => { throw new Error("no"); } });
 * try {
 *   await ex.submit((x: number) => x, 1);
 * } catch (err) {
 *   console.assert(err instanceof BrokenThreadPool);
 * }
 * await ex.shutdown();
 * ```
 */
export class BrokenThreadPool extends BrokenExecutor {
  /** Creates the error with an optional message. */
  constructor(message?: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "BrokenThreadPool";
  }
}

/**
 * Python's `concurrent.futures.process.BrokenProcessPool`: a child process
 * of a {@linkcode ProcessPoolExecutor} ended abruptly (it exited or was
 * killed while it had work), or its initializer failed.
 *
 * @example
 * ```ts
 * import { BrokenExecutor, BrokenProcessPool } from "@pyconc/pyconc/futures";
 * console.assert(new BrokenProcessPool("x") instanceof BrokenExecutor);
 * ```
 */
export class BrokenProcessPool extends BrokenExecutor {
  /** Creates the error with an optional message. */
  constructor(message?: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "BrokenProcessPool";
  }
}

for (
  const cls of [
    CancelledError,
    InvalidStateError,
    BrokenExecutor,
    BrokenThreadPool,
    BrokenProcessPool,
  ]
) registerError(cls);
