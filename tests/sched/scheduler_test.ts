import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { Event, scheduler, ValueError } from "../../sched/mod.ts";
import { assertNoLeaks } from "../_leaks.ts";

/** A simulated clock: `delayfunc` advances `now` and logs every delay. */
function fakeClock(start = 0) {
  const clock = {
    now: start,
    delays: [] as number[],
    timefunc: () => clock.now,
    delayfunc: (d: number) => {
      clock.delays.push(d);
      clock.now += d;
    },
  };
  return clock;
}

function fakeScheduler(start = 0) {
  const clock = fakeClock(start);
  return { clock, s: new scheduler(clock.timefunc, clock.delayfunc) };
}

const noop = () => {};

describe("new scheduler()", () => {
  it("defaults to monotonic seconds and a sleep", () => {
    const s = new scheduler();
    const t = s.timefunc();
    assert.equal(typeof t, "number");
    assert.ok(Math.abs(t - performance.now() / 1000) < 0.5);
    assert.equal(typeof s.delayfunc, "function");
    assert.equal(s.empty(), true);
    assert.deepEqual(s.queue, []);
  });

  it("keeps the given timefunc and delayfunc as public fields", () => {
    const tf = () => 7;
    const df = () => {};
    const s = new scheduler(tf, df);
    assert.equal(s.timefunc, tf);
    assert.equal(s.delayfunc, df);
    assert.equal(s.enter(1, 0, noop).time, 8);
  });

  it("throws TypeError for a timefunc or delayfunc that is not a function", () => {
    assert.throws(() => new scheduler(5 as never), {
      name: "TypeError",
      message: "timefunc must be a function, got number",
    });
    assert.throws(() => new scheduler(undefined, null as never), {
      name: "TypeError",
      message: "delayfunc must be a function, got null",
    });
    assert.throws(() => new scheduler(undefined, "x" as never), TypeError);
  });
});

describe("scheduler.enterabs()", () => {
  it("returns a frozen Event with Python's fields and a growing sequence", () => {
    const { s } = fakeScheduler();
    const a = s.enterabs(5, 1, noop);
    const b = s.enterabs(3, 2, noop, [1, 2], { k: "v" });
    assert.ok(a instanceof Event);
    assert.ok(Object.isFrozen(a));
    assert.deepEqual(Object.keys(a), [
      "time",
      "priority",
      "sequence",
      "action",
      "argument",
      "kwargs",
    ]);
    assert.equal(a.time, 5);
    assert.equal(a.priority, 1);
    assert.equal(a.sequence, 0);
    assert.equal(a.action, noop);
    assert.deepEqual(a.argument, []);
    assert.ok(Object.isFrozen(a.argument));
    assert.deepEqual(a.kwargs, {});
    assert.equal(b.sequence, 1);
    assert.deepEqual(b.argument, [1, 2]);
    assert.deepEqual(b.kwargs, { k: "v" });
    assert.throws(() => {
      (a as { time: number }).time = 1;
    }, TypeError);
  });

  it("gives each event its own kwargs object by default", () => {
    const { s } = fakeScheduler();
    assert.notEqual(
      s.enterabs(1, 1, noop).kwargs,
      s.enterabs(1, 1, noop).kwargs,
    );
  });

  it("numbers sequences per scheduler, from 0", () => {
    const one = fakeScheduler().s;
    const two = fakeScheduler().s;
    one.enterabs(1, 1, noop);
    assert.equal(one.enterabs(1, 1, noop).sequence, 1);
    assert.equal(two.enterabs(1, 1, noop).sequence, 0);
  });

  it("accepts Infinity and negative times", () => {
    const { s } = fakeScheduler();
    s.enterabs(Infinity, 0, noop);
    s.enterabs(-5, 0, noop);
    assert.deepEqual(s.queue.map((e) => e.time), [-5, Infinity]);
  });

  it("throws TypeError for a time or priority that is not a number", () => {
    const { s } = fakeScheduler();
    assert.throws(() => s.enterabs("1" as never, 1, noop), {
      name: "TypeError",
      message: "time must be a number, got string",
    });
    assert.throws(() => s.enterabs(1n as never, 1, noop), {
      name: "TypeError",
      message: "time must be a number, got bigint",
    });
    assert.throws(() => s.enterabs(1, null as never, noop), {
      name: "TypeError",
      message: "priority must be a number, got null",
    });
    assert.ok(s.empty());
  });

  it("throws ValueError for a NaN time or priority", () => {
    const { s } = fakeScheduler();
    assert.throws(() => s.enterabs(NaN, 1, noop), {
      name: "ValueError",
      message: "time must not be NaN",
    });
    assert.throws(() => s.enterabs(1, NaN, noop), ValueError);
    assert.ok(s.empty());
  });

  it("throws TypeError for an action that is not a function", () => {
    const { s } = fakeScheduler();
    assert.throws(() => s.enterabs(1, 1, 42 as never), {
      name: "TypeError",
      message: "action must be a function, got number",
    });
    assert.throws(() => s.enterabs(1, 1, undefined as never), {
      message: "action must be a function, got undefined",
    });
    assert.ok(s.empty());
  });

  it("throws TypeError for a bad argument or kwargs", () => {
    const { s } = fakeScheduler();
    assert.throws(() => s.enterabs(1, 1, noop, "ab" as never), {
      name: "TypeError",
      message: "argument must be an array, got string",
    });
    assert.throws(() => s.enterabs(1, 1, noop, [], [1] as never), {
      name: "TypeError",
      message: "kwargs must be an object, got array",
    });
    assert.throws(() => s.enterabs(1, 1, noop, [], null as never), {
      message: "kwargs must be an object, got null",
    });
    assert.ok(s.empty());
  });
});

