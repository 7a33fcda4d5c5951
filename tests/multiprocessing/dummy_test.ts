// The multiprocessing suite, where it applies, over multiprocessing/dummy.
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import * as dummy from "../../multiprocessing/dummy/mod.ts";
import {
  Array as SharedArray,
  type Connection,
  EOFError,
  Lock,
  Manager,
  Pipe,
  Pool,
  Process,
  Queue,
  RuntimeError,
  TimeoutError,
  Value,
} from "../../multiprocessing/dummy/mod.ts";
import type { DictProxy } from "../../multiprocessing/mod.ts";
import { Lock as ThreadLock } from "../../threading/mod.ts";
import { Queue as QueueQueue } from "../../queue/mod.ts";
import { assertNoLeaks } from "../_leaks.ts";
import { sleep } from "./_util.ts";

describe("multiprocessing.dummy", () => {
  it("dummy exports the threading and queue classes", () => {
    assert.equal(Lock, ThreadLock);
    assert.equal(Queue, QueueQueue);
    assert.equal(dummy.JoinableQueue, QueueQueue);
    assert.equal(dummy.currentProcess().name, "MainThread");
    assert.ok(dummy.cpuCount() >= 1);
  });

  it("dummy Process runs in a thread with the Process API", async () => {
    const q = new Queue<number>();
    const p = new Process({
      target: (q: QueueQueue<number>, x: number) => q.putSync(x * 2),
      args: [q, 21],
      name: "T",
    });
    assert.equal(p.exitcode, null);
    assert.equal(p.name, "T");
    await p.start();
    assert.ok(p.ident !== null);
    await p.join();
    assert.equal(p.exitcode, 0);
    assert.equal(p.isAlive(), false);
    assert.equal(q.getSync(), 42);
    assert.deepEqual(dummy.activeChildren(), []);
    const s = new Process({ target: () => {} });
    await s.start();
    s.joinSync();
    assert.match(String(s), /DummyProcess/);
  });

  it("4 threads putting 10,000 items each into one Queue lose nothing", async () => {
    const q = new Queue<number>();
    const ps = [0, 1, 2, 3].map((k) =>
      new Process({
        target: (q: QueueQueue<number>, k: number) => {
          for (let i = 0; i < 10_000; i++) q.putSync(k * 100_000 + i);
        },
        args: [q, k],
      })
    );
    for (const p of ps) await p.start();
    const seen = new Set<number>();
    for (let n = 0; n < 40_000; n++) seen.add(await q.get({ timeout: 30 }));
    for (const p of ps) await p.join();
    assert.equal(seen.size, 40_000);
  });

  it("a Lock protects a shared-memory Value incremented by 4 threads", async () => {
    const lock = new Lock();
    const counter = new Value("i", 0, { lock: false });
    const ps = [0, 1, 2, 3].map(() =>
      new Process({
        target: (lock: ThreadLock, c: Value) => {
          for (let i = 0; i < 1000; i++) {
            lock.acquireSync();
            c.value += 1;
            lock.release();
          }
        },
        args: [lock, counter],
      })
    );
    for (const p of ps) await p.start();
    for (const p of ps) await p.join();
    assert.equal(counter.value, 4000);
    assert.throws(() => counter.getLock(), TypeError);
  });

  it("dummy Value and Array are real shared memory", async () => {
    const v = new Value("d", 1.5);
    assert.equal(await v.get(), 1.5);
    await v.set(2.5);
    assert.equal(v.typecode, "d");
    {
      using _h = await v.hold();
    }
    await v.acquire();
    v.release();
    v.acquireSync();
    v.release();
    const a = new SharedArray("i", [1, 2, 3]);
    const p = new Process({
      target: (a: SharedArray, v: Value) => {
        a.setSync(0, 10);
        v.value = 9;
      },
      args: [a, v],
    });
    await p.start();
    await p.join();
    assert.deepEqual(a.toArraySync(), [10, 2, 3]);
    assert.equal(v.value, 9);
    assert.equal(a.view[0], 10);
    assert.equal(await a.get(-1), 3);
    await a.set(1, 7);
    await a.setAll([4, 5], 1);
    assert.deepEqual(await a.toArray(), [10, 4, 5]);
    assert.throws(() => a.getSync(3), RangeError);
    assert.throws(() => a.setAllSync([1, 2, 3, 4]), { name: "ValueError" });
    assert.equal(a.length, 3);
    assert.equal(a.typecode, "i");
    assert.equal(new SharedArray("q", 2).toArraySync().length, 2);
    using _h = a.holdSync();
  });

  it("dummy Pipe carries messages and 10 MB between threads, then EOF", async () => {
    const [a, b] = Pipe();
    const p = new Process({
      target: (c: Connection, n: number) => {
        c.sendBytesSync(new Uint8Array(n).fill(3));
        c.sendSync("done");
        c.close();
      },
      args: [b, 10 * 1024 * 1024],
    });
    await p.start();
    assert.equal(await a.poll(10), true);
    const bytes = await a.recvBytes();
    assert.equal(bytes.length, 10 * 1024 * 1024);
    assert.equal(bytes[bytes.length - 1], 3);
    assert.equal(a.recvSync(), "done");
    await assert.rejects(a.recv(), EOFError);
    assert.throws(() => a.recvSync(), EOFError);
    await p.join();
    const [x, y] = Pipe<number>();
    assert.equal(x.pollSync(0.01), false);
    assert.equal(await x.poll(), false);
    await y.send(1);
    assert.equal(x.pollSync(), true);
    assert.equal(await x.recv(), 1);
    x.close();
    await assert.rejects(x.send(1), { name: "OSError" });
  });

  it("dummy connection.wait / waitSync return the ends a thread wrote to, then EOF; errors as the process module's", async () => {
    assert.equal(dummy.connection.Pipe, Pipe);
    const [a, b] = Pipe<number>();
    const [c, d] = Pipe<number>();
    assert.deepEqual(await dummy.connection.wait([b, d], 0), []);
    assert.deepEqual(dummy.connection.waitSync([b, d], 0.05), []);
    const p = new Process({
      target: async (c: Connection<number>) => {
        await new Promise((r) => setTimeout(r, 150));
        c.sendSync(7);
        c.close();
      },
      args: [c],
    });
    await p.start();
    const t0 = performance.now();
    assert.deepEqual(await dummy.connection.wait([b, d], 10), [d]);
    assert.ok(performance.now() - t0 >= 100);
    assert.equal(await d.recv(), 7);
    assert.deepEqual(await dummy.connection.wait([b, d], 10), [d]);
    await assert.rejects(d.recv(), EOFError);
    await p.join();
    a.sendSync(1);
    assert.deepEqual(dummy.connection.waitSync([b, d], 5), [b, d]);
    assert.deepEqual(dummy.connection.waitSync([b]), [b]);
    assert.deepEqual(await dummy.connection.wait([], 0.01), []);
    assert.deepEqual(dummy.connection.waitSync([]), []);
    await assert.rejects(dummy.connection.wait([b], -1), dummy.ValueError);
    assert.throws(() => dummy.connection.waitSync([b], -1), dummy.ValueError);
    await assert.rejects(dummy.connection.wait([{}] as never), {
      name: "TypeError",
      message: "wait() watches dummy Connections, not Object",
    });
    assert.throws(() => dummy.connection.waitSync([3] as never), {
      name: "TypeError",
      message: "wait() watches dummy Connections, not number",
    });
    assert.throws(() => dummy.connection.waitSync([null] as never), {
      name: "TypeError",
      message: "wait() watches dummy Connections, not null",
    });
    await assert.rejects(dummy.connection.wait(null as never), TypeError);
    await assert.rejects(
      dummy.connection.wait([b], "1" as never),
      TypeError,
    );
    d.close();
    await assert.rejects(dummy.connection.wait([d], 0), dummy.OSError);
    a.close();
    b.close();
  });

  it("dummy Pool maps over threads, and a ThreadPool terminate fails what is unfinished", async () => {
    {
      await using pool = new Pool(2);
      assert.deepEqual(await pool.map((x: number) => x * x, [1, 2, 3]), [
        1,
        4,
        9,
      ]);
      assert.equal(
        await pool.apply((a: number, b: number) => a + b, [1, 2]),
        3,
      );
      const r = pool.applyAsync(
        () => new Promise((r) => setTimeout(() => r(5), 200)),
      );
      await assert.rejects(r.get(0.01), TimeoutError);
      assert.equal(await r.get(), 5);
      const out: unknown[] = [];
      for await (const x of pool.imap((x: number) => -x, [1, 2, 3])) {
        out.push(x);
      }
      assert.deepEqual(out, [-1, -2, -3]);
      const lock = new Lock();
      const v = new Value("i", 0);
      await pool.starmap(
        ((l: ThreadLock, v: Value) => {
          l.acquireSync();
          v.value += 1;
          l.release();
        }) as never,
        [[lock, v], [lock, v], [lock, v]],
      );
      assert.equal(v.value, 3);
    }
    const pool = new Pool(1);
    const stuck = pool.applyAsync(
      () => new Promise((r) => setTimeout(r, 300)),
    );
    await sleep(50);
    await pool.terminate();
    await assert.rejects(stuck.get(), RuntimeError);
    await sleep(400);
  });

  it("dummy Pool.map() sends chunks of items: order, errors mid-chunk, imap, starmap, numbers packed exactly", async () => {
    await using pool = new Pool(2);
    const xs = Array.from({ length: 101 }, (_, i) => i);
    for (const chunksize of [1, 3, 13, 101]) {
      assert.deepEqual(
        await pool.map((x: number) => x + 1, xs, { chunksize }),
        xs.map((x) => x + 1),
      );
    }
    const odd = [-0, NaN, Infinity, 2 ** 53, 1e-300, 0.1, -7.5, 3, 4];
    const back = await pool.map((x: number) => x, odd, { chunksize: 9 });
    odd.forEach((x, i) => assert.ok(Object.is(back[i], x), `item ${i}`));
    assert.deepEqual(
      await pool.starmap((a: number, b: string) => b.repeat(a), [[2, "a"], [
        0,
        "b",
      ], [3, "c"]], { chunksize: 2 }),
      ["aa", "", "ccc"],
    );
    const boom = (x: number) => {
      if (x === 6) throw new RangeError("six");
      return x;
    };
    await assert.rejects(pool.map(boom, xs, { chunksize: 4 }), {
      name: "RangeError",
      message: "six",
    });
    const got: unknown[] = [];
    await assert.rejects(
      (async () => {
        for await (const y of pool.imap(boom, xs, { chunksize: 4 })) {
          got.push(y);
        }
      })(),
      RangeError,
    );
    assert.deepEqual(got, [0, 1, 2, 3, 4, 5]);
    const unordered: number[] = [];
    for await (
      const y of pool.imapUnordered((x: number) => x, xs, { chunksize: 10 })
    ) unordered.push(y);
    assert.deepEqual(unordered.sort((a, b) => a - b), xs);
    assert.deepEqual(await pool.map((x: number) => x, []), []);
    assert.throws(() => pool.imap((x: number) => x, [1], { chunksize: 0 }), {
      name: "ValueError",
      message: "Chunksize must be 1+, not 0",
    });
  });

  it("a Manager's objects work in threads too", async () => {
    await using m = Manager();
    const d = m.dict<number, number>();
    const p = new Process({
      target: (d: DictProxy<number, number>) => d.setSync(1, 2),
      args: [d],
    });
    await p.start();
    await p.join();
    assert.equal(await d.get(1), 2);
  });
});

after(() => assertNoLeaks());
