import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { Condition, Event, Lock, RLock, Thread } from "../../threading/mod.ts";
import { RuntimeError, ValueError } from "../../mod.ts";
import { assertNoLeaks } from "../_leaks.ts";
import { runThreads, sharedInts, sleep } from "./_util.ts";

describe("Condition", () => {
  it("Condition.wait() without the lock throws RuntimeError", async () => {
    const cond = new Condition();
    await assert.rejects(
      cond.wait(0.01),
      (e: Error) =>
        e instanceof RuntimeError &&
        e.message === "cannot wait on un-acquired lock",
    );
    assert.throws(() => cond.waitSync(0.01), RuntimeError);
  });

  it("Condition.notify() without the lock throws RuntimeError", () => {
    const cond = new Condition(new Lock());
    assert.throws(
      () => cond.notify(),
      (e: Error) =>
        e instanceof RuntimeError &&
        e.message === "cannot notify on un-acquired lock",
    );
    assert.throws(() => cond.notifyAll(), RuntimeError);
  });

  it("Condition() rejects a lock that is not a threading lock", () => {
    assert.throws(() => new Condition({} as never), TypeError);
  });

  it("Condition.wait() times out with false and holds the lock again", async () => {
    for (
      const cond of [
        new Condition(),
        new Condition(new Lock()),
        new Condition(new RLock()),
      ]
    ) {
      await cond.acquire();
      const t0 = performance.now();
      assert.equal(await cond.wait(0.05), false);
      const dt = performance.now() - t0;
      assert.ok(dt >= 45 && dt < 1000, `waited ${dt} ms`);
      assert.equal(cond.waitSync(0.02), false);
      cond.release();
    }
  });

  it("Condition.wait() rejects a negative timeout", async () => {
    const cond = new Condition();
    cond.acquireSync();
    await assert.rejects(cond.wait(-1), ValueError);
    cond.release();
  });

  it("Condition.wait() over an RLock restores every level", async () => {
    const lock = new RLock();
    const cond = new Condition(lock);
    lock.acquireSync();
    lock.acquireSync();
    assert.equal(await cond.wait(0.01), false);
    lock.release();
    assert.equal(lock.locked(), true);
    lock.release();
    assert.equal(lock.locked(), false);
  });

  it("Condition.notify() wakes an async waiter in the same thread", async () => {
    const cond = new Condition();
    let ready = false;
    await cond.acquire();
    setTimeout(async () => {
      await cond.acquire();
      ready = true;
      cond.notify();
      cond.release();
    }, 10);
    assert.equal(await cond.waitFor(() => ready, 5), true);
    cond.release();
  });

  it("Condition.notify(n) wakes exactly n worker waiters, oldest first", async () => {
    const cond = new Condition();
    const order = sharedInts(8); // [0] next arrival, [1] waiting, [2..] wake order by arrival index
    const target = (cond: Condition, order: Int32Array) => {
      cond.acquireSync();
      const me = Atomics.add(order, 0, 1);
      Atomics.add(order, 1, 1);
      const ok = cond.waitSync(10);
      const slot = 2 + Atomics.add(order, 7, 1);
      Atomics.store(order, slot, ok ? me + 1 : -1);
      cond.release();
    };
    const threads: Thread[] = [];
    for (let i = 0; i < 4; i++) {
      const t = new Thread({ target, args: [cond, order] });
      t.start();
      threads.push(t);
      // Wait until this one is waiting so arrival order is known.
      while (Atomics.load(order, 1) < i + 1) await sleep(1);
    }
    await cond.acquire();
    cond.notify(2);
    cond.release();
    await sleep(100);
    assert.equal(Atomics.load(order, 7), 2, "exactly two woke");
    assert.deepEqual([order[2], order[3]].sort(), [1, 2]);
    await cond.acquire();
    cond.notify(1);
    cond.release();
    await sleep(100);
    assert.equal(Atomics.load(order, 7), 3, "exactly one more woke");
    assert.equal(order[4], 3, "the oldest remaining waiter woke");
    await cond.acquire();
    cond.notifyAll();
    cond.release();
    for (const t of threads) await t.join();
    assert.deepEqual([...order.slice(2, 6)].sort(), [1, 2, 3, 4]);
  });

  it("Condition: a timed-out waiter does not swallow a later notify", async () => {
    const cond = new Condition();
    const c = sharedInts(2);
    const t = new Thread({
      target: (cond: Condition, c: Int32Array) => {
        cond.acquireSync();
        Atomics.store(c, 0, 1);
        Atomics.store(c, 1, cond.waitSync(10) ? 1 : 2);
        cond.release();
      },
      args: [cond, c],
    });
    t.start();
    while (Atomics.load(c, 0) === 0) await sleep(1);
    await cond.acquire();
    assert.equal(await cond.wait(0.01), false); // our own wait times out
    cond.notify(); // must reach the worker, not our departed slot
    cond.release();
    await t.join();
    assert.equal(c[1], 1);
  });

  it("Condition grows past its first 16 waiter slots, across threads", async () => {
    // A plain Lock: async tasks of one thread share an RLock's ownership.
    const cond = new Condition(new Lock());
    const woke = sharedInts(1);
    // The worker builds its handle first; 40 async waiters here then grow
    // the slot table; the worker must see the grown table to notify them.
    const go = new Event();
    const t = new Thread({
      target: (cond: Condition, go: Event) => {
        go.waitSync(10);
        cond.acquireSync();
        cond.notifyAll();
        cond.release();
      },
      args: [cond, go],
    });
    t.start();
    await sleep(50);
    const waits = Array.from({ length: 40 }, async () => {
      await cond.acquire();
      const ok = await cond.wait(10);
      if (ok) Atomics.add(woke, 0, 1);
      cond.release();
    });
    await sleep(50);
    go.set();
    await t.join();
    await Promise.all(waits);
    assert.equal(woke[0], 40);
  });

  it("Condition.waitFor() returns the predicate value on timeout", async () => {
    const cond = new Condition();
    await cond.acquire();
    assert.equal(await cond.waitFor(() => 0, 0.02), 0);
    assert.equal(cond.waitForSync(() => "", 0.02), "");
    assert.equal(cond.waitForSync(() => 42), 42);
    cond.release();
  });

  it("Condition coordinates producer and consumer workers", async () => {
    const cond = new Condition();
    const box = sharedInts(3); // [0] has item, [1] item, [2] sum
    const producer = (cond: Condition, box: Int32Array) => {
      for (let i = 1; i <= 200; i++) {
        cond.acquireSync();
        cond.waitForSync(() => box[0] === 0);
        box[1] = i;
        box[0] = 1;
        cond.notifyAll();
        cond.release();
      }
    };
    const consumer = (cond: Condition, box: Int32Array) => {
      for (let i = 1; i <= 200; i++) {
        cond.acquireSync();
        cond.waitForSync(() => box[0] === 1);
        box[2] += box[1];
        box[0] = 0;
        cond.notifyAll();
        cond.release();
      }
    };
    await runThreads({ target: producer, args: [cond, box] }, {
      target: consumer,
      args: [cond, box],
    });
    assert.equal(box[2], 200 * 201 / 2);
  });
});

after(() => assertNoLeaks());