describe("scheduler.enter()", () => {
  it("schedules at timefunc() + delay", () => {
    const { s, clock } = fakeScheduler(100);
    assert.equal(s.enter(5, 1, noop).time, 105);
    clock.now = 200.5;
    assert.equal(s.enter(-0.5, 1, noop).time, 200);
  });

  it("throws TypeError for a delay that is not a number", () => {
    const { s } = fakeScheduler();
    assert.throws(() => s.enter("5" as never, 1, noop), {
      name: "TypeError",
      message: "delay must be a number, got string",
    });
    assert.throws(() => s.enter(NaN, 1, noop), {
      name: "ValueError",
      message: "delay must not be NaN",
    });
  });

  it("throws TypeError when timefunc does not return a number", () => {
    const s = new scheduler(() => "now" as never, noop);
    assert.throws(() => s.enter(1, 1, noop), {
      name: "TypeError",
      message: "timefunc() must be a number, got string",
    });
  });
});

describe("scheduler ordering", () => {
  it("orders by time, then priority, then sequence, as CPython does", () => {
    const { s } = fakeScheduler();
    const log: string[] = [];
    const act = (name: string) => log.push(name);
    s.enterabs(2, 1, act, ["t2p1"]);
    s.enterabs(1, 2, act, ["t1p2-a"]);
    s.enterabs(1, 1, act, ["t1p1"]);
    s.enterabs(1, 2, act, ["t1p2-b"]);
    s.enterabs(0.5, 9, act, ["t0.5p9"]);
    s.enterabs(1, -1, act, ["t1p-1"]);
    const expected = ["t0.5p9", "t1p-1", "t1p1", "t1p2-a", "t1p2-b", "t2p1"];
    assert.deepEqual(s.queue.map((e) => e.argument[0]), expected);
    s.runSync();
    assert.deepEqual(log, expected);
  });

  it("keeps heap order under many random enters and cancels", () => {
    const { s } = fakeScheduler();
    let seed = 12345;
    const rand = (n: number) => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return (seed >>> 8) % n;
    };
    const live = new Set<Event>();
    const order: unknown[] = [];
    const record = (i: number) => order.push(i);
    for (let i = 0; i < 5000; i++) {
      if (live.size > 0 && rand(3) === 0) {
        const all = [...live];
        const victim = all[rand(all.length)];
        s.cancel(victim);
        live.delete(victim);
      } else {
        live.add(s.enterabs(rand(50), rand(4), record, [i]));
      }
    }
    const expected = [...live].sort((a, b) =>
      a.time - b.time || a.priority - b.priority || a.sequence - b.sequence
    );
    assert.deepEqual(s.queue, expected);
    s.runSync();
    assert.deepEqual(order, expected.map((e) => e.argument[0]));
  });
});

