/**
 * Event: one scheduled call (time, priority, action, arguments), frozen
 * once made, and the `Action` type a scheduler calls.
 *
 * @module
 */
import { _owner } from "./_owner.ts";

/**
 * A function a scheduler can call: it receives the event's `argument` spread
 * out, plus the event's `kwargs` object as one extra last argument when that
 * object has keys.
 */
// deno-lint-ignore no-explicit-any
export type Action = (...args: any[]) => unknown;

/**
 * One scheduled call, as {@linkcode scheduler.enterabs} and
 * {@linkcode scheduler.enter} return it: Python's `sched.Event` named tuple
 * as a frozen record.
 *
 * Events are ordered by `time`, then `priority` (lower runs first), then
 * `sequence` (the order they were entered), exactly as CPython compares its
 * `(time, priority, sequence, action, argument, kwargs)` tuples. Hand an event
 * back to {@linkcode scheduler.cancel} to remove it from the queue.
 *
 * @example Reading an event's fields
 * ```ts
 * import { scheduler } from "@pyconc/pyconc/sched";
 * const s = new scheduler(() => 100, () => {});
 * const event = s.enter(5, 1, console.log, ["hello"]);
 * console.assert(event.time === 105 && event.priority === 1);
 * console.assert(event.sequence === 0 && event.argument[0] === "hello");
 * console.assert(Object.isFrozen(event));
 * ```
 */
export class Event {
  /** When the event is due, on the scale of the scheduler's `timefunc`. */
  readonly time: number;
  /** Among events due at the same time, lower priorities run first. */
  readonly priority: number;
  /** A number that grows with each event entered, separating equal times and priorities. */
  readonly sequence: number;
  /** The function called when the event runs. */
  readonly action: Action;
  /** The positional arguments passed to `action`. */
  readonly argument: readonly unknown[];
  /** Keyword arguments: passed to `action` as one extra last argument when not empty. */
  readonly kwargs: Readonly<Record<string, unknown>>;
  // The heap that queues this event, null when it is in none. Private
  // fields are not properties, so this stays writable after Object.freeze.
  #owner: object | null = null;

  static {
    _owner.get = (event) => #owner in event ? event.#owner : null;
    _owner.set = (event, heap) => {
      event.#owner = heap;
    };
  }

  /**
   * Builds an event record; schedulers do this for you in
   * {@linkcode scheduler.enterabs}. An event built by hand is in no queue.
   *
   * @param time When the event is due.
   * @param priority Order among events due at the same time.
   * @param sequence Order among events with equal time and priority.
   * @param action The function to call.
   * @param argument Positional arguments for `action`.
   * @param kwargs Keyword arguments for `action`.
   */
  constructor(
    time: number,
    priority: number,
    sequence: number,
    action: Action,
    argument: readonly unknown[],
    kwargs: Readonly<Record<string, unknown>>,
  ) {
    this.time = time;
    this.priority = priority;
    this.sequence = sequence;
    this.action = action;
    this.argument = argument;
    this.kwargs = kwargs;
    Object.freeze(this);
  }
}
