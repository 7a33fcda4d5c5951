/**
 * scheduler: Python's `sched.scheduler`, a queue of timed calls run by
 * `run()` (async) or `runSync()` (blocking), with pluggable clock and delay.
 *
 * @module
 */
import { ValueError } from "../_internal/core/errors.ts";
import { monotonic } from "../_internal/core/time.ts";
import { checkOptions, isOptionsObject } from "../_internal/core/options.ts";
import { type Action, Event } from "./event.ts";
import { _compare, _EventHeap } from "./_heap.ts";
import { _sleep, _sleepSync } from "./_sleep.ts";

/** Options of {@linkcode scheduler.run} and {@linkcode scheduler.runSync}. */
export interface RunOptions {
  /**
   * `true` (the default): run until the queue is empty, waiting for each
   * event's time. `false`: run only the events already due, then return the
   * delay until the next one.
   */
  blocking?: boolean;
}

/** Options of the {@linkcode scheduler} constructor: Python's keywords. */
export interface SchedulerOptions {
  /** Returns the current time; default: monotonic seconds. */
  timefunc?: () => number;
  /** Waits a given time; may return a Promise. Default: a sleep in seconds. */
  delayfunc?: (delay: number) => unknown;
}

/** The argument array events get when none is given (Python's `()`). */
const NO_ARGUMENTS: readonly unknown[] = Object.freeze([]);

function _typeName(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  return typeof value;
}

function _checkNumber(value: unknown, what: string): number {
  if (typeof value !== "number") {
    throw new TypeError(`${what} must be a number, got ${_typeName(value)}`);
  }
  if (value !== value) throw new ValueError(`${what} must not be NaN`);
  return value;
}

function _isThenable(value: unknown): value is PromiseLike<unknown> {
  return value !== null && (typeof value === "object" ||
    typeof value === "function") &&
    typeof (value as PromiseLike<unknown>).then === "function";
}

function _hasKeys(kwargs: object): boolean {
  for (const key in kwargs) {
    if (Object.hasOwn(kwargs, key)) return true;
  }
  return false;
}

/** Calls an event's action the way Python calls `action(*argument, **kwargs)`. */
function _call(event: Event): unknown {
  const { action, argument, kwargs } = event;
  if (_hasKeys(kwargs)) return action(...argument, { ...kwargs });
  return argument.length === 0 ? action() : action(...argument);
}

function _blocking(options: RunOptions | undefined): boolean {
  if (options === undefined) return true;
  if (options === null || typeof options !== "object") {
    throw new TypeError(
      `options must be an object such as { blocking: false }, got ${
        _typeName(options)
      }`,
    );
  }
  return options.blocking === undefined ? true : !!options.blocking;
}

/**
 * Python's `sched.scheduler`: a general purpose event scheduler that runs
 * actions at given times, on a clock you choose.
 *
 * `timefunc` returns the current time as a number (default: monotonic
 * seconds); `delayfunc(seconds)` waits that long (default: a sleep). Pass
 * both to drive the scheduler with simulated time, as in Python. `delayfunc`
 * may return a Promise, which {@linkcode scheduler.run} awaits;
 * {@linkcode scheduler.runSync} blocks the thread instead and needs a
 * synchronous `delayfunc` (the default one switches to `Atomics.wait` there).
 *
 * Events run in order of time, then priority (lower first), then the order
 * they were entered. An action may enter or cancel events while the
 * scheduler runs; an action that throws ends the run with that event
 * removed and the others kept, so a later `run()` carries on.
 *
 * @example Simulated time
 * ```ts
 * import { scheduler } from "@pyconc/pyconc/sched";
 * let now = 0;
 * const s = new scheduler(() => now, (seconds) => { now += seconds; });
 * const log: string[] = [];
 * s.enter(2, 1, (what: string) => log.push(`${now} ${what}`), ["second"]);
 * s.enter(1, 1, (what: string) => log.push(`${now} ${what}`), ["first"]);
 * s.runSync();
 * console.assert(log.join(", ") === "1 first, 2 second");
 * ```
 *
 * @example The real clock
 * ```ts
 * import { scheduler } from "@pyconc/pyconc/sched";
 * const s = new scheduler();
 * const t0 = performance.now();
 * s.enter(0.05, 1, () => console.log("after ~50 ms"));
 * await s.run();
 * console.assert(performance.now() - t0 >= 50);
 * ```
 */
