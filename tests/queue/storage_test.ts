import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  LifoQueue,
  PriorityQueue,
  Queue,
  SimpleQueue,
} from "../../queue/mod.ts";
import { Thread } from "../../threading/mod.ts";
import { assertNoLeaks } from "../_leaks.ts";
import { inTransit, storageBytes, until, waiters } from "./_util.ts";
import { Empty, Full, ShutDown } from "../../queue/mod.ts";

describe("queue storage", () => {
  it("Queue holds a 50 MB typed array and hands back an equal copy", () => {
    const q = new Queue<Float64Array>();
    const big = new Float64Array((50 * 1024 * 1024) / 8);
    for (let i = 0; i < big.length; i += 4099) big[i] = i;
    q.putNowait(big);
    q.putNowait(new Float64Array([1, 2]));
    const back = q.getNowait();
    assert.notEqual(back, big);
    assert.equal(back.length, big.length);
    for (let i = 0; i < big.length; i += 4099) assert.equal(back[i], i);
    assert.deepEqual(q.getNowait(), new Float64Array([1, 2]));
  });

  it("Queue carries a 50 MB typed array from a worker", async () => {
    const q = new Queue<Uint8Array>();
    const t = new Thread({
      target: (q: Queue<Uint8Array>) => {
        const a = new Uint8Array(50 * 1024 * 1024);
        a[0] = 1;
        a[a.length - 1] = 2;
        q.putSync(a);
      },
      args: [q],
    });
    t.start();
    const got = await q.get({ timeout: 60 });
    await t.join();
    assert.equal(got.length, 50 * 1024 * 1024);
    assert.equal(got[0], 1);
    assert.equal(got[got.length - 1], 2);
  });

  it("Queue reuses its memory: a million items leave the storage flat", () => {
    for (const q of [new Queue(), new LifoQueue(), new SimpleQueue()]) {
      let peak = 0;
      for (let round = 0; round < 100; round++) {
        for (let i = 0; i < 5000; i++) q.putNowait(i % 3 ? i : `item ${i}`);
        for (let i = 0; i < 5000; i++) q.getNowait();
        if (round === 0) peak = storageBytes(q);
      }
      assert.equal(storageBytes(q), peak, `${q} storage grew`);
      assert.ok(peak <= 1 << 20, `${q} uses ${peak} bytes`);
    }
  });

  it("Queue keeps reusing memory while never empty", () => {
    const q = new Queue<unknown>();
    for (let i = 0; i < 1000; i++) q.putNowait({ i });
    const base = storageBytes(q);
    for (let i = 0; i < 200_000; i++) {
      q.getNowait();
      q.putNowait(i % 2 ? { i } : [i, "x".repeat(i % 50)]);
    }
    assert.ok(
      storageBytes(q) <= base * 4,
      `grew from ${base} to ${storageBytes(q)}`,
    );
  });

  it("Queue storage of an emptied queue serves items of another size", () => {
    const q = new Queue<string>();
    for (let i = 0; i < 20_000; i++) q.putNowait("s".repeat(20));
    while (!q.empty()) q.getNowait();
    const after1 = storageBytes(q);
    for (let i = 0; i < 2000; i++) q.putNowait("L".repeat(200));
    assert.equal(storageBytes(q), after1);
  });

  it("PriorityQueue holds 100,000 items and returns them sorted", () => {
    const q = new PriorityQueue<number>();
    let x = 12345;
    for (let i = 0; i < 100_000; i++) {
      x = (x * 1103515245 + 12345) % 2147483648;
      q.putNowait(x);
    }
    let prev = -1;
    for (let i = 0; i < 100_000; i++) {
      const v = q.getNowait();
      assert.ok(v >= prev);
      prev = v;
    }
  });

  it("Queue hands large items to waiting getters and moves parked putters' large items in", async () => {
    const big = (n: number) => new Uint8Array(100_000).fill(n);
    const q = new Queue<Uint8Array>(2);
    const g1 = q.get();
    const g2 = q.getSync.bind(q);
    await q.put(big(1)); // handed straight to g1
    assert.equal(inTransit(q), 1);
    assert.deepEqual(await g1, big(1));
    assert.equal(inTransit(q), 0);
    q.putSync(big(2));
    q.putSync(big(3));
    const parked = [q.put(big(4)), q.put(big(5), { timeout: 5 })];
    assert.equal(waiters(q, "put"), 2);
    assert.equal(inTransit(q), 2);
    await assert.rejects(q.put(big(6), { timeout: 0.01 }), Full);
    const got = [];
    for (let i = 0; i < 4; i++) got.push(g2()[0]);
    await Promise.all(parked);
    assert.deepEqual(got, [2, 3, 4, 5]);
    assert.throws(() => q.getNowait(), Empty);
    assert.equal(inTransit(q), 0);
  });

  it("Queue.shutdown() frees large items held by parked putters and handed to getters", async () => {
    const q = new Queue<Uint8Array>(1);
    q.putSync(new Uint8Array(50_000));
    const parked = q.put(new Uint8Array(60_000));
    const q2 = new Queue<Uint8Array>();
    const g = q2.get();
    q2.putSync(new Uint8Array(70_000));
    q.shutdown();
    q2.shutdown({ immediate: true });
    await assert.rejects(parked, ShutDown);
    await assert.rejects(g, ShutDown);
    assert.equal(inTransit(q), 0);
    assert.equal(inTransit(q2), 0);
  });

  it("Queue does not reuse the memory of an item handed to a getter that has not run yet", async () => {
    const q = new Queue<string>();
    const g = q.get();
    q.putNowait("handed over"); // low in storage, in transit to g
    for (let i = 0; i < 3000; i++) q.putNowait("x".repeat(100));
    while (!q.empty()) q.getNowait(); // empty again, past the reset threshold
    for (let i = 0; i < 100; i++) q.putNowait("overwrite?");
    assert.equal(await g, "handed over");
  });

  it("Queue carries 50 large items between two workers", async () => {
    const q = new Queue<Uint8Array>(4);
    const sums = new Float64Array(new SharedArrayBuffer(8));
    const t = new Thread({
      target: (q: Queue<Uint8Array>, sums: Float64Array) => {
        for (let i = 0; i < 50; i++) {
          const a = q.getSync();
          sums[0] += a[0] + a[a.length - 1];
        }
      },
      args: [q, sums],
    });
    t.start();
    for (let i = 0; i < 50; i++) {
      const a = new Uint8Array(40_000 + i);
      a[0] = i;
      a[a.length - 1] = 1;
      await q.put(a);
    }
    await t.join();
    assert.equal(sums[0], (49 * 50) / 2 + 50);
    await until(() => inTransit(q) === 0);
  });

  it("Queue.get() called concurrently on one handle keeps large items apart", async () => {
    const q = new Queue<Uint8Array>(8);
    const t = new Thread({
      target: (q: Queue<Uint8Array>) => {
        for (let i = 0; i < 120; i++) q.putSync(new Uint8Array(40_000).fill(i));
      },
      args: [q],
    });
    t.start();
    const seen = new Set<number>();
    for (let round = 0; round < 40; round++) {
      const items = await Promise.all([q.get(), q.get(), q.get()]);
      for (const a of items) {
        assert.ok(a.every((x) => x === a[0]), "item bytes mixed up");
        seen.add(a[0]);
      }
    }
    await t.join();
    assert.equal(seen.size, 120);
    assert.equal(inTransit(q), 0);
  });

  it("Queue gives each of 100 async getters its own slot", async () => {
    const q = new Queue<number>();
    const getters = Array.from({ length: 100 }, () => q.get());
    assert.equal(waiters(q, "get"), 100);
    for (let i = 0; i < 100; i++) q.putNowait(i);
    assert.deepEqual(
      await Promise.all(getters),
      Array.from({ length: 100 }, (_, i) => i),
    );
    assert.equal(waiters(q, "get"), 0);
  });
});

after(() => assertNoLeaks());
