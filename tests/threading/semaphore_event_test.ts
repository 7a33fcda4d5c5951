import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  BoundedSemaphore,
  Event,
  Semaphore,
  Thread,
} from "../../threading/mod.ts";
import { ValueError } from "../../mod.ts";
import { assertNoLeaks } from "../_leaks.ts";
import { runThreads, sharedInts, sleep } from "./_util.ts";

describe("Semaphore", () => {
  it("Semaphore counts down and blocks at zero", async () => {
    const sem = new Semaphore(2);
    assert.equal(await sem.acquire(), true);
    assert.equal(sem.acquireSync(), true);
    assert.equal(sem.acquireSync({ blocking: false }), false);
    assert.equal(await sem.acquire({ timeout: 0.02 }), false);
    sem.release(2);
    assert.equal(sem.value, 2);
  });

  it("Semaphore() rejects a negative or non-integer value", () => {
    assert.throws(
      () => new Semaphore(-1),
      (e: Error) =>
        e instanceof ValueError &&
        e.message === "semaphore initial value must be >= 0",
    );
    assert.throws(() => new Semaphore(1.5), TypeError);
    assert.equal(new Semaphore().value, 1);
    assert.equal(new Semaphore(0).acquireSync(false), false);
  });

  it("Semaphore.release(n) rejects n < 1", () => {
    const sem = new Semaphore(0);
    assert.throws(
      () => sem.release(0),
      (e: Error) =>
        e instanceof ValueError && e.message === "n must be one or more",
    );
  });

  it("BoundedSemaphore.release() above the initial value throws ValueError", () => {
    const sem = new BoundedSemaphore(2);
    sem.acquireSync();
    sem.release();
    assert.throws(
      () => sem.release(),
      (e: Error) =>
        e instanceof ValueError &&
        e.message === "Semaphore released too many times",
    );
    sem.acquireSync();
    sem.acquireSync();
    assert.throws(() => sem.release(3), ValueError);
    sem.release(2);
    assert.equal(sem.value, 2);
  });

  it("Semaphore.release() wakes an async waiter", async () => {
    const sem = new Semaphore(0);
    const p = sem.acquire({ timeout: 5 });
    setTimeout(() => sem.release(), 10);
    assert.equal(await p, true);
    assert.equal(sem.value, 0);
  });

  it("Semaphore bounds how many workers are inside at once", async () => {
    const sem = new BoundedSemaphore(2);
    const c = sharedInts(2); // [0] inside now, [1] most ever inside
    const target = (sem: BoundedSemaphore, c: Int32Array) => {
      const pause = new Int32Array(new SharedArrayBuffer(4));
      for (let i = 0; i < 20; i++) {
        sem.acquireSync();
        const now = Atomics.add(c, 0, 1) + 1;
        for (;;) {
          const max = Atomics.load(c, 1);
          if (now <= max || Atomics.compareExchange(c, 1, max, now) === max) {
            break;
          }
        }
        Atomics.wait(pause, 0, 0, 0.2);
        Atomics.sub(c, 0, 1);
        sem.release();
      }
    };
    await runThreads(
      ...Array.from({ length: 4 }, () => ({ target, args: [sem, c] })),
    );
    assert.ok(c[1] >= 1 && c[1] <= 2, `at most 2 inside, saw ${c[1]}`);
    assert.equal(sem.value, 2);
  });

  it("Semaphore.holdSync() gives the unit back", () => {
    const sem = new Semaphore(1);
    {
      using _h = sem.holdSync();
      assert.equal(sem.value, 0);
    }
    assert.equal(sem.value, 1);
  });
});

describe("Event", () => {
  it("Event.set(), isSet(), clear()", () => {
    const e = new Event();
    assert.equal(e.isSet(), false);
    e.set();
    assert.equal(e.isSet(), true);
    assert.equal(e.waitSync(0), true);
    e.clear();
    assert.equal(e.isSet(), false);
  });

  it("Event.wait() times out with false", async () => {
    const e = new Event();
    const t0 = performance.now();
    assert.equal(await e.wait(0.05), false);
    assert.ok(performance.now() - t0 >= 45);
    assert.equal(e.waitSync(0.01), false);
    await assert.rejects(e.wait(-0.5), ValueError);
    assert.throws(() => e.waitSync(-1), ValueError);
  });

  it("Event.wait() returns true when set then cleared during the wait (gh-57711)", async () => {
    const e = new Event();
    const c = sharedInts(1);
    const t = new Thread({
      target: (e: Event, c: Int32Array) => {
        Atomics.store(c, 0, 1);
        Atomics.store(c, 0, e.waitSync(10) ? 2 : 3);
      },
      args: [e, c],
    });
    t.start();
    while (Atomics.load(c, 0) === 0) await sleep(1);
    await sleep(20);
    e.set();
    e.clear();
    await t.join();
    assert.equal(c[0], 2);
  });

  it("Event ping-pong between two workers never loses or invents a set (20,000 rounds x 3)", async () => {
    // A set racing a clear once made a waiter return early and the next
    // set vanish; both sides would then wait forever.
    for (let run = 0; run < 3; run++) {
      const ping = new Event();
      const pong = new Event();
      const rounds = sharedInts(2);
      const pinger = new Thread({
        target: (ping: Event, pong: Event, r: Int32Array) => {
          for (let i = 0; i < 20_000; i++) {
            ping.set();
            if (!pong.waitSync(5)) return;
            pong.clear();
            Atomics.add(r, 0, 1);
          }
        },
        args: [ping, pong, rounds],
      });
      const ponger = new Thread({
        target: (ping: Event, pong: Event, r: Int32Array) => {
          for (let i = 0; i < 20_000; i++) {
            if (!ping.waitSync(5)) return;
            ping.clear();
            pong.set();
            Atomics.add(r, 1, 1);
          }
        },
        args: [ping, pong, rounds],
      });
      ponger.start();
      pinger.start();
      await pinger.join();
      await ponger.join();
      assert.deepEqual([rounds[0], rounds[1]], [20_000, 20_000]);
    }
  });

  it("Event set in a worker wakes the main thread and vice versa", async () => {
    const ping = new Event();
    const pong = new Event();
    const t = new Thread({
      target: (ping: Event, pong: Event) => {
        for (let i = 0; i < 100; i++) {
          ping.waitSync();
          ping.clear();
          pong.set();
        }
      },
      args: [ping, pong],
    });
    t.start();
    for (let i = 0; i < 100; i++) {
      ping.set();
      assert.equal(await pong.wait(10), true);
      pong.clear();
    }
    await t.join();
  });
});

after(() => assertNoLeaks());