export class scheduler {
  /** The clock: returns the current time (default: monotonic seconds). */
  timefunc: () => number;
  /**
   * Waits the given time, on the clock's scale (default: a sleep in seconds).
   * May return a Promise, which {@linkcode scheduler.run} awaits.
   */
  delayfunc: (delay: number) => unknown;
  readonly #heap = new _EventHeap();
  #sequence = 0;

  /**
   * Creates a scheduler with an empty queue, as Python's
   * `scheduler(timefunc=time.monotonic, delayfunc=time.sleep)`: the two
   * functions positionally, or as an options object,
   * `new scheduler({ timefunc, delayfunc })`.
   *
   * @param options `{ timefunc, delayfunc }`: see {@linkcode SchedulerOptions}.
   * @throws {TypeError} `timefunc` or `delayfunc` is given but not a
   * function, or an unknown option.
   *
   * @example Options
   * ```ts
   * import { scheduler } from "@pyconc/pyconc/sched";
   * let now = 0;
   * const s = new scheduler({ timefunc: () => now, delayfunc: (d) => { now += d; } });
   * s.enter(5, 1, () => {});
   * s.runSync();
   * console.assert(now === 5);
   * ```
   */
  constructor(options?: SchedulerOptions);
  /**
   * Creates a scheduler with an empty queue, with its functions given
   * positionally (`delayfunc` possibly as `{ delayfunc }`).
   *
   * @param timefunc Returns the current time; default: monotonic seconds,
   * like Python's `time.monotonic`.
   * @param delayfunc Waits a given time; default: a sleep in seconds that
   * `run()` awaits and `runSync()` performs with `Atomics.wait`.
   * @throws {TypeError} `timefunc` or `delayfunc` is given but not a function.
   *
   * @example A scheduler on a simulated clock
   * ```ts
   * import { scheduler } from "@pyconc/pyconc/sched";
   * let now = 0;
   * const s = new scheduler(() => now, (d) => { now += d; });
   * console.assert(s.empty());
   * ```
   */
  constructor(
    timefunc?: () => number,
    delayfunc?: ((delay: number) => unknown) | {
      delayfunc?: (delay: number) => unknown;
    },
  );
  constructor(
    timefuncOrOptions?: (() => number) | SchedulerOptions,
    delayfuncOrOptions?: ((delay: number) => unknown) | {
      delayfunc?: (delay: number) => unknown;
    },
  ) {
    let timefunc: unknown = timefuncOrOptions;
    let delayfunc: unknown = delayfuncOrOptions;
    if (isOptionsObject(timefuncOrOptions)) {
      if (delayfuncOrOptions !== undefined) {
        throw new TypeError(
          "scheduler() takes timefunc and delayfunc either as arguments or in one options object",
        );
      }
      const o = checkOptions(
        timefuncOrOptions as SchedulerOptions,
        ["timefunc", "delayfunc"],
        "scheduler",
      );
      timefunc = o.timefunc;
      delayfunc = o.delayfunc;
    } else if (isOptionsObject(delayfuncOrOptions)) {
      delayfunc = checkOptions(delayfuncOrOptions, ["delayfunc"], "scheduler")
        .delayfunc;
    }
    if (timefunc !== undefined && typeof timefunc !== "function") {
      throw new TypeError(
        `timefunc must be a function, got ${_typeName(timefunc)}`,
      );
    }
    if (delayfunc !== undefined && typeof delayfunc !== "function") {
      throw new TypeError(
        `delayfunc must be a function, got ${_typeName(delayfunc)}`,
      );
    }
    this.timefunc = (timefunc as () => number) ?? monotonic;
    this.delayfunc = (delayfunc as (delay: number) => unknown) ?? _sleep;
  }

