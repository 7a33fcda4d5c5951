import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { Barrier, BrokenBarrierError, Thread } from "../../threading/mod.ts";
import { RuntimeError, ValueError } from "../../mod.ts";
import { assertNoLeaks } from "../_leaks.ts";
import { captureThreadErrors, runThreads, sharedInts, sleep } from "./_util.ts";

describe("Barrier", () => {
  it("Barrier() rejects bad parties and timeouts", () => {
    assert.throws(
      () => new Barrier(0),
      (e: Error) =>
        e instanceof ValueError &&
        e.message === "parties must be greater than 0",
    );
    assert.throws(() => new Barrier(1.5), TypeError);
    assert.throws(() => new Barrier(2, null, -1), ValueError);
    assert.throws(() => new Barrier(2, 42 as never), TypeError);
  });

  it("Barrier.wait() gives each party a distinct index and runs the action once", async () => {
    let actions = 0;
    const b = new Barrier(3, () => actions++);
    assert.equal(b.parties, 3);
    const idx = await Promise.all([b.wait(), b.wait(), b.wait()]);
    assert.deepEqual(idx.sort(), [0, 1, 2]);
    assert.equal(actions, 1);
    assert.equal(b.nWaiting, 0);
    assert.equal(b.broken, false);
    // It is reusable.
    assert.deepEqual(
      (await Promise.all([b.wait(), b.wait(), b.wait()])).sort(),
      [0, 1, 2],
    );
    assert.equal(actions, 2);
  });

  it("Barrier across workers: 4 threads, 3 rounds, action in a worker", async () => {
    const c = sharedInts(4); // [0] action runs seen by the workers, [1..3] arrivals per round
    const b = new Barrier(4, {
      module: new URL("./_barrier_action.ts", import.meta.url),
    });
    const target = (b: Barrier, c: Int32Array) => {
      for (let round = 0; round < 3; round++) {
        Atomics.add(c, 1 + round, 1);
        b.waitSync(10);
        // After the barrier every party of this round has arrived.
        if (Atomics.load(c, 1 + round) !== 4) {
          throw new Error("passed the barrier early");
        }
      }
      Atomics.add(c, 0, globalThis.__barrierActions ?? 0);
    };
    const threads = Array.from(
      { length: 3 },
      () => new Thread({ target, args: [b, c] }),
    );
    const errors = await captureThreadErrors(async () => {
      for (const t of threads) t.start();
      for (let round = 0; round < 3; round++) {
        Atomics.add(c, 1 + round, 1);
        await b.wait(10);
        assert.equal(Atomics.load(c, 1 + round), 4);
      }
      for (const t of threads) await t.join();
    });
    assert.deepEqual(errors, []);
    // The action ran once per round, in whichever thread arrived last.
    assert.equal(c[0] + (globalThis.__barrierActions ?? 0), 3);
  });

  it("Barrier.wait() timeout breaks the barrier for everyone", async () => {
    const b = new Barrier(3);
    const c = sharedInts(1);
    const t = new Thread({
      target: (b: Barrier, c: Int32Array) => {
        try {
          b.waitSync();
        } catch (e) {
          Atomics.store(
            c,
            0,
            (e as Error).name === "BrokenBarrierError" ? 1 : 2,
          );
        }
      },
      args: [b, c],
    });
    t.start();
    while (b.nWaiting < 1) await sleep(1);
    await assert.rejects(b.wait(0.05), BrokenBarrierError);
    assert.equal(b.broken, true);
    await t.join();
    assert.equal(c[0], 1);
    await assert.rejects(b.wait(), BrokenBarrierError);
    b.reset();
    assert.equal(b.broken, false);
    const r = await Promise.all([b.wait(), b.wait(), b.wait()]);
    assert.deepEqual(r.sort(), [0, 1, 2]);
  });

  it("Barrier.abort() and reset() wake waiters with BrokenBarrierError", async () => {
    const b = new Barrier(2);
    const w = b.wait();
    await sleep(5);
    assert.equal(b.nWaiting, 1);
    b.abort();
    await assert.rejects(
      w,
      (e: Error) =>
        e instanceof BrokenBarrierError && e instanceof RuntimeError,
    );
    b.reset();
    const w2 = b.wait();
    await sleep(5);
    b.reset();
    await assert.rejects(w2, BrokenBarrierError);
    assert.equal(b.broken, false);
  });

  it("Barrier: an action that throws breaks the barrier", async () => {
    const b = new Barrier(2, () => {
      throw new Error("action failed");
    });
    const results = await Promise.allSettled([b.wait(), b.wait()]);
    const reasons = results.map((r) =>
      r.status === "rejected"
        ? (r.reason as Error).name + ":" + (r.reason as Error).message
        : "ok"
    );
    assert.deepEqual(reasons.sort(), [
      "BrokenBarrierError:",
      "Error:action failed",
    ]);
    assert.equal(b.broken, true);
  });

  it("Barrier.waitSync() in 2 workers passes together", async () => {
    const b = new Barrier(2);
    const c = sharedInts(2);
    await runThreads(
      {
        target: (b: Barrier, c: Int32Array) =>
          Atomics.store(c, 0, b.waitSync(5) + 1),
        args: [b, c],
      },
      {
        target: (b: Barrier, c: Int32Array) =>
          Atomics.store(c, 1, b.waitSync(5) + 1),
        args: [b, c],
      },
    );
    assert.deepEqual([c[0], c[1]].sort(), [1, 2]);
  });
});

declare global {
  var __barrierActions: number | undefined;
}

after(() => assertNoLeaks());