describe("scheduler.cancel()", () => {
  it("removes the event, wherever it is in the queue", () => {
    const { s } = fakeScheduler();
    const events = [5, 3, 8, 1, 9, 2].map((t) => s.enterabs(t, 0, noop));
    s.cancel(events[1]);
    s.cancel(events[3]);
    assert.deepEqual(s.queue.map((e) => e.time), [2, 5, 8, 9]);
    for (const e of [events[0], events[2], events[4], events[5]]) s.cancel(e);
    assert.ok(s.empty());
  });

  it("keeps queue, empty() and run order exact under mass cancels", () => {
    const { s } = fakeScheduler();
    const order: number[] = [];
    const record = (i: number) => order.push(i);
    const events = Array.from(
      { length: 200 },
      (_, i) => s.enterabs((i * 37) % 50, i % 2, record, [i]),
    );
    // Cancel the 120 earliest ones: the cancelled outnumber the live.
    const sorted = s.queue;
    for (const e of sorted.slice(0, 120)) s.cancel(e);
    assert.deepEqual(s.queue, sorted.slice(120));
    assert.equal(s.empty(), false);
    for (const e of sorted.slice(0, 120)) {
      assert.throws(() => s.cancel(e), ValueError);
    }
    const more = s.enterabs(0, 0, record, [-1]);
    assert.deepEqual(s.queue, [more, ...sorted.slice(120)]);
    s.runSync();
    assert.deepEqual(order, [
      -1,
      ...sorted.slice(120).map((e) => e.argument[0]),
    ]);
    assert.ok(s.empty());
    // Cancelling every event empties the queue at once.
    const again = events.slice(0, 40).map((e) => s.enterabs(e.time, 0, noop));
    for (const e of again) s.cancel(e);
    assert.ok(s.empty());
    assert.deepEqual(s.queue, []);
    assert.equal(s.runSync({ blocking: false }), undefined);
  });

  it("throws Python's ValueError for an event not in the queue", () => {
    const { s } = fakeScheduler();
    const e = s.enterabs(1, 1, noop);
    s.cancel(e);
    const notInList = {
      name: "ValueError",
      message: "list.remove(x): x not in list",
    };
    assert.throws(() => s.cancel(e), notInList);
    assert.throws(() => s.cancel(e), ValueError);
    const ran = s.enterabs(0, 1, noop);
    s.runSync();
    assert.throws(() => s.cancel(ran), notInList);
    const other = fakeScheduler().s.enterabs(1, 1, noop);
    s.enterabs(1, 1, noop);
    assert.throws(() => s.cancel(other), notInList);
    assert.throws(() => s.cancel({ ...other } as Event), notInList);
    assert.throws(() => s.cancel(null as never), notInList);
    assert.throws(
      () => s.cancel(new Event(1, 1, 1, noop, [], {})),
      notInList,
    );
    assert.equal(s.queue.length, 1);
  });
});

describe("scheduler.empty() and scheduler.queue", () => {
  it("reflect enters, cancels and runs", () => {
    const { s } = fakeScheduler();
    assert.equal(s.empty(), true);
    const a = s.enterabs(1, 1, noop);
    const b = s.enterabs(2, 1, noop);
    assert.equal(s.empty(), false);
    assert.deepEqual(s.queue, [a, b]);
    s.cancel(a);
    assert.deepEqual(s.queue, [b]);
    s.runSync();
    assert.equal(s.empty(), true);
    assert.deepEqual(s.queue, []);
  });

  it("returns a new array each time", () => {
    const { s } = fakeScheduler();
    s.enterabs(1, 1, noop);
    const q = s.queue;
    assert.notEqual(q, s.queue);
    q.pop();
    assert.equal(s.queue.length, 1);
  });
});

