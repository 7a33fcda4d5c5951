// sched.scheduler(timefunc, delayfunc) as an options object too (issue 14,
// item 9): new scheduler({ timefunc, delayfunc }).
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { scheduler } from "../../sched/mod.ts";
import { assertNoLeaks } from "../_leaks.ts";

describe("scheduler options", () => {
  it("scheduler({ timefunc, delayfunc }) runs on the given clock", () => {
    let now = 0;
    const timefunc = () => now;
    const delayfunc = (d: number) => {
      now += d;
    };
    const s = new scheduler({ timefunc, delayfunc });
    assert.equal(s.timefunc, timefunc);
    assert.equal(s.delayfunc, delayfunc);
    const log: number[] = [];
    s.enter(5, 1, () => log.push(now));
    s.enter(2, 1, () => log.push(now));
    s.runSync();
    assert.deepEqual(log, [2, 5]);
  });

  it("scheduler(timefunc, { delayfunc }) and scheduler({ timefunc }) mix the forms", async () => {
    let now = 10;
    const s = new scheduler(() => now, {
      delayfunc: (d: number) => {
        now += d;
      },
    });
    s.enterabs(12, 1, () => {});
    s.runSync();
    assert.equal(now, 12);
    const t = new scheduler({ timefunc: () => 100 });
    assert.equal(t.timefunc(), 100);
    t.enterabs(99, 1, () => {});
    await t.run(); // the default delayfunc, not needed for a past event
    const d = new scheduler({});
    assert.equal(typeof d.timefunc(), "number");
  });

  it("scheduler() rejects bad options with TypeError", () => {
    assert.throws(() => new scheduler({ timefun: () => 0 } as never), {
      name: "TypeError",
      message: "scheduler() got an unexpected option 'timefun'",
    });
    assert.throws(() => new scheduler({ timefunc: 5 as never }), {
      name: "TypeError",
      message: "timefunc must be a function, got number",
    });
    assert.throws(() => new scheduler(() => 0, { delayfunc: "x" as never }), {
      name: "TypeError",
      message: "delayfunc must be a function, got string",
    });
    assert.throws(
      () => new scheduler({ timefunc: () => 0 } as never, (() => {}) as never),
      /either as arguments or in one options object/,
    );
    assert.throws(
      () => new scheduler(() => 0, { timefunc: () => 0 } as never),
      {
        name: "TypeError",
        message: "scheduler() got an unexpected option 'timefunc'",
      },
    );
  });
});

after(() => assertNoLeaks());