  /**
   * Schedules `action` at an absolute `time` and returns the event, which
   * {@linkcode scheduler.cancel} accepts. Events due at the same time run in
   * order of `priority`, lower first, then in the order they were entered.
   *
   * @param time When to run, on the scale of `timefunc`.
   * @param priority Order among events due at the same time; lower runs first.
   * @param action The function to call.
   * @param argument Positional arguments for `action` (default `[]`).
   * @param kwargs Keyword arguments: when not empty, passed to `action` as
   * one extra last argument (default `{}`).
   * @returns The new event.
   * @throws {TypeError} `time` or `priority` is not a number, `action` is
   * not a function, `argument` is not an array or `kwargs` not an object.
   * @throws {ValueError} `time` or `priority` is NaN.
   *
   * @example Priorities break ties
   * ```ts
   * import { scheduler } from "@pyconc/pyconc/sched";
   * const s = new scheduler(() => 10, () => {});
   * const order: string[] = [];
   * s.enterabs(10, 2, () => order.push("low"));
   * s.enterabs(10, 1, () => order.push("high"));
   * s.runSync();
   * console.assert(order.join() === "high,low");
   * ```
   */
  enterabs(
    time: number,
    priority: number,
    action: Action,
    argument?: readonly unknown[],
    kwargs?: Readonly<Record<string, unknown>>,
  ): Event {
    _checkNumber(time, "time");
    _checkNumber(priority, "priority");
    if (typeof action !== "function") {
      throw new TypeError(
        `action must be a function, got ${_typeName(action)}`,
      );
    }
    if (argument === undefined) argument = NO_ARGUMENTS;
    else if (!Array.isArray(argument)) {
      throw new TypeError(
        `argument must be an array, got ${_typeName(argument)}`,
      );
    }
    if (kwargs === undefined) kwargs = {};
    else if (
      kwargs === null || typeof kwargs !== "object" || Array.isArray(kwargs)
    ) {
      throw new TypeError(
        `kwargs must be an object, got ${_typeName(kwargs)}`,
      );
    }
    const event = new Event(
      time,
      priority,
      this.#sequence++,
      action,
      argument,
      kwargs,
    );
    this.#heap.push(event);
    return event;
  }

  /**
   * Schedules `action` `delay` time units from now (`timefunc() + delay`)
   * and returns the event; otherwise like {@linkcode scheduler.enterabs}.
   *
   * @param delay How long from now, on the scale of `timefunc`.
   * @param priority Order among events due at the same time; lower runs first.
   * @param action The function to call.
   * @param argument Positional arguments for `action` (default `[]`).
   * @param kwargs Keyword arguments, passed as one extra last argument when
   * not empty (default `{}`).
   * @returns The new event.
   * @throws {TypeError} `delay` or `priority` is not a number, `timefunc`
   * returned something else, or `action`, `argument` or `kwargs` is of the
   * wrong type.
   * @throws {ValueError} `delay` or `priority` is NaN.
   *
   * @example Relative times
   * ```ts
   * import { scheduler } from "@pyconc/pyconc/sched";
   * const s = new scheduler(() => 100, () => {});
   * const event = s.enter(5, 1, () => {});
   * console.assert(event.time === 105);
   * ```
   */
  enter(
    delay: number,
    priority: number,
    action: Action,
    argument?: readonly unknown[],
    kwargs?: Readonly<Record<string, unknown>>,
  ): Event {
    _checkNumber(delay, "delay");
    const now = _checkNumber(this.timefunc(), "timefunc()");
    return this.enterabs(now + delay, priority, action, argument, kwargs);
  }

  /**
   * Removes an event from the queue, in amortized O(1).
   *
   * @param event An event returned by {@linkcode scheduler.enter} or
   * {@linkcode scheduler.enterabs} of this scheduler.
   * @throws {ValueError} the event is not in the queue (it already ran, was
   * cancelled, or belongs to another scheduler), with Python's message
   * `list.remove(x): x not in list`.
   *
   * @example Cancelling an event
   * ```ts
   * import { scheduler } from "@pyconc/pyconc/sched";
   * const s = new scheduler(() => 0, () => {});
   * const event = s.enter(1, 1, () => {});
   * s.cancel(event);
   * console.assert(s.empty());
   * ```
   */
  cancel(event: Event): void {
    if (!this.#heap.has(event)) {
      throw new ValueError("list.remove(x): x not in list");
    }
    this.#heap.remove(event);
  }

  /**
   * Whether the queue is empty.
   *
   * @returns `true` when no event is waiting to run.
   *
   * @example
   * ```ts
   * import { scheduler } from "@pyconc/pyconc/sched";
   * const s = new scheduler(() => 0, () => {});
   * console.assert(s.empty());
   * s.enter(1, 1, () => {});
   * console.assert(!s.empty());
   * ```
   */
  empty(): boolean {
    return this.#heap.size === 0;
  }

  /**
   * The upcoming events in the order they will run: a new array each time.
   *
   * @example Snapshot of the queue
   * ```ts
   * import { scheduler } from "@pyconc/pyconc/sched";
   * const s = new scheduler(() => 0, () => {});
   * s.enterabs(2, 1, () => {});
   * s.enterabs(1, 1, () => {});
   * console.assert(s.queue.map((e) => e.time).join() === "1,2");
   * ```
   */
  get queue(): Event[] {
    return this.#heap.live().sort(_compare);
  }