describe("scheduler.run()", () => {
  it("runs every event at its time and calls delayfunc as Python does", async () => {
    const { s, clock } = fakeScheduler(0);
    const log: [string, number][] = [];
    const act = (name: string) => log.push([name, clock.now]);
    s.enter(2, 1, act, ["b"]);
    s.enter(1, 1, act, ["a"]);
    s.enter(2, 0, act, ["b0"]);
    assert.equal(await s.run(), undefined);
    assert.deepEqual(log, [["a", 1], ["b0", 2], ["b", 2]]);
    // delay to the first, 0 after each action, the gap, then two zeros.
    assert.deepEqual(clock.delays, [1, 0, 1, 0, 0]);
    assert.ok(s.empty());
  });

  it("passes argument spread and non-empty kwargs as one last argument", async () => {
    const { s } = fakeScheduler();
    const calls: unknown[][] = [];
    const record = (...args: unknown[]) => calls.push(args);
    const kwargs = { a: 1, b: "two" };
    s.enterabs(0, 0, record, [1, 2], kwargs);
    s.enterabs(0, 1, record, [3], {});
    s.enterabs(0, 2, record);
    s.enterabs(0, 3, record, [], { only: true });
    await s.run();
    assert.deepEqual(calls, [[1, 2, { a: 1, b: "two" }], [3], [], [{
      only: true,
    }]]);
    assert.notEqual(calls[0][2], kwargs, "kwargs arrive as a fresh copy");
  });

  it("returns the delay to the next event when not blocking", async () => {
    const { s, clock } = fakeScheduler(10);
    const log: string[] = [];
    s.enterabs(9, 1, () => log.push("past"));
    s.enterabs(10, 1, () => log.push("now"));
    s.enterabs(12.5, 1, () => log.push("later"));
    assert.equal(await s.run({ blocking: false }), 2.5);
    assert.deepEqual(log, ["past", "now"]);
    assert.deepEqual(clock.delays, [0, 0], "no delay for the pending event");
    assert.equal(s.runSync({ blocking: false }), 2.5);
    clock.now = 13;
    assert.equal(await s.run({ blocking: false }), undefined);
    assert.equal(s.runSync({ blocking: false }), undefined);
    assert.deepEqual(log, ["past", "now", "later"]);
  });

  it("returns Infinity for an event at Infinity when not blocking", async () => {
    const { s } = fakeScheduler(0);
    s.enterabs(Infinity, 1, noop);
    assert.equal(await s.run({ blocking: false }), Infinity);
  });

  it("lets actions enter and cancel events while running", async () => {
    const { s, clock } = fakeScheduler(0);
    const log: string[] = [];
    let doomed: Event | undefined = undefined;
    s.enterabs(1, 1, () => {
      log.push(`a@${clock.now}`);
      s.enter(0, 5, () => log.push(`now@${clock.now}`));
      s.enter(0.5, 0, () => log.push(`soon@${clock.now}`));
      s.cancel(doomed!);
    });
    doomed = s.enterabs(2, 1, () => log.push("doomed"));
    s.enterabs(3, 1, () => log.push(`c@${clock.now}`));
    await s.run();
    assert.deepEqual(log, ["a@1", "now@1", "soon@1.5", "c@3"]);
  });

  it("propagates an action's error with that event removed and the rest kept", async () => {
    const { s, clock } = fakeScheduler(0);
    const log: string[] = [];
    s.enterabs(1, 1, () => log.push("a"));
    s.enterabs(2, 1, () => {
      throw new RangeError("boom");
    });
    s.enterabs(3, 1, () => log.push("c"));
    await assert.rejects(s.run(), { name: "RangeError", message: "boom" });
    assert.deepEqual(log, ["a"]);
    assert.deepEqual(s.queue.map((e) => e.time), [3]);
    assert.deepEqual(clock.delays, [1, 0, 1], "no delayfunc(0) after a throw");
    await s.run();
    assert.deepEqual(log, ["a", "c"]);
  });

  it("propagates a delayfunc error and keeps the event", async () => {
    const s = new scheduler(() => 0, () => {
      throw new Error("no sleep");
    });
    const e = s.enterabs(1, 1, noop);
    await assert.rejects(s.run(), { message: "no sleep" });
    assert.deepEqual(s.queue, [e]);
  });

  it("restarts a delay that returns early", async () => {
    const clock = fakeClock(0);
    const s = new scheduler(clock.timefunc, (d) => {
      clock.delays.push(d);
      clock.now += d / 2;
    });
    const fired: number[] = [];
    s.enterabs(4, 1, () => fired.push(clock.now));
    await s.run();
    assert.ok(fired[0] >= 4);
    assert.deepEqual(clock.delays.slice(0, 3), [4, 2, 1]);
  });

  it("awaits a delayfunc that returns a Promise", async () => {
    let now = 0;
    const delays: number[] = [];
    const s = new scheduler(() => now, async (d) => {
      delays.push(d);
      await new Promise((r) => setTimeout(r, 1));
      now += d;
    });
    const log: number[] = [];
    s.enterabs(2, 1, () => log.push(now));
    s.enterabs(1, 1, () => log.push(now));
    await s.run();
    assert.deepEqual(log, [1, 2]);
    assert.deepEqual(delays, [1, 0, 1, 0]);
  });

  it("awaits actions that return Promises, in order, and propagates their errors", async () => {
    const { s } = fakeScheduler(0);
    const log: string[] = [];
    s.enterabs(1, 1, async () => {
      await new Promise((r) => setTimeout(r, 5));
      log.push("slow");
    });
    s.enterabs(1, 2, () => log.push("next"));
    s.enterabs(2, 1, async () => {
      await Promise.resolve();
      throw new Error("async boom");
    });
    s.enterabs(3, 1, noop);
    await assert.rejects(s.run(), { message: "async boom" });
    assert.deepEqual(log, ["slow", "next"]);
    assert.equal(s.queue.length, 1);
  });

  it("captures timefunc and delayfunc when it starts, as Python does", async () => {
    const { s, clock } = fakeScheduler(0);
    let other = 0;
    s.enterabs(1, 1, () => {
      s.delayfunc = () => {
        other++;
      };
    });
    s.enterabs(2, 1, noop);
    await s.run();
    assert.equal(other, 0);
    assert.deepEqual(clock.delays, [1, 0, 1, 0]);
  });

  it("runs each event once when several tasks run the same scheduler", async () => {
    let now = 0;
    const s = new scheduler(() => now, async (d) => {
      await new Promise((r) => setTimeout(r, 1));
      now += d;
    });
    const ran: number[] = [];
    for (let i = 0; i < 20; i++) {
      s.enterabs(i % 5, i % 3, () => ran.push(i));
    }
    await Promise.all([s.run(), s.run(), s.run()]);
    assert.equal(ran.length, 20);
    assert.deepEqual([...ran].sort((a, b) => a - b), [...Array(20).keys()]);
    assert.ok(s.empty());
  });

  it("throws TypeError for options that are not an object", async () => {
    const { s } = fakeScheduler();
    await assert.rejects(s.run(false as never), {
      name: "TypeError",
      message:
        "options must be an object such as { blocking: false }, got boolean",
    });
    assert.throws(() => s.runSync(0 as never), TypeError);
  });

  it("throws TypeError when timefunc does not return a number", async () => {
    const s = new scheduler(() => undefined as never, noop);
    s.enterabs(1, 1, noop);
    await assert.rejects(s.run(), {
      name: "TypeError",
      message: "timefunc() must be a number, got undefined",
    });
    assert.equal(s.queue.length, 1);
  });
});

