import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  LifoQueue,
  PriorityQueue,
  Queue,
  ShutDown,
  SimpleQueue,
} from "../../queue/mod.ts";
import { Thread } from "../../threading/mod.ts";
import { assertNoLeaks } from "../_leaks.ts";
import { until, waiters } from "./_util.ts";

function sharedInts(n: number): Int32Array {
  return new Int32Array(new SharedArrayBuffer(n * 4));
}

async function runAll(threads: Thread[]): Promise<void> {
  for (const t of threads) t.start();
  for (const t of threads) await t.join();
}

describe("Queue across workers", () => {
  it("Queue carries 4 workers x 10,000 items to 4 consumers, none lost or repeated", async () => {
    const P = 4;
    const N = 10_000;
    const q = new Queue<number>(64);
    const seen = sharedInts(P * N);
    const producers = Array.from({ length: P }, (_, k) =>
      new Thread({
        target: (q: Queue<number>, k: number, n: number) => {
          for (let i = 0; i < n; i++) q.putSync(k * n + i);
        },
        args: [q, k, N],
      }));
    const consumers = Array.from({ length: P }, () =>
      new Thread({
        target: (q: Queue<number>, seen: Int32Array) => {
          for (;;) {
            const v = q.getSync();
            if (v < 0) break;
            Atomics.add(seen, v, 1);
            q.taskDone();
          }
          q.taskDone();
        },
        args: [q, seen],
      }));
    for (const t of [...producers, ...consumers]) t.start();
    for (const t of producers) await t.join();
    for (let i = 0; i < P; i++) await q.put(-1);
    await q.join();
    for (const t of consumers) await t.join();
    let wrong = 0;
    for (let i = 0; i < P * N; i++) if (seen[i] !== 1) wrong++;
    assert.equal(wrong, 0, `${wrong} items lost or repeated`);
    assert.equal(q.qsize(), 0);
  });

  it("Queue.get() in the main thread and getSync() in workers share the items", async () => {
    const q = new Queue<string>();
    const out = new Queue<string>();
    const worker = new Thread({
      target: (q: Queue<string>, out: Queue<string>) => {
        for (let i = 0; i < 500; i++) out.putSync(q.getSync());
      },
      args: [q, out],
    });
    worker.start();
    const mine: string[] = [];
    const producer = (async () => {
      for (let i = 0; i < 1000; i++) await q.put(`item ${i}`);
    })();
    for (let i = 0; i < 500; i++) mine.push(await q.get());
    await producer;
    await worker.join();
    const all = [...mine, ...out.queue].sort();
    assert.equal(new Set(all).size, 1000);
  });

  it("Queue.getSync() wakes blocked workers in arrival order", async () => {
    const q = new Queue<number>();
    const got = sharedInts(3);
    const threads: Thread[] = [];
    for (let k = 0; k < 3; k++) {
      const t = new Thread({
        target: (q: Queue<number>, got: Int32Array, k: number) => {
          got[k] = q.getSync({ timeout: 30 }) + 100;
        },
        args: [q, got, k],
      });
      t.start();
      threads.push(t);
      await until(() => waiters(q, "get") === k + 1);
    }
    for (let i = 0; i < 3; i++) q.putNowait(i);
    for (const t of threads) await t.join();
    assert.deepEqual([...got], [100, 101, 102]);
  });

  it("Queue.putSync() wakes blocked worker putters in arrival order", async () => {
    const q = new Queue<number>(1);
    q.putNowait(-1);
    const threads: Thread[] = [];
    for (let k = 0; k < 3; k++) {
      const t = new Thread({
        target: (q: Queue<number>, k: number) => q.putSync(k, { timeout: 30 }),
        args: [q, k],
      });
      t.start();
      threads.push(t);
      await until(() => waiters(q, "put") === k + 1);
    }
    const order = [];
    for (let i = 0; i < 4; i++) order.push(await q.get({ timeout: 30 }));
    for (const t of threads) await t.join();
    assert.deepEqual(order, [-1, 0, 1, 2]);
  });

  it("Queue.getSync() in a worker times out on time with Empty", async () => {
    const q = new Queue();
    const out = new Float64Array(new SharedArrayBuffer(16));
    await runAll([
      new Thread({
        target: (q: Queue, out: Float64Array) => {
          const t0 = performance.now();
          try {
            q.getSync({ timeout: 0.1 });
          } catch (e) {
            out[1] = (e as Error).name === "Empty" ? 1 : 2;
          }
          out[0] = performance.now() - t0;
        },
        args: [q, out],
      }),
    ]);
    assert.equal(out[1], 1);
    assert.ok(out[0] >= 95 && out[0] < 2000, `waited ${out[0]} ms`);
  });

  it("Queue.shutdown() wakes workers blocked in getSync and putSync", async () => {
    const empty = new Queue();
    const full = new Queue(1);
    full.putNowait(0);
    const names = new SimpleQueue<string>();
    const getter = new Thread({
      target: (q: Queue, names: SimpleQueue<string>) => {
        try {
          q.getSync();
        } catch (e) {
          names.putSync(`get:${(e as Error).name}`);
        }
      },
      args: [empty, names],
    });
    const putter = new Thread({
      target: (q: Queue, names: SimpleQueue<string>) => {
        try {
          q.putSync(1);
        } catch (e) {
          names.putSync(`put:${(e as Error).name}`);
        }
      },
      args: [full, names],
    });
    getter.start();
    putter.start();
    await until(() =>
      waiters(empty, "get") === 1 && waiters(full, "put") === 1
    );
    empty.shutdown();
    full.shutdown();
    await getter.join();
    await putter.join();
    assert.deepEqual(names.queue.sort(), ["get:ShutDown", "put:ShutDown"]);
  });

  it("Queue errors thrown in a worker come back as ShutDown instances", async () => {
    const q = new Queue();
    q.shutdown();
    const { setExcepthook } = await import("../../threading/mod.ts");
    const seen: unknown[] = [];
    const prev = setExcepthook((a) => seen.push(a.excValue));
    try {
      await runAll([
        new Thread({ target: (q: Queue) => q.putSync(1), args: [q] }),
      ]);
    } finally {
      setExcepthook(prev);
    }
    assert.equal(seen.length, 1);
    assert.ok(seen[0] instanceof ShutDown);
  });

  it("Queue.joinSync() in a worker returns once the main thread marks tasks done", async () => {
    const q = new Queue<number>();
    const done = sharedInts(1);
    for (let i = 0; i < 3; i++) q.putNowait(i);
    const joiner = new Thread({
      target: (q: Queue<number>, done: Int32Array) => {
        q.joinSync();
        done[0] = 1;
      },
      args: [q, done],
    });
    joiner.start();
    for (let i = 0; i < 3; i++) {
      await q.get();
      assert.equal(Atomics.load(done, 0), 0);
      q.taskDone();
    }
    await joiner.join();
    assert.equal(done[0], 1);
  });

  it("PriorityQueue({ compare }) orders items put by a worker", async () => {
    const q = new PriorityQueue<{ p: number }>({
      compare: (a, b) => b.p - a.p,
    });
    await runAll([
      new Thread({
        target: (q: PriorityQueue<{ p: number }>) => {
          for (const p of [3, 9, 1, 7]) q.putSync({ p });
        },
        args: [q],
      }),
    ]);
    const order = [];
    while (!q.empty()) order.push(q.getNowait().p);
    assert.deepEqual(order, [9, 7, 3, 1]);
  });

  it("LifoQueue and SimpleQueue work from workers", async () => {
    const lifo = new LifoQueue<number>();
    const simple = new SimpleQueue<number>();
    await runAll([
      new Thread({
        target: (l: LifoQueue<number>, s: SimpleQueue<number>) => {
          for (let i = 0; i < 5; i++) {
            l.putSync(i);
            s.putSync(i);
          }
        },
        args: [lifo, simple],
      }),
    ]);
    assert.deepEqual(lifo.queue, [0, 1, 2, 3, 4]);
    assert.equal(lifo.getNowait(), 4);
    assert.deepEqual(simple.queue, [0, 1, 2, 3, 4]);
    assert.equal(simple.getNowait(), 0);
  });

  it("Queue handle passed twice to a worker is the same object there", async () => {
    const q = new Queue();
    const same = sharedInts(1);
    await runAll([
      new Thread({
        target: (a: Queue, b: { q: Queue }, same: Int32Array) => {
          same[0] = a === b.q ? 1 : 2;
        },
        args: [q, { q }, same],
      }),
    ]);
    assert.equal(same[0], 1);
  });
});

after(() => assertNoLeaks());
