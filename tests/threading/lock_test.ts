import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { Lock, RLock } from "../../threading/mod.ts";
import { RuntimeError, TimeoutError, ValueError } from "../../mod.ts";
import { assertNoLeaks } from "../_leaks.ts";
import { captureThreadErrors, runThreads, sharedInts } from "./_util.ts";

describe("Lock", () => {
  it("Lock.acquireSync() and release() toggle locked()", () => {
    const lock = new Lock();
    assert.equal(lock.locked(), false);
    assert.equal(lock.acquireSync(), true);
    assert.equal(lock.locked(), true);
    assert.equal(lock.acquireSync({ blocking: false }), false);
    assert.equal(lock.acquireSync(false), false);
    lock.release();
    assert.equal(lock.locked(), false);
  });

  it("Lock.acquire() resolves true and is non-blocking when asked", async () => {
    const lock = new Lock();
    assert.equal(await lock.acquire(), true);
    assert.equal(await lock.acquire({ blocking: false }), false);
    lock.release();
  });

  it("Lock.release() of an unlocked lock throws RuntimeError", () => {
    const lock = new Lock();
    assert.throws(
      () => lock.release(),
      (e: Error) =>
        e instanceof RuntimeError && e.message === "release unlocked lock",
    );
  });

  it("Lock.acquire() times out on time", async () => {
    const lock = new Lock();
    lock.acquireSync();
    let t0 = performance.now();
    assert.equal(await lock.acquire({ timeout: 0.05 }), false);
    let dt = performance.now() - t0;
    assert.ok(dt >= 45 && dt < 500, `async wait took ${dt} ms`);
    t0 = performance.now();
    assert.equal(lock.acquireSync({ timeout: 0.05 }), false);
    dt = performance.now() - t0;
    assert.ok(dt >= 45 && dt < 500, `sync wait took ${dt} ms`);
    lock.release();
  });

  it("Lock.acquire() rejects bad arguments", async () => {
    const lock = new Lock();
    assert.throws(() => lock.acquireSync({ timeout: -1 }), ValueError);
    assert.throws(
      () => lock.acquireSync({ blocking: false, timeout: 1 }),
      (e: Error) =>
        e instanceof ValueError &&
        e.message === "can't specify a timeout for a non-blocking call",
    );
    assert.throws(() => lock.acquireSync("yes" as never), TypeError);
    // The async form rejects instead of throwing synchronously.
    const rejected = lock.acquire({ timeout: -1 });
    assert.ok(rejected instanceof Promise);
    await assert.rejects(rejected, ValueError);
    assert.throws(() => lock.acquireSync({ timeout: "1" as never }), TypeError);
    assert.equal(lock.locked(), false);
  });

  it("Lock.holdSync() releases at the end of a using block", async () => {
    const lock = new Lock();
    {
      using _h = lock.holdSync();
      assert.equal(lock.locked(), true);
    }
    assert.equal(lock.locked(), false);
    {
      using _h = await lock.hold();
      assert.equal(lock.locked(), true);
      assert.throws(
        () => lock.holdSync({ timeout: 0.01 }),
        (e: Error) =>
          e instanceof TimeoutError &&
          e.message === "could not acquire the Lock in time",
      );
      await assert.rejects(lock.hold({ blocking: false }), TimeoutError);
    }
    assert.equal(lock.locked(), false);
  });

  it("Lock.release() wakes an async waiter", async () => {
    const lock = new Lock();
    lock.acquireSync();
    const waiting = lock.acquire({ timeout: 5 });
    setTimeout(() => lock.release(), 20);
    assert.equal(await waiting, true);
    assert.equal(lock.locked(), true);
    lock.release();
  });

  it("Lock shared by 4 workers keeps a counter exact (40,000)", async () => {
    const lock = new Lock();
    const c = sharedInts(1);
    const target = (lock: Lock, c: Int32Array) => {
      for (let i = 0; i < 10_000; i++) {
        lock.acquireSync();
        c[0] = c[0] + 1; // a plain read-modify-write: only the lock makes it safe
        lock.release();
      }
    };
    await runThreads(
      ...Array.from({ length: 4 }, () => ({ target, args: [lock, c] })),
    );
    assert.equal(c[0], 40_000);
    assert.equal(lock.locked(), false);
  });

  it("without the lock a read-modify-write loses updates (the race is real)", async () => {
    // Each increment pauses between its read and its write, so threads
    // interleave even on a busy machine.
    const target = (lock: Lock | null, c: Int32Array) => {
      const pause = new Int32Array(new SharedArrayBuffer(4));
      Atomics.add(c, 1, 1); // start together: workers start one by one
      while (Atomics.load(c, 1) < 4) Atomics.wait(pause, 0, 0, 0.1);
      for (let i = 0; i < 200; i++) {
        if (lock) lock.acquireSync();
        const v = c[0];
        Atomics.wait(pause, 0, 0, 0.05);
        c[0] = v + 1;
        if (lock) lock.release();
      }
    };
    const unlocked = sharedInts(2);
    await runThreads(
      ...Array.from({ length: 4 }, () => ({ target, args: [null, unlocked] })),
    );
    assert.ok(unlocked[0] < 800, `expected lost updates, got ${unlocked[0]}`);
    const locked = sharedInts(2);
    const lock = new Lock();
    await runThreads(
      ...Array.from({ length: 4 }, () => ({ target, args: [lock, locked] })),
    );
    assert.equal(locked[0], 800);
  });

  it("Lock held in a worker makes the main thread wait", async () => {
    const lock = new Lock();
    const c = sharedInts(1);
    const errors = await captureThreadErrors(async () => {
      const target = async (lock: Lock, c: Int32Array) => {
        lock.acquireSync();
        Atomics.store(c, 0, 1);
        await new Promise((r) => setTimeout(r, 100));
        lock.release();
      };
      const { Thread } = await import("../../threading/mod.ts");
      const t = new Thread({ target, args: [lock, c] });
      t.start();
      while (Atomics.load(c, 0) === 0) {
        await new Promise((r) => setTimeout(r, 1));
      }
      assert.equal(await lock.acquire({ blocking: false }), false);
      const t0 = performance.now();
      assert.equal(await lock.acquire({ timeout: 5 }), true);
      assert.ok(performance.now() - t0 >= 50);
      lock.release();
      await t.join();
    });
    assert.deepEqual(errors, []);
  });
});