describe("scheduler.runSync()", () => {
  it("runs the schedule synchronously with Python's delays", () => {
    const { s, clock } = fakeScheduler(0);
    const log: number[] = [];
    s.enter(3, 1, () => log.push(clock.now));
    s.enter(1, 1, () => log.push(clock.now));
    assert.equal(s.runSync(), undefined);
    assert.deepEqual(log, [1, 3]);
    assert.deepEqual(clock.delays, [1, 0, 2, 0]);
  });

  it("throws TypeError for a delayfunc that returns a Promise", async () => {
    let rejected = 0;
    const s = new scheduler(() => 0, () => {
      return Promise.reject(new Error("never awaited")).catch((e) => {
        rejected++;
        throw e;
      });
    });
    const e = s.enterabs(1, 1, noop);
    assert.throws(() => s.runSync(), {
      name: "TypeError",
      message:
        "delayfunc returned a Promise, which runSync() cannot wait for; use await run() instead",
    });
    assert.deepEqual(s.queue, [e]);
    await new Promise((r) => setTimeout(r, 5));
    assert.equal(rejected, 1, "the rejection was handled, not left unhandled");
  });

  it("propagates an action's error with that event removed", () => {
    const { s } = fakeScheduler(0);
    s.enterabs(1, 1, () => {
      throw new Error("sync boom");
    });
    s.enterabs(2, 1, noop);
    assert.throws(() => s.runSync(), { message: "sync boom" });
    assert.deepEqual(s.queue.map((e) => e.time), [2]);
  });

  it("does not await an action's Promise", () => {
    const { s } = fakeScheduler(0);
    const log: string[] = [];
    s.enterabs(1, 1, async () => {
      await Promise.resolve();
      log.push("late");
    });
    s.enterabs(2, 1, () => log.push("second"));
    s.runSync();
    assert.deepEqual(log, ["second"]);
  });
});

describe("scheduler at scale", () => {
  it("runs 200,000 events in order with cancels", () => {
    const { s } = fakeScheduler(0);
    const n = 200_000;
    let last = -1;
    let count = 0;
    let inOrder = true;
    const events: Event[] = [];
    for (let i = 0; i < n; i++) {
      const t = (i * 2654435761) % n;
      events.push(s.enterabs(t, 0, (time: number) => {
        if (time < last) inOrder = false;
        last = time;
        count++;
      }, [t]));
    }
    for (let i = 0; i < n; i += 4) s.cancel(events[i]);
    assert.equal(s.queue.length, n - n / 4);
    s.runSync();
    assert.equal(count, n - n / 4);
    assert.ok(inOrder);
  });
});

after(() => assertNoLeaks());
