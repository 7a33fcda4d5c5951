import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  Empty,
  Event,
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
    const ready = new Event();
    const p = new Process({
      target: (q: Queue<string>, ready: Event) => {
        ready.set();
        q.getSync();
      },
      args: [q, ready],
    });
    await p.start();
    // The child is parked in get (a get still on its way when the child
    // dies could take the item with it, as in Python).
    assert.equal(await ready.wait(30), true);
    await sleep(300);
    p.kill();
    await p.join();
    await q.put("kept");
    assert.equal(await q.get({ timeout: 5 }), "kept");
  });
});

describe("Queue from another process", () => {
  it("a child's put returns before the item is sent, and exit() sends what is still buffered, in order", async () => {
    for (
      const [n, how] of [[1, "process"], [10, "deno"], [
        3001,
        "process",
      ]] as const
    ) {
      const q = new Queue<number>();
      const p = new Process({
        target: async (q: Queue<number>, n: number, how: string) => {
          // deno-lint-ignore no-explicit-any
          const g = globalThis as any;
          const t0 = performance.now();
          for (let i = 0; i < n; i++) await q.put(i);
          if (n === 1 && performance.now() - t0 > 50) g.process.exit(9);
          if (how === "deno" && g.Deno) g.Deno.exit(3);
          g.process.exit(3);
        },
        args: [q, n, how],
      });
      await p.start();
      await p.join();
      assert.equal(p.exitcode, 3);
      const got: number[] = [];
      while (got.length < n) got.push(await q.get({ timeout: 5 }));
      assert.deepEqual(got, Array.from({ length: n }, (_, i) => i));
      assert.equal(q.empty(), true);
    }
  });

  it("a child's put of an item that cannot be cloned fails at once; the others arrive", async () => {
    const q = new Queue<unknown>();
    const out = new Queue<string>();
    const p = new Process({
      target: async (q: Queue<unknown>, out: Queue<string>) => {
        await q.put(1);
        const errors: string[] = [];
        for (const bad of [() => 1, { f: Symbol("s") }, Symbol("t")]) {
          await q.put(bad).catch((e: Error) =>
            errors.push(`${e.name}: ${e.message}`)
          );
        }
        await q.put(2);
        out.putSync(errors.join("\n"));
      },
      args: [q, out],
    });
    await p.start();
    await p.join();
    assert.equal(p.exitcode, 0);
    const errors = (await out.get({ timeout: 5 })).split("\n");
    // Issue 14 item 8: a DataCloneError (a TypeError) naming the path.
    const fn =
      "could not be cloned: a function cannot be sent to another process; send the data it needs instead";
    const sym =
      "could not be cloned: a symbol cannot be sent to another process; send a string instead";
    assert.equal(errors.length, 3);
    assert.equal(errors[0], `DataCloneError: item (anonymous function) ${fn}`);
    assert.equal(errors[1], `DataCloneError: item.f (Symbol(s)) ${sym}`);
    assert.equal(errors[2], `DataCloneError: item (Symbol(t)) ${sym}`);
    assert.equal(await q.get({ timeout: 5 }), 1);
    assert.equal(await q.get({ timeout: 5 }), 2);
    assert.equal(q.empty(), true);
  });

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
  it("a child's joinSync() after its puts waits for them to be done", async () => {
    const q = new JoinableQueue<number>();
    const out = new Queue<number[]>();
    const p = new Process({
      target: async (q: JoinableQueue<number>, out: Queue<number[]>) => {
        for (let i = 0; i < 3; i++) await q.put(i);
        const t0 = performance.now();
        const joined = q.joinSync(20);
        out.putSync([joined ? 1 : 0, performance.now() - t0]);
      },
      args: [q, out],
    });
    await p.start();
    for (let i = 0; i < 3; i++) {
      assert.equal(await q.get({ timeout: 10 }), i);
      await sleep(50);
      q.taskDone();
    }
    const [joined, waited] = await out.get({ timeout: 20 });
    assert.equal(joined, 1);
    assert.ok(waited >= 80, `joinSync returned after ${waited} ms`);
    await p.join();
  });

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
