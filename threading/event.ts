// Event: a flag that threads wait on until another sets it.
import {
  registerShareable,
  SHARE,
  type SharedDescriptor,
} from "../_internal/codec.ts";
import { adopt, adoptedState, remember } from "../_internal/shared_object.ts";
import { Deadline, timeoutToMs } from "../_internal/time.ts";
import { waitAsync, waitSync } from "../_internal/wait.ts";

/** Slots of an event's shared words. */
const enum _E {
  /** 1 when set, 0 when clear. */
  Flag = 0,
  /** Bumped by every `set()`; waiters park on it, so a set is never missed. */
  Generation = 1,
  Size = 2,
}

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
    this.#sab = state ?? new SharedArrayBuffer(_E.Size * 4);
    this.#i32 = new Int32Array(this.#sab);
    this.#id = id;
    remember(id, this);
  }

  /** Whether the flag is set. */
  isSet(): boolean {
    return Atomics.load(this.#i32, _E.Flag) === 1;
  }

  /** Sets the flag and wakes every waiting thread. */
  set(): void {
    Atomics.store(this.#i32, _E.Flag, 1);
    Atomics.add(this.#i32, _E.Generation, 1);
    Atomics.notify(this.#i32, _E.Generation);
  }

  /** Clears the flag; later waits block until the next `set()`. */
  clear(): void {
    Atomics.store(this.#i32, _E.Flag, 0);
  }

  /**
   * Waits until the flag is set or `timeout` seconds pass, without blocking
   * the event loop; resolves to `true` when it was set (now or during the
   * wait), `false` on timeout.
   *
   * @throws {ValueError} a negative timeout.
   */
  async wait(timeout?: number | null): Promise<boolean> {
    const ms = timeoutToMs(timeout);
    const gen = Atomics.load(this.#i32, _E.Generation);
    if (this.isSet()) return true;
    const deadline = new Deadline(ms);
    for (;;) {
      if (Atomics.load(this.#i32, _E.Generation) !== gen) return true;
      const left = deadline.remainingMs();
      if (left <= 0) return this.isSet();
      await waitAsync(this.#i32, _E.Generation, gen, left);
    }
  }

  /** The blocking twin of {@linkcode Event.wait}. */
  waitSync(timeout?: number | null): boolean {
    const ms = timeoutToMs(timeout);
    const gen = Atomics.load(this.#i32, _E.Generation);
    if (this.isSet()) return true;
    const deadline = new Deadline(ms);
    for (;;) {
      if (Atomics.load(this.#i32, _E.Generation) !== gen) return true;
      const left = deadline.remainingMs();
      if (left <= 0) return this.isSet();
      waitSync(this.#i32, _E.Generation, gen, left);
    }
  }

  /** @internal Describes this event for another thread. */
  [SHARE](): SharedDescriptor {
    return {
      url: import.meta.url,
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
registerShareable(import.meta.url, "Event", Event);
