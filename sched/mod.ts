/**
 * Python's `sched` module: a general purpose event scheduler.
 *
 * A {@linkcode scheduler} keeps a queue of events, each an action to call at
 * a time on a clock of your choice, and runs them in order of time, then
 * priority (lower first), then entry order, exactly as CPython does.
 * `run()` is async and awaits the delay function; `runSync()` blocks the
 * thread with `Atomics.wait` and is meant for scripts and workers.
 *
 * ```ts
 * import { scheduler } from "@pyconc/pyconc/sched";
 *
 * const s = new scheduler();
 * const printTime = (a = "default") => console.log("From printTime", a);
 * s.enter(0.02, 1, printTime);
 * s.enter(0.01, 2, printTime, ["positional"]);
 * s.enter(0.01, 1, printTime, [], { a: "keyword" }); // kwargs arrive as a last argument
 * await s.run();
 * ```
 *
 * Where JavaScript differs from Python:
 *
 * - Keyword arguments: `action(...argument)` is called with the event's
 *   `kwargs` object as one extra last argument when it has keys (a shallow
 *   copy, as `**kwargs` makes a fresh dict).
 * - `run()` returns a Promise; it awaits `delayfunc` and the actions when
 *   they return Promises, so async actions run one after another and their
 *   errors propagate. `runSync()` is Python's blocking loop and throws a
 *   `TypeError` if `delayfunc` returns a Promise. The default `delayfunc`
 *   sleeps with a timer under `run()` (a zero delay yields one macrotask)
 *   and with `Atomics.wait` under `runSync()`.
 * - A non-blocking run that empties the queue returns `undefined` (Python's
 *   `None`); `options` is `{ blocking }`.
 * - Times and priorities must be numbers (Python accepts any comparable
 *   values); NaN is refused with a `ValueError`, since it breaks the order.
 *   Actions must be functions, `argument` an array and `kwargs` an object,
 *   checked when the event is entered rather than when it runs.
 * - `cancel()` finds the event by identity in amortized O(1) (Python compares
 *   tuples by value in O(n)); an event that is not queued raises the same
 *   `ValueError("list.remove(x): x not in list")`.
 * - No lock: a scheduler lives in one thread, and each step that takes an
 *   event off the queue is synchronous, so tasks that share a scheduler never
 *   run an event twice (what CPython's `RLock` ensures between threads).
 *
 * @module
 */
export * from "./scheduler.ts";
export * from "./event.ts";
export { ValueError } from "../_internal/core/errors.ts";
