/**
 * The handle that `hold()`/`holdSync()` return for a `using` block.
 *
 * @module
 */
import { TimeoutError } from "../_internal/core/errors.ts";

/** A lock held for a block: `using _ = lock.holdSync();` releases it at the end. */
export interface Held extends Disposable {
  /** Releases what was acquired (the same as leaving the block). */
  [Symbol.dispose](): void;
}

/**
 * Turns the result of an acquire into a {@linkcode Held}.
 *
 * @throws {TimeoutError} when the acquire gave up (timeout or non-blocking).
 */
export function held(
  acquired: boolean,
  release: () => void,
  what: string,
): Held {
  if (!acquired) {
    throw new TimeoutError(`could not acquire the ${what} in time`);
  }
  return { [Symbol.dispose]: release };
}
