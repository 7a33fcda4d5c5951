// Keyword arguments as a trailing options object (issue 14, item 9):
// threading.Barrier(parties, action=None, timeout=None) and
// threading.Timer(interval, function, args=None, kwargs=None), in both the
// positional and the options form.
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  Barrier,
  BrokenBarrierError,
  Thread,
  Timer,
} from "../../threading/mod.ts";
import { ValueError } from "../../mod.ts";
import { assertNoLeaks } from "../_leaks.ts";
import "./_options_action.ts"; // declares globalThis.__optionsActions

const unexpected = (fn: string, key: string) => (e: Error) =>
  e instanceof TypeError &&
  e.message === `${fn}() got an unexpected option '${key}'`;

describe("Barrier options", () => {
  it("Barrier(n, { timeout }) sets the default timeout of wait()", async () => {
    const b = new Barrier(2, { timeout: 0.05 });
    const t0 = performance.now();
    await assert.rejects(b.wait(), BrokenBarrierError);
    assert.ok(performance.now() - t0 >= 40);
    assert.equal(b.broken, true);
    assert.equal(b.parties, 2);
  });

  it("Barrier(n, { action, timeout }) runs the action once per round", async () => {
    let runs = 0;
    const b = new Barrier(2, { action: () => void runs++, timeout: 5 });
    assert.deepEqual((await Promise.all([b.wait(), b.wait()])).sort(), [0, 1]);
    assert.equal(runs, 1);
    b.reset();
  });

  it("Barrier(n, action, { timeout }) mixes the positional and options forms", async () => {
    let runs = 0;
    const b = new Barrier(2, () => void runs++, { timeout: 0.05 });
    await Promise.all([b.wait(), b.wait()]);
    assert.equal(runs, 1);
    await assert.rejects(b.wait(), BrokenBarrierError);
  });

  it("Barrier(n, action, timeout) and Barrier(n, null, timeout) still work positionally", async () => {
    let runs = 0;
    const b = new Barrier(2, () => void runs++, 5);
    await Promise.all([b.wait(), b.wait()]);
    assert.equal(runs, 1);
    const c = new Barrier(1, null, 0.05);
    assert.equal(await c.wait(), 0);
  });

  it("Barrier(n, { module, name }) is still an action reference", async () => {
    const before = globalThis.__optionsActions ?? 0;
    const b = new Barrier(1, {
      module: new URL("./_options_action.ts", import.meta.url),
    });
    assert.equal(await b.wait(), 0);
    assert.equal(globalThis.__optionsActions, before + 1);
  });

  it("Barrier options travel with the barrier to a thread", async () => {
    const b = new Barrier(2, { timeout: 0.1 });
    const t = new Thread({
      target: async (b: Barrier) => {
        try {
          await b.wait();
          return "passed";
        } catch (err) {
          return (err as Error).name;
        }
      },
      args: [b],
    });
    await t.start();
    await t.join(5);
    const timedOut = !t.isAlive();
    if (!timedOut) b.abort(); // free the thread before failing
    await t.join();
    assert.ok(timedOut, "the thread's wait() used the barrier's timeout");
    assert.equal(b.broken, true);
  });

  it("Barrier() rejects bad options with TypeError or ValueError", () => {
    assert.throws(
      () => new Barrier(2, { timout: 1 } as never),
      unexpected("Barrier", "timout"),
    );
    assert.throws(
      () => new Barrier(2, { timeout: 1 } as never, 3 as never),
      /either as arguments or in one options object/,
    );
    assert.throws(() => new Barrier(2, { timeout: "1" as never }), TypeError);
    assert.throws(() => new Barrier(2, { timeout: -1 }), ValueError);
    assert.throws(() => new Barrier(2, { action: 5 as never }), TypeError);
    assert.throws(() => new Barrier(2, 5 as never), TypeError);
    assert.throws(
      () => new Barrier(2, null, { timeout: 1, action: null } as never),
      unexpected("Barrier", "action"),
    );
  });
});

describe("Timer options", () => {
  it("Timer(interval, fn, { args, kwargs }) calls fn(...args, kwargs)", async () => {
    const calls: unknown[][] = [];
    const t = new Timer(0.01, (...a: unknown[]) => calls.push(a), {
      args: [1, "two"],
      kwargs: { k: 3 },
    });
    assert.deepEqual(t.args, [1, "two"]);
    assert.deepEqual(t.kwargs, { k: 3 });
    t.start();
    await t.join();
    assert.deepEqual(calls, [[1, "two", { k: 3 }]]);
  });

  it("Timer(interval, fn, { args }) and Timer(interval, fn, {}) need no kwargs", async () => {
    const calls: unknown[][] = [];
    const push = (...a: unknown[]) => calls.push(a);
    const t1 = new Timer(0.01, push, { args: [1] });
    const t2 = new Timer(0.01, push, {});
    const t3 = new Timer(0.01, push, { kwargs: {} });
    for (const t of [t1, t2, t3]) t.start();
    for (const t of [t1, t2, t3]) await t.join();
    assert.deepEqual(calls, [[1], [], []]);
    assert.deepEqual(t2.kwargs, {});
  });

  it("Timer(interval, fn, args, kwargs) takes both positionally, as Python", async () => {
    const calls: unknown[][] = [];
    const push = (...a: unknown[]) => calls.push(a);
    const t1 = new Timer(0.01, push, [1, 2], { verbose: true });
    const t2 = new Timer(0.01, push, null, { only: "kwargs" });
    const t3 = new Timer(0.01, push, [1], null);
    for (const t of [t1, t2, t3]) t.start();
    for (const t of [t1, t2, t3]) await t.join();
    assert.deepEqual(calls, [[1, 2, { verbose: true }], [{ only: "kwargs" }], [
      1,
    ]]);
  });

  it("Timer() rejects bad options with TypeError", () => {
    const fn = () => {};
    assert.throws(
      () => new Timer(1, fn, { argz: [] } as never),
      unexpected("Timer", "argz"),
    );
    assert.throws(() => new Timer(1, fn, { args: 5 as never }), {
      name: "TypeError",
      message: "Timer args must be an array",
    });
    assert.throws(() => new Timer(1, fn, { kwargs: [1] as never }), {
      name: "TypeError",
      message: "Timer kwargs must be an object",
    });
    assert.throws(() => new Timer(1, fn, [1], 5 as never), {
      name: "TypeError",
      message: "Timer kwargs must be an object",
    });
    assert.throws(
      () => new Timer(1, fn, { args: [] } as never, {} as never),
      /either as arguments or in one options object/,
    );
    assert.throws(() => new Timer(1, fn, "x" as never), TypeError);
  });
});

after(() => assertNoLeaks());
