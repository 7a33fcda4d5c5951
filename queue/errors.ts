/**
 * `Empty`, `Full` and `ShutDown`: the exceptions the queue module raises.
 *
 * @module
 */
import { registerError } from "../_internal/core/errors.ts";

/**
 * Raised by a non-blocking `get` (or `getNowait`) on an empty queue, and by
 * a blocking `get` whose timeout ran out, as Python's `queue.Empty`.
 *
 * @example
 * ```ts
 * import { Empty, Queue } from "@pyconc/pyconc/queue";
 * const q = new Queue();
 * try {
 *   q.getNowait();
 * } catch (err) {
 *   console.assert(err instanceof Empty);
 * }
 * ```
 */
export class Empty extends Error {
  /** Creates the error; Python's carries no message. */
  constructor(message = "", options?: ErrorOptions) {
    super(message, options);
    this.name = "Empty";
  }
}

/**
 * Raised by a non-blocking `put` (or `putNowait`) on a full queue, and by a
 * blocking `put` whose timeout ran out, as Python's `queue.Full`.
 *
 * @example
 * ```ts
 * import { Full, Queue } from "@pyconc/pyconc/queue";
 * const q = new Queue(1);
 * q.putNowait("a");
 * try {
 *   q.putNowait("b");
 * } catch (err) {
 *   console.assert(err instanceof Full);
 * }
 * ```
 */
export class Full extends Error {
  /** Creates the error; Python's carries no message. */
  constructor(message = "", options?: ErrorOptions) {
    super(message, options);
    this.name = "Full";
  }
}

/**
 * Raised by `put` on a queue that has been shut down, and by `get` on a
 * queue that has been shut down and is empty, as Python 3.13's
 * `queue.ShutDown`. Callers blocked in `get` or `put` when `shutdown()` is
 * called wake up with it.
 *
 * @example
 * ```ts
 * import { Queue, ShutDown } from "@pyconc/pyconc/queue";
 * const q = new Queue();
 * q.shutdown();
 * try {
 *   q.putNowait(1);
 * } catch (err) {
 *   console.assert(err instanceof ShutDown);
 * }
 * ```
 */
export class ShutDown extends Error {
  /** Creates the error; Python's carries no message. */
  constructor(message = "", options?: ErrorOptions) {
    super(message, options);
    this.name = "ShutDown";
  }
}

registerError(Empty);
registerError(Full);
registerError(ShutDown);
