import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  Empty,
  Full,
  JoinableQueue,
  Process,
  Queue,
  SimpleQueue,
  ValueError,
} from "../../multiprocessing/mod.ts";
import { Empty as QueueEmpty } from "../../queue/mod.ts";
import { assertNoLeaks } from "../_leaks.ts";
import { sleep } from "./_util.ts";

describe("Queue", () => {
  it("Queue.put() and get() keep FIFO order and copy items", async () => {
    const q = new Queue<unknown>();
    assert.equal(Empty, QueueEmpty);
    const d = new Date(5);
    await q.put(1);
    await q.put({ a: [1, 2], m: new Map([["k", d]]) });
    q.putSync("s");
    q.putNowait(null);
    await q.joinThread();
    assert.equal(q.qsize(), 4);
    assert.equal(q.empty(), false);
    assert.equal(q.full(), false);
    assert.equal(await q.get(), 1);
    const obj = q.getSync() as { a: number[]; m: Map<string, Date> };
    assert.deepEqual(obj.a, [1, 2]);
    assert.equal(obj.m.get("k")!.getTime(), 5);
    assert.equal(q.getNowait(), "s");
    assert.equal(await q.get({ block: false }), null);
    assert.equal(q.empty(), true);
  });

  it("Queue.get() throws Empty without an item, at once or after its timeout", async () => {
    const q = new Queue();
    assert.throws(() => q.getNowait(), Empty);
    await assert.rejects(q.get({ block: false }), Empty);
    const t0 = performance.now();
    await assert.rejects(q.get({ timeout: 0.1 }), Empty);
    assert.ok(performance.now() - t0 >= 90);
    assert.throws(() => q.getSync({ timeout: 0.01 }), Empty);
    await assert.rejects(q.get({ timeout: -1 }), ValueError);
    const later = q.get({ timeout: 10 });
    await sleep(20);
    await q.put("late");
    assert.equal(await later, "late");
  });

  it("a bounded Queue throws Full, and a blocked put goes in once there is room", async () => {
    const q = new Queue<number>(2);
    assert.equal(q.maxsize, 2);
    await q.put(1);
    q.putSync(2);
    assert.equal(q.full(), true);
    assert.throws(() => q.putNowait(3), Full);
    await assert.rejects(q.put(3, { timeout: 0.02 }), Full);
    assert.throws(() => q.putSync(3, { block: false }), Full);
    const blocked = q.put(3);
    await sleep(20);
    assert.equal(await q.get(), 1);
    await blocked;
    assert.deepEqual([await q.get(), await q.get()], [2, 3]);
    assert.throws(() => new Queue(1.5), TypeError);
  });

  it("Queue.close() stops this process from putting", async () => {
    const q = new Queue();
    q.close();
    await assert.rejects(q.put(1), ValueError);
    assert.throws(() => q.putSync(1), ValueError);
    q.cancelJoinThread();
  });

  it("an item that cannot be cloned fails its put only", async () => {
    const q = new Queue();
    const bad = q.put(() => 1);
    const good = q.put(2);
    await assert.rejects(bad);
    await good;
    assert.equal(await q.get({ timeout: 5 }), 2);
  });

  it("4 processes putting 10,000 items each into one Queue lose nothing", async () => {
    const q = new Queue<number>();
    const ps = [0, 1, 2, 3].map((k) =>
      new Process({
        target: async (q: Queue<number>, k: number) => {
          for (let i = 0; i < 10_000; i++) {
            if (i % 2) await q.put(k * 100_000 + i);
            else q.put(k * 100_000 + i);
          }
        },
        args: [q, k],
      })
    );
    for (const p of ps) await p.start();
    const seen = new Set<number>();
    const last = [-1, -1, -1, -1];
    for (let n = 0; n < 40_000; n++) {
      const v = await q.get({ timeout: 30 });
      const k = Math.floor(v / 100_000);
      // Items of one producer arrive in the order it put them.
      assert.ok(v % 100_000 > last[k]);
      last[k] = v % 100_000;
      seen.add(v);
    }
    for (const p of ps) await p.join();
    assert.equal(seen.size, 40_000);
    assert.deepEqual(ps.map((p) => p.exitcode), [0, 0, 0, 0]);
    assert.equal(q.empty(), true);
  });

  it("a getter that dies does not swallow the next item", async () => {
    const q = new Queue<string>();
    const p = new Process({
      target: (q: Queue<string>) => q.getSync(),
      args: [q],
    });
    await p.start();
    await sleep(300); // the child is parked in get
    p.kill();
    await p.join();
    await q.put("kept");
    assert.equal(await q.get({ timeout: 5 }), "kept");
  });
});

describe("Queue from another process", () => {
  it("a child sees Full, Empty, sizes, blocking puts and timeouts", async () => {
    const q = new Queue<number>(2);
    const out = new Queue<unknown>();
    const p = new Process({
      target: async (q: Queue<number>, out: Queue<unknown>) => {
        const seen: unknown[] = [];
        const name = (f: () => unknown) => {
          try {
            return f();
          } catch (err) {
            return (err as Error).name;
          }
        };
        seen.push(name(() => q.getNowait()));
        q.putSync(1);
        await q.put(2);
        seen.push(q.qsize(), q.full(), q.empty());
        seen.push(name(() => q.putNowait(3)));
        seen.push(name(() => q.putSync(3, { timeout: 0.05 })));
        await q.put(3, { timeout: 0.05 }).catch((e) => seen.push(e.name));
        out.putSync(seen);
        q.putSync(4); // blocks until the parent makes room
        seen.length = 0;
        seen.push(q.getSync({ timeout: 5 }));
        seen.push(await q.get({ timeout: 5 }));
        await q.get({ timeout: 0.05 }).catch((e) => seen.push(e.name));
        out.putSync(seen);
      },
      args: [q, out],
    });
    await p.start();
    assert.deepEqual(await out.get({ timeout: 20 }), [
      "Empty",
      2,
      true,
      false,
      "Full",
      "Full",
      "Full",
    ]);
    assert.equal(await q.get(), 1);
    // The child's blocked put went in; it then takes 2 and 4 back.
    assert.deepEqual(await out.get({ timeout: 20 }), [2, 4, "Empty"]);
    assert.equal(q.empty(), true);
    await p.join();
  });
});

describe("JoinableQueue", () => {
  it("JoinableQueue.join() waits until every item is marked done by a child", async () => {
    const q = new JoinableQueue<number>();
    for (let i = 0; i < 5; i++) await q.put(i);
    const p = new Process({
      target: (q: JoinableQueue<number>) => {
        for (let i = 0; i < 5; i++) {
          q.getSync();
          q.taskDone();
        }
      },
      args: [q],
    });
    await p.start();
    await q.join();
    assert.equal(q.joinSync(0), true);
    assert.throws(() => q.taskDone(), {
      name: "ValueError",
      message: "task_done() called too many times",
    });
    await p.join();
    await q.put(9);
    await q.joinThread();
    assert.equal(q.joinSync(0.01), false);
  });
});

describe("SimpleQueue", () => {
  it("SimpleQueue.put(), get(), empty() and close()", async () => {
    const q = new SimpleQueue<number>();
    assert.equal(q.empty(), true);
    await q.put(1);
    q.putSync(2);
    assert.equal(await q.get(), 1);
    assert.equal(q.getSync(), 2);
    const p = new Process({
      target: (q: SimpleQueue<number>) => q.putSync(3),
      args: [q],
    });
    await p.start();
    assert.equal(await q.get(), 3);
    await p.join();
    q.close();
    await assert.rejects(q.put(1), ValueError);
  });
});

after(() => assertNoLeaks());
