import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  Barrier,
  BoundedSemaphore,
  BrokenBarrierError,
  Condition,
  Event,
  Lock,
  Process,
  Queue,
  RLock,
  RuntimeError,
  Semaphore,
  TimeoutError,
  Value,
  ValueError,
} from "../../multiprocessing/mod.ts";
import { assertNoLeaks } from "../_leaks.ts";
import { sleep } from "./_util.ts";

async function run(
  target: (...a: never[]) => unknown,
  args: unknown[],
  n = 1,
): Promise<Process[]> {
  const ps = Array.from({ length: n }, () => new Process({ target, args }));
  for (const p of ps) await p.start();
  return ps;
}

async function joinAll(ps: Process[]): Promise<number[]> {
  for (const p of ps) await p.join();
  return ps.map((p) => p.exitcode!);
}

describe("Lock and RLock", () => {
  it("Lock.acquire() with blocking, timeout, and release errors", async () => {
    const lock = new Lock();
    assert.equal(lock.locked(), false);
    assert.equal(await lock.acquire(), true);
    assert.equal(await lock.acquire(false), false);
    assert.equal(await lock.acquire({ blocking: false }), false);
    const t0 = performance.now();
    assert.equal(await lock.acquire({ timeout: 0.1 }), false);
    assert.ok(performance.now() - t0 >= 90);
    assert.equal(lock.acquireSync({ timeout: 0.01 }), false);
    assert.ok(lock.locked());
    lock.release();
    assert.throws(() => lock.release(), {
      name: "ValueError",
      message: "semaphore or lock released too many times",
    });
    await assert.rejects(lock.acquire({ timeout: -1 }), ValueError);
    await assert.rejects(
      lock.acquire({ blocking: false, timeout: 1 }),
      ValueError,
    );
    {
      using _h = lock.holdSync();
      assert.ok(lock.locked());
      await assert.rejects(lock.hold({ timeout: 0.01 }), TimeoutError);
    }
    assert.ok(!lock.locked());
    assert.match(String(lock), /Lock\(owner=None\)/);
  });

  it("RLock is re-entrant and owned", async () => {
    const r = new RLock();
    assert.ok(await r.acquire());
    assert.ok(r.acquireSync());
    assert.match(String(r), /RLock\(MainThread, 2\)/);
    r.release();
    assert.ok(r.locked());
    r.release();
    assert.ok(!r.locked());
    assert.throws(() => r.release(), {
      name: "RuntimeError",
      message: "cannot release un-acquired lock",
    });
  });

  it("a Lock protects a Value counter incremented by 4 processes", async () => {
    const lock = new Lock();
    const counter = new Value("i", 0, { lock: false });
    const ps = await run(
      ((lock: Lock, c: Value) => {
        for (let i = 0; i < 200; i++) {
          lock.acquireSync();
          c.value = c.value + 1;
          lock.release();
        }
      }) as never,
      [lock, counter],
      4,
    );
    assert.deepEqual(await joinAll(ps), [0, 0, 0, 0]);
    assert.equal(counter.value, 800);
  });

  it("a Lock held by a child that dies is released", async () => {
    const lock = new Lock();
    const got = new Event();
    const [p] = await run(
      (async (lock: Lock, got: Event) => {
        await lock.acquire();
        got.set();
        await new Promise(() => setInterval(() => {}, 1000));
      }) as never,
      [lock, got],
    );
    assert.ok(await got.wait(20));
    assert.equal(await lock.acquire({ timeout: 0.05 }), false);
    p.kill();
    assert.equal(await lock.acquire({ timeout: 10 }), true);
    lock.release();
    await p.join();
  });

  it("an RLock owned by another process cannot be released here", async () => {
    const r = new RLock();
    const q = new Queue<string>();
    const [p] = await run(
      ((r: RLock, q: Queue<string>) => {
        r.acquireSync();
        q.putSync("held");
        r.acquireSync({ timeout: 0 }); // re-entrant: succeeds
        q.getSync(); // wait for the go
        r.release();
        r.release();
      }) as never,
      [r, q],
    );
    assert.equal(await q.get({ timeout: 20 }), "held");
    assert.throws(() => r.release(), RuntimeError);
    assert.equal(await r.acquire({ timeout: 0.01 }), false);
    await q.put("go");
    assert.equal(await r.acquire({ timeout: 10 }), true);
    r.release();
    await joinAll([p]);
  });
});

describe("Semaphore", () => {
  it("Semaphore counts slots; BoundedSemaphore refuses extra releases", async () => {
    const s = new Semaphore(2);
    assert.equal(s.getValue(), 2);
    assert.ok(await s.acquire());
    assert.ok(s.acquireSync());
    assert.equal(await s.acquire({ timeout: 0.01 }), false);
    s.release(2);
    assert.equal(s.getValue(), 2);
    assert.match(String(s), /Semaphore\(value=2\)/);
    s.release();
    assert.equal(s.getValue(), 3);
    assert.throws(() => new Semaphore(-1), ValueError);
    assert.throws(() => s.release(0), ValueError);
    const b = new BoundedSemaphore(1);
    assert.ok(b instanceof Semaphore);
    assert.throws(() => b.release(), {
      name: "ValueError",
      message: "semaphore or lock released too many times",
    });
    await b.acquire();
    {
      assert.equal(b.getValue(), 0);
    }
    b.release();
    using _h = await b.hold();
    assert.equal(b.getValue(), 0);
  });

  it("a Semaphore limits how many processes run at once", async () => {
    const sem = new Semaphore(2);
    const inside = new Value("i", 0);
    const most = new Value("i", 0);
    const ps = await run(
      ((sem: Semaphore, inside: Value, most: Value) => {
        sem.acquireSync();
        inside.acquireSync();
        inside.value += 1;
        if (inside.value > most.value) most.value = inside.value;
        inside.release();
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100);
        inside.acquireSync();
        inside.value -= 1;
        inside.release();
        sem.release();
      }) as never,
      [sem, inside, most],
      4,
    );
    await joinAll(ps);
    assert.ok(most.value <= 2 && most.value >= 1, `most ${most.value}`);
  });
});

