/**
 * Event: a flag that threads wait on until another sets it.
 *
 * @module
 */
import {
  registerShareable,
  SHARE,
  type SharedDescriptor,
  shareUrl,
} from "../_internal/share/codec.ts";
import {
  adopt,
  adoptedState,
  remember,
} from "../_internal/share/shared_object.ts";
import { Deadline, timeoutToMs } from "../_internal/core/time.ts";
import { waitAsync, waitSync } from "../_internal/sync/wait.ts";

const _SHARE_URL = shareUrl(import.meta.url, "threading/event.ts");

/** Slots of an event's shared words. */
const _EventWord = {
  /**
   * The flag in bit 0 and a count of `set()` calls above it, in one word so
   * that set, clear and a waiter's snapshot are each one atomic step:
   * any change a waiter sees while the flag was clear is a `set()`.
   * Written by `set()` (compare-exchange) and `clear()` (atomic and), from
   * any thread; the hot paths below write the literal 0.
   */
  State: 0,
  /** How many words there are. */
  Size: 1,
} as const;

/**
 * An event flag, as Python's `threading.Event`: `wait` returns once some
 * thread calls `set`. It lives in shared memory and works across workers.
 * A `set()` that happens while a thread waits wakes it with `true` even if
 * `clear()` follows at once (CPython gh-57711).
 *
 * @example
 * ```ts
 * import { Event } from "@pyconc/pyconc/threading";
 * const ready = new Event();
 * setTimeout(() => ready.set(), 10);
 * console.assert(await ready.wait(5) === true);
 * console.assert(ready.isSet());
 * ```
 */
export class Event {
  readonly #sab: SharedArrayBuffer;
  readonly #i32: Int32Array;
  readonly #id: number;

  /** Creates an event whose flag is clear. */
  constructor() {
    const { state, id } = adoptedState<SharedArrayBuffer>();
    this.#sab = state ?? new SharedArrayBuffer(_EventWord.Size * 4);
    this.#i32 = new Int32Array(this.#sab);
    this.#id = id;
    remember(id, this);
  }

  /** Whether the flag is set. */
  isSet(): boolean {
    return (Atomics.load(this.#i32, _EventWord.State) & 1) === 1;
  }

  /** Sets the flag and wakes every waiting thread. */
  set(): void {
    const i32 = this.#i32;
    for (;;) {
      const s = Atomics.load(i32, 0);
      if (Atomics.compareExchange(i32, 0, s, ((s + 2) | 1) | 0) === s) break;
    }
    Atomics.notify(i32, 0);
  }

  /** Clears the flag; later waits block until the next `set()`. */
  clear(): void {
    Atomics.and(this.#i32, 0, ~1);
  }

  /**
   * Waits until the flag is set or `timeout` seconds pass, without blocking
   * the event loop; resolves to `true` when it was set (now or during the
   * wait), `false` on timeout.
   *
   * @throws {ValueError} a negative timeout.
   * @throws {OverflowError} a timeout above `TIMEOUT_MAX` while the flag is clear.
   */
  async wait(timeout?: number | null): Promise<boolean> {
    // As CPython: a set flag returns before the timeout is converted.
    const seen = Atomics.load(this.#i32, _EventWord.State);
    if (seen & 1) return true;
    const ms = timeoutToMs(timeout);
    const deadline = new Deadline(ms);
    for (;;) {
      if (Atomics.load(this.#i32, _EventWord.State) !== seen) return true;
      const left = deadline.remainingMs();
      if (left <= 0) return false;
      await waitAsync(this.#i32, _EventWord.State, seen, left);
    }
  }

  /** The blocking twin of {@linkcode Event.wait}. */
  waitSync(timeout?: number | null): boolean {
    const i32 = this.#i32;
    const seen = Atomics.load(i32, 0);
    if (seen & 1) return true;
    const ms = timeout === undefined || timeout === null
      ? Infinity
      : timeoutToMs(timeout);
    if (ms > 0) {
      // A hand-off from a running thread lands within a few thousand loads;
      // catching it here skips the clock reads of the general path.
      for (let k = 0; k < 4096; k++) {
        if (Atomics.load(i32, 0) !== seen) return true;
      }
    }
    const deadline = new Deadline(ms);
    for (;;) {
      if (Atomics.load(i32, 0) !== seen) return true;
      const left = deadline.remainingMs();
      if (left <= 0) return false;
      waitSync(i32, 0, seen, left);
    }
  }

  /** @internal Describes this event for another thread. */
  [SHARE](): SharedDescriptor {
    return {
      url: _SHARE_URL,
      name: "Event",
      id: this.#id,
      state: this.#sab,
    };
  }

  /** @internal Rebuilds a handle in another thread. */
  static _fromShared(state: unknown, id: number): Event {
    return adopt(Event, state, id);
  }

  /** A short description, as Python's repr. */
  toString(): string {
    return `<threading.Event: ${this.isSet() ? "set" : "unset"}>`;
  }
}
registerShareable(_SHARE_URL, "Event", Event);
