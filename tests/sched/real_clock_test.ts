// The default clock and sleeps: events fire at their times, within a few
// milliseconds, under run() and runSync().
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { setImmediate } from "node:timers";
import { scheduler } from "../../sched/mod.ts";
import { assertNoLeaks } from "../_leaks.ts";
import { liveResources } from "../../_internal/runtime/resources.ts";

// Typical lateness is under 2 ms (timers) and under 0.5 ms (Atomics.wait);
// on a loaded 2-core machine single timers can be 30 ms late, so the bound
// on the median is tight and the bound on each event is loose.
const MEDIAN_SLACK_S = 0.005;
const MAX_SLACK_S = 0.05;

function schedule(s: scheduler) {
  const start = s.timefunc();
  const fired: { name: string; due: number; at: number }[] = [];
  const at = (delay: number, priority: number, name: string) => {
    const due = start + delay;
    s.enterabs(
      due,
      priority,
      () => fired.push({ name, due, at: s.timefunc() }),
    );
  };
  at(0.06, 1, "c");
  at(0.02, 1, "a");
  at(0.04, 2, "b2");
  at(0.04, 1, "b1");
  at(0.09, 1, "d");
  for (let i = 0; i < 6; i++) at(0.1 + i * 0.01, 1, `e${i}`);
  return fired;
}

function assertOnTime(fired: { name: string; due: number; at: number }[]) {
  assert.deepEqual(fired.map((f) => f.name), [
    "a",
    "b1",
    "b2",
    "c",
    "d",
    ...[0, 1, 2, 3, 4, 5].map((i) => `e${i}`),
  ]);
  const lateness = fired.map((f) => f.at - f.due);
  const report = lateness.map((l) => (l * 1000).toFixed(2)).join(", ");
  for (const late of lateness) {
    assert.ok(late >= 0, `an event fired early (ms late: ${report})`);
    assert.ok(late < MAX_SLACK_S, `an event fired late (ms late: ${report})`);
  }
  const median = lateness.sort((a, b) => a - b)[lateness.length >> 1];
  assert.ok(median < MEDIAN_SLACK_S, `median lateness (ms late: ${report})`);
}

describe("scheduler on the real clock", () => {
  it("run() fires events at their times", async () => {
    const s = new scheduler();
    const fired = schedule(s);
    assert.equal(await s.run(), undefined);
    assertOnTime(fired);
  });

  it("runSync() fires events at their times", () => {
    const s = new scheduler();
    const fired = schedule(s);
    assert.equal(s.runSync(), undefined);
    assertOnTime(fired);
  });

  it("run() keeps the event loop free while it waits", async () => {
    const s = new scheduler();
    const log: string[] = [];
    s.enter(0.03, 1, () => log.push("event"));
    setTimeout(() => log.push("timer"), 5);
    const t0 = performance.now();
    await s.run();
    assert.ok(performance.now() - t0 >= 29);
    assert.deepEqual(log, ["timer", "event"]);
    assert.deepEqual(liveResources(), [], "the sleep timer was released");
  });

  it("runSync() blocks the thread while it waits", async () => {
    const s = new scheduler();
    const log: string[] = [];
    s.enter(0.03, 1, () => log.push("event"));
    setTimeout(() => log.push("timer"), 5);
    s.runSync();
    log.push("returned");
    await new Promise((r) => setTimeout(r, 10));
    assert.deepEqual(log, ["event", "returned", "timer"]);
  });

  it("run() yields a macrotask after each action (delayfunc(0))", async () => {
    const s = new scheduler();
    const log: string[] = [];
    s.enter(0, 1, () => log.push("first"));
    s.enter(0, 2, () => log.push("second"));
    setImmediate(() => log.push("immediate"));
    await s.run();
    assert.deepEqual(log, ["first", "immediate", "second"]);
  });

  it("run({ blocking: false }) returns the time left until the next event", async () => {
    const s = new scheduler();
    s.enter(0.5, 1, () => {});
    const left = await s.run({ blocking: false });
    assert.ok(left !== undefined && left > 0.45 && left <= 0.5, `${left}`);
    assert.equal(s.queue.length, 1);
  });

  it("the default delayfunc rejects negative and NaN delays like time.sleep", async () => {
    const s = new scheduler();
    assert.throws(() => s.delayfunc(-1), {
      name: "ValueError",
      message: "sleep length must be non-negative",
    });
    assert.throws(() => s.delayfunc(NaN), {
      name: "ValueError",
      message: "Invalid value NaN (not a number)",
    });
    assert.throws(() => s.delayfunc("1" as never), {
      name: "TypeError",
      message: "delay must be a number of seconds, got string",
    });
    await s.delayfunc(0.001);
  });
});

after(() => assertNoLeaks());