describe("Event", () => {
  it("Event.wait() returns true once set, false on timeout", async () => {
    const e = new Event();
    assert.equal(e.isSet(), false);
    assert.equal(await e.wait(0.02), false);
    assert.equal(e.waitSync(0), false);
    const waiting = e.wait(10);
    await sleep(20);
    e.set();
    assert.equal(await waiting, true);
    assert.equal(e.waitSync(), true);
    assert.match(String(e), /set/);
    e.clear();
    assert.equal(e.isSet(), false);
    await assert.rejects(e.wait(-1), ValueError);
  });

  it("an Event set in the parent wakes children", async () => {
    const e = new Event();
    const done = new Queue<number>();
    const ps = await run(
      ((e: Event, q: Queue<number>) =>
        q.putSync(e.waitSync(20) ? 1 : 0)) as never,
      [e, done],
      2,
    );
    await sleep(100);
    e.set();
    assert.equal(
      (await done.get({ timeout: 20 })) + (await done.get({ timeout: 20 })),
      2,
    );
    await joinAll(ps);
  });
});

describe("Condition", () => {
  it("Condition.wait() gives up the lock and takes it back; notify wakes a child", async () => {
    const cond = new Condition(new Lock());
    const items = new Queue<string>();
    const ps = await run(
      ((cond: Condition, items: Queue<string>) => {
        cond.acquireSync();
        items.putSync("waiting");
        const ok = cond.waitSync(20);
        items.putSync(ok ? "notified" : "timeout");
        cond.release();
      }) as never,
      [cond, items],
    );
    assert.equal(await items.get({ timeout: 20 }), "waiting");
    await cond.acquire(); // the child gave the lock up while it waits
    cond.notify();
    cond.release();
    assert.equal(await items.get({ timeout: 20 }), "notified");
    await joinAll(ps);
  });

  it("Condition checks ownership, times out, and waitFor checks a predicate", async () => {
    const cond = new Condition();
    await assert.rejects(cond.wait(0.01), {
      name: "RuntimeError",
      message: "cannot wait on un-acquired lock",
    });
    assert.throws(() => cond.notify(), {
      name: "RuntimeError",
      message: "cannot notify on un-acquired lock",
    });
    await cond.acquire();
    await cond.acquire(); // the default lock is an RLock
    assert.equal(await cond.wait(0.02), false);
    assert.equal(await cond.waitFor(() => "ready", 5), "ready");
    let n = 0;
    assert.equal(await cond.waitFor(() => ++n >= 5, 0.03), false);
    assert.ok(n >= 2 && n < 5);
    assert.equal(cond.waitForSync(() => false, 0.02), false);
    cond.notifyAll();
    cond.release();
    cond.release();
    assert.throws(() => new Condition({} as never), TypeError);
    using _h = cond.holdSync();
  });
});

describe("Barrier", () => {
  it("Barrier lets parties pass together, with distinct indexes and an action", async () => {
    const q = new Queue<number>();
    const b = new Barrier(3, () => {
      // deno-lint-ignore no-explicit-any
      (globalThis as any).__ran = true;
    });
    assert.equal(b.parties, 3);
    const ps = await run(
      ((b: Barrier, q: Queue<number>) => q.putSync(b.waitSync(20))) as never,
      [b, q],
      2,
    );
    const mine = await b.wait(20);
    const all = [
      mine,
      await q.get({ timeout: 20 }),
      await q.get({ timeout: 20 }),
    ];
    assert.deepEqual(all.sort(), [0, 1, 2]);
    assert.equal(b.nWaiting, 0);
    assert.equal(b.broken, false);
    await joinAll(ps);
  });

  it("Barrier timeout, abort and reset break it with BrokenBarrierError", async () => {
    const b = new Barrier(2);
    await assert.rejects(b.wait(0.02), BrokenBarrierError);
    assert.equal(b.broken, true);
    await assert.rejects(b.wait(), BrokenBarrierError);
    b.reset();
    assert.equal(b.broken, false);
    const waiting = b.wait();
    await sleep(20);
    assert.equal(b.nWaiting, 1);
    b.abort();
    await assert.rejects(waiting, BrokenBarrierError);
    assert.throws(() => new Barrier(0), ValueError);
    const failing = new Barrier(1, () => {
      throw new Error("action failed");
    });
    await assert.rejects(failing.wait(), /action failed/);
    assert.equal(failing.broken, true);
  });
});

after(() => assertNoLeaks());