describe("RLock", () => {
  it("RLock.acquireSync() is re-entrant and counts levels", () => {
    const lock = new RLock();
    assert.equal(lock.acquireSync(), true);
    assert.equal(lock.acquireSync(), true);
    assert.equal(lock.acquireSync({ blocking: false }), true);
    lock.release();
    lock.release();
    assert.equal(lock.locked(), true);
    lock.release();
    assert.equal(lock.locked(), false);
  });

  it("RLock.release() not held throws RuntimeError", () => {
    const lock = new RLock();
    assert.throws(
      () => lock.release(),
      (e: Error) =>
        e instanceof RuntimeError &&
        e.message === "cannot release un-acquired lock",
    );
  });

  it("RLock.release() from another thread throws in that thread", async () => {
    const lock = new RLock();
    await lock.acquire();
    const errors = await captureThreadErrors(() =>
      runThreads({
        target: (l: RLock) => l.release(),
        args: [lock],
        name: "releaser",
      })
    );
    assert.equal(errors.length, 1);
    assert.equal(errors[0].excType, "RuntimeError");
    assert.ok(errors[0].excValue instanceof RuntimeError);
    assert.equal(
      (errors[0].excValue as Error).message,
      "cannot release un-acquired lock",
    );
    assert.equal(errors[0].thread?.name, "releaser");
    assert.equal(lock.locked(), true);
    lock.release();
  });

  it("RLock blocks other threads until every level is released", async () => {
    const lock = new RLock();
    const c = sharedInts(1);
    lock.acquireSync();
    lock.acquireSync();
    const { Thread } = await import("../../threading/mod.ts");
    const t = new Thread({
      target: (l: RLock, c: Int32Array) => {
        Atomics.store(c, 0, l.acquireSync({ timeout: 0.05 }) ? 1 : 2);
        Atomics.store(
          c,
          0,
          Atomics.load(c, 0) * 10 + (l.acquireSync({ timeout: 5 }) ? 1 : 2),
        );
        l.release();
      },
      args: [lock, c],
    });
    t.start();
    while (Atomics.load(c, 0) === 0) await new Promise((r) => setTimeout(r, 1));
    lock.release();
    await new Promise((r) => setTimeout(r, 20));
    lock.release();
    await t.join();
    assert.equal(c[0], 21);
  });

  it("RLock shared by 4 workers with nested acquires keeps a counter exact", async () => {
    const lock = new RLock();
    const c = sharedInts(1);
    const target = (lock: RLock, c: Int32Array) => {
      for (let i = 0; i < 5_000; i++) {
        lock.acquireSync();
        lock.acquireSync();
        c[0] = c[0] + 1;
        lock.release();
        lock.release();
      }
    };
    await runThreads(
      ...Array.from({ length: 4 }, () => ({ target, args: [lock, c] })),
    );
    assert.equal(c[0], 20_000);
  });
});

after(() => assertNoLeaks());