  /**
   * Runs events until the queue is empty, as Python's `scheduler.run()`.
   *
   * While the next event is not due, awaits `delayfunc(time - now)` and looks
   * again (a delay that returns early is simply repeated); when it is due,
   * removes it, calls its action, awaits the action's result if it is a
   * Promise, then awaits `delayfunc(0)` to let other tasks run. With
   * `{ blocking: false }` it runs only the events already due and returns the
   * delay until the next one, without calling `delayfunc` for it.
   *
   * Events entered or cancelled meanwhile, by actions or by other tasks, are
   * seen at the next step; several tasks may run the same scheduler and each
   * event still runs once, because taking an event off the queue is one
   * synchronous step (it is what Python's lock guards).
   *
   * @param options `{ blocking }`, `true` by default.
   * @returns `undefined` once the queue is empty; in non-blocking mode, the
   * delay until the next event if one remains.
   * @throws {unknown} whatever an action or `delayfunc` throws; the event
   * that threw is already off the queue and the others stay.
   * @throws {TypeError} `timefunc` returned something other than a number.
   *
   * @example Non-blocking steps
   * ```ts
   * import { scheduler } from "@pyconc/pyconc/sched";
   * let now = 0;
   * const s = new scheduler(() => now, (d) => { now += d; });
   * s.enterabs(1, 1, () => {});
   * s.enterabs(5, 1, () => {});
   * now = 2;
   * console.assert(await s.run({ blocking: false }) === 3);
   * console.assert(s.queue.length === 1);
   * ```
   */
  async run(options?: RunOptions): Promise<number | undefined> {
    const blocking = _blocking(options);
    // Localized as in CPython: swapping timefunc/delayfunc mid-run has no effect.
    const heap = this.#heap;
    const timefunc = this.timefunc;
    const delayfunc = this.delayfunc;
    for (;;) {
      // This block is synchronous: no other task can take the same event.
      if (heap.size === 0) return undefined;
      const event = heap.peek();
      const time = event.time;
      const now = timefunc();
      if (typeof now !== "number") _checkNumber(now, "timefunc()");
      if (time > now) {
        if (!blocking) return time - now;
        const waited = delayfunc(time - now);
        if (_isThenable(waited)) await waited;
      } else {
        heap.pop();
        const result = _call(event);
        if (_isThenable(result)) await result;
        const waited = delayfunc(0);
        if (_isThenable(waited)) await waited;
      }
    }
  }

  /**
   * Runs events like {@linkcode scheduler.run}, blocking the calling thread
   * while it waits (for scripts and workers).
   *
   * The default `delayfunc` sleeps with `Atomics.wait` here. Results of
   * actions are not awaited.
   *
   * @param options `{ blocking }`, `true` by default.
   * @returns `undefined` once the queue is empty; in non-blocking mode, the
   * delay until the next event if one remains.
   * @throws {TypeError} `delayfunc` returned a Promise (use `run()` for an
   * async delay), or `timefunc` returned something other than a number.
   * @throws {unknown} whatever an action or `delayfunc` throws; the event
   * that threw is already off the queue and the others stay.
   *
   * @example Blocking on the real clock
   * ```ts
   * import { scheduler } from "@pyconc/pyconc/sched";
   * const s = new scheduler();
   * const fired: number[] = [];
   * s.enter(0.02, 1, () => fired.push(performance.now()));
   * const t0 = performance.now();
   * s.runSync();
   * console.assert(fired[0] - t0 >= 20);
   * ```
   */
  runSync(options?: RunOptions): number | undefined {
    const blocking = _blocking(options);
    const heap = this.#heap;
    const timefunc = this.timefunc;
    const delayfunc = this.delayfunc === _sleep ? _sleepSync : this.delayfunc;
    for (;;) {
      if (heap.size === 0) return undefined;
      const event = heap.peek();
      const time = event.time;
      const now = timefunc();
      if (typeof now !== "number") _checkNumber(now, "timefunc()");
      if (time > now) {
        if (!blocking) return time - now;
        _syncOnly(delayfunc(time - now));
      } else {
        heap.pop();
        _call(event);
        _syncOnly(delayfunc(0));
      }
    }
  }
}

/** Refuses a Promise from `delayfunc` under `runSync()`. */
function _syncOnly(waited: unknown): void {
  if (!_isThenable(waited)) return;
  // Nobody will await it: keep a later rejection from going unhandled.
  Promise.resolve(waited).catch(() => {});
  throw new TypeError(
    "delayfunc returned a Promise, which runSync() cannot wait for; use await run() instead",
  );
}
