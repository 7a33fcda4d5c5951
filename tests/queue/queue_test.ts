import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { Empty, Full, Queue, ShutDown } from "../../queue/mod.ts";
import { ValueError } from "../../mod.ts";
import { assertNoLeaks } from "../_leaks.ts";
import { isError, sleep, until, waiters } from "./_util.ts";

const NEG = "'timeout' must be a non-negative number";

describe("Queue", () => {
  it("Queue() is unbounded and starts empty", () => {
    const q = new Queue();
    assert.equal(q.maxsize, 0);
    assert.equal(q.qsize(), 0);
    assert.equal(q.empty(), true);
    assert.equal(q.full(), false);
    for (let i = 0; i < 1000; i++) q.putNowait(i);
    assert.equal(q.full(), false);
    assert.equal(q.qsize(), 1000);
    assert.equal(String(q), "<queue.Queue object>");
  });

  it("Queue(maxsize) and Queue({ maxsize }) bound the queue", () => {
    for (const q of [new Queue(2), new Queue({ maxsize: 2 })]) {
      assert.equal(q.maxsize, 2);
      q.putNowait("a");
      assert.equal(q.full(), false);
      q.putNowait("b");
      assert.equal(q.full(), true);
      assert.throws(() => q.putNowait("c"), Full);
      assert.equal(q.getNowait(), "a");
      assert.equal(q.full(), false);
    }
    assert.equal(new Queue(-3).maxsize, 0);
    assert.equal(new Queue({}).maxsize, 0);
  });

  it("Queue() rejects a maxsize that is not a number", () => {
    assert.throws(() => new Queue("3" as never), TypeError);
    assert.throws(() => new Queue(NaN), TypeError);
  });

  it("Queue.get() returns items first in, first out", async () => {
    const q = new Queue<number>();
    for (let i = 0; i < 100; i++) await q.put(i);
    for (let i = 0; i < 50; i++) assert.equal(await q.get(), i);
    for (let i = 100; i < 300; i++) q.putSync(i); // the ring wraps and grows
    for (let i = 50; i < 300; i++) assert.equal(q.getSync(), i);
    assert.equal(q.empty(), true);
  });

  it("Queue.queue is a snapshot in FIFO order", () => {
    const q = new Queue<unknown>();
    q.putNowait(1);
    q.putNowait("two");
    q.putNowait([3]);
    const snap = q.queue;
    assert.deepEqual(snap, [1, "two", [3]]);
    (snap[2] as number[]).push(4);
    assert.deepEqual(q.queue, [1, "two", [3]]);
    assert.equal(q.qsize(), 3);
  });

  it("Queue.getNowait() throws Empty and Queue.putNowait() throws Full", () => {
    const q = new Queue(1);
    assert.throws(() => q.getNowait(), Empty);
    assert.throws(() => q.getSync({ block: false }), Empty);
    q.putNowait(1);
    assert.throws(() => q.putNowait(2), Full);
    assert.throws(() => q.putSync(2, { block: false }), Full);
    assert.throws(() => q.putSync(2, { timeout: 0 }), Full);
  });

  it("Queue.get({ block: false }) and put({ block: false }) reject at once", async () => {
    const q = new Queue(1);
    await assert.rejects(q.get({ block: false }), Empty);
    await assert.rejects(q.get({ timeout: 0 }), Empty);
    await q.put(1, { block: false });
    await assert.rejects(q.put(2, { block: false }), Full);
    // block: false ignores the timeout, as in Python.
    await assert.rejects(q.put(2, { block: false, timeout: -1 }), Full);
  });

  it("Queue.get({ timeout }) rejects with Empty on time", async () => {
    const q = new Queue();
    let t0 = performance.now();
    await assert.rejects(q.get({ timeout: 0.05 }), Empty);
    let dt = performance.now() - t0;
    assert.ok(dt >= 45 && dt < 1000, `waited ${dt} ms`);
    t0 = performance.now();
    assert.throws(() => q.getSync({ timeout: 0.03 }), Empty);
    dt = performance.now() - t0;
    assert.ok(dt >= 25 && dt < 1000, `waited ${dt} ms`);
    assert.equal(waiters(q, "get"), 0);
  });

  it("Queue.put({ timeout }) rejects with Full on time", async () => {
    const q = new Queue(1);
    q.putNowait(0);
    let t0 = performance.now();
    await assert.rejects(q.put(1, { timeout: 0.05 }), Full);
    let dt = performance.now() - t0;
    assert.ok(dt >= 45 && dt < 1000, `waited ${dt} ms`);
    t0 = performance.now();
    assert.throws(() => q.putSync(1, { timeout: 0.03 }), Full);
    dt = performance.now() - t0;
    assert.ok(dt >= 25 && dt < 1000, `waited ${dt} ms`);
    assert.equal(waiters(q, "put"), 0);
    assert.deepEqual(q.queue, [0]);
  });

  it("Queue.get() and put() reject a negative timeout with ValueError", async () => {
    const q = new Queue(1);
    await assert.rejects(q.get({ timeout: -1 }), isError(ValueError, NEG));
    assert.throws(() => q.getSync({ timeout: -0.5 }), isError(ValueError, NEG));
    await assert.rejects(q.put(1, { timeout: -1 }), isError(ValueError, NEG));
    assert.throws(
      () => q.putSync(1, { timeout: NaN }),
      isError(ValueError, NEG),
    );
    assert.equal(q.qsize(), 0);
  });

  it("Queue.get() rejects options of the wrong type with TypeError", async () => {
    const q = new Queue();
    await assert.rejects(q.get(5 as never), TypeError);
    assert.throws(() => q.getSync({ timeout: "1" as never }), TypeError);
  });

  it("Queue.put() rejects items structured clone cannot carry", async () => {
    const q = new Queue();
    await assert.rejects(q.put(() => 1), TypeError);
    assert.throws(() => q.putNowait(Symbol("s")), TypeError);
    assert.throws(() => q.putNowait({ f() {} }), TypeError);
    assert.throws(() => q.putNowait(new SharedArrayBuffer(8)), TypeError);
    assert.throws(() => q.putNowait(new Queue()), TypeError);
    assert.throws(() => q.putNowait({ nested: [new Queue()] }), TypeError);
    assert.equal(q.qsize(), 0);
  });

  it("Queue.get() returns copies of every kind of item", () => {
    const q = new Queue<unknown>();
    const lone = "a\ud800b";
    const items: unknown[] = [
      0,
      -0,
      1.5,
      NaN,
      -Infinity,
      2 ** 53,
      "",
      "plain",
      "héllo wörld",
      "日本語 🎉",
      lone,
      "x".repeat(100_000),
      "\u2603".repeat(10_000),
      0n,
      -(10n ** 40n),
      2n ** 200n,
      true,
      false,
      null,
      undefined,
      [1, [2, "3"]],
      { a: 1, b: { c: [null] } },
      new Map<unknown, unknown>([[1, "a"], ["b", { c: 2 }]]),
      new Set([1, "2"]),
      new Date(12345),
      /re+/gi,
      new Uint8Array([1, 2, 3]),
      new Float64Array([1.5, -2]),
      new ArrayBuffer(4),
      new RangeError("boom"),
    ];
    for (const item of items) q.putNowait(item);
    const got = items.map(() => q.getNowait());
    for (let i = 0; i < items.length; i++) {
      if (items[i] instanceof Error) {
        const e = got[i] as Error;
        assert.ok(e instanceof Error);
        assert.equal(e.message, "boom");
      } else assert.deepEqual(got[i], items[i], `item ${i}`);
    }
    assert.ok(Object.is(got[1], -0));
    assert.equal(got[10], lone);
    const obj = { a: 1 };
    q.putNowait(obj);
    const copy = q.getNowait();
    assert.notEqual(copy, obj);
    assert.deepEqual(copy, obj);
  });

  it("Queue.get() waits for a put without blocking the event loop", async () => {
    const q = new Queue<string>();
    let ticks = 0;
    const timer = setInterval(() => ticks++, 5);
    setTimeout(() => q.putNowait("late"), 60);
    assert.equal(await q.get(), "late");
    clearInterval(timer);
    assert.ok(ticks >= 2, `event loop ran ${ticks} ticks`);
  });

  it("Queue.put() waits for room without blocking the event loop", async () => {
    const q = new Queue<number>(1);
    q.putNowait(1);
    setTimeout(() => q.getNowait(), 40);
    await q.put(2, { timeout: 5 });
    assert.deepEqual(q.queue, [2]);
  });

  it("Queue.get() serves blocked getters in arrival order", async () => {
    const q = new Queue<number>();
    const got: string[] = [];
    const getters = ["a", "b", "c"].map((name) =>
      q.get().then((v) => got.push(`${name}${v}`))
    );
    assert.equal(waiters(q, "get"), 3);
    q.putNowait(1);
    // The item is set aside for the oldest getter: a newcomer cannot take it.
    assert.throws(() => q.getNowait(), Empty);
    q.putNowait(2);
    q.putNowait(3);
    await Promise.all(getters);
    assert.deepEqual(got, ["a1", "b2", "c3"]);
  });

  it("Queue.put() serves blocked putters in arrival order", async () => {
    const q = new Queue<string>(1);
    q.putNowait("first");
    const putters = ["a", "b", "c"].map((x) => q.put(x));
    assert.equal(waiters(q, "put"), 3);
    assert.equal(q.getNowait(), "first");
    // The free place is set aside for the oldest putter.
    assert.throws(() => q.putNowait("newcomer"), Full);
    const got = [];
    for (let i = 0; i < 3; i++) got.push(await q.get());
    await Promise.all(putters);
    assert.deepEqual(got, ["a", "b", "c"]);
  });

  it("Queue.get() that timed out gives its turn to the next getter", async () => {
    const q = new Queue<number>();
    const early = q.get({ timeout: 0.02 });
    const late = q.get({ timeout: 5 });
    await assert.rejects(early, Empty);
    q.putNowait(7);
    assert.equal(await late, 7);
    assert.equal(waiters(q, "get"), 0);
  });

  it("Queue.taskDone() and join() track unfinished tasks", async () => {
    const q = new Queue<number>();
    await q.join(); // nothing put: returns at once
    q.joinSync();
    q.putNowait(1);
    q.putNowait(2);
    assert.equal(q.unfinishedTasks, 2);
    let joined = false;
    const j = q.join().then(() => joined = true);
    q.getNowait();
    q.taskDone();
    await sleep(20);
    assert.equal(joined, false);
    q.getNowait();
    q.taskDone();
    await j;
    assert.equal(joined, true);
    q.joinSync();
  });

  it("Queue.taskDone() called too often throws ValueError", () => {
    const q = new Queue();
    assert.throws(
      () => q.taskDone(),
      isError(ValueError, "task_done() called too many times"),
    );
    q.putNowait(1);
    q.taskDone();
    assert.throws(() => q.taskDone(), ValueError);
  });

  it("Queue.shutdown() makes put throw ShutDown and lets get drain", async () => {
    const q = new Queue<number>();
    q.putNowait(1);
    q.putNowait(2);
    assert.equal(q.isShutdown, false);
    q.shutdown();
    assert.equal(q.isShutdown, true);
    assert.throws(() => q.putNowait(3), ShutDown);
    await assert.rejects(q.put(3), ShutDown);
    assert.equal(q.getNowait(), 1);
    assert.equal(await q.get(), 2);
    assert.throws(() => q.getNowait(), ShutDown);
    await assert.rejects(q.get(), ShutDown);
    await assert.rejects(q.get({ timeout: 1 }), ShutDown);
    assert.equal(q.unfinishedTasks, 2);
  });

  it("Queue.shutdown() wakes blocked getters and putters with ShutDown", async () => {
    const empty = new Queue();
    const getters = [empty.get(), empty.get({ timeout: 10 })];
    const full = new Queue(1);
    full.putNowait(0);
    const putters = [full.put(1), full.put(2, { timeout: 10 })];
    assert.equal(waiters(empty, "get"), 2);
    assert.equal(waiters(full, "put"), 2);
    const t0 = performance.now();
    setTimeout(() => {
      empty.shutdown();
      full.shutdown();
    }, 20);
    for (const p of [...getters, ...putters]) await assert.rejects(p, ShutDown);
    assert.ok(performance.now() - t0 < 2000);
    assert.deepEqual(full.queue, [0]);
  });

  it("Queue.shutdown({ immediate: true }) drops items and releases join", async () => {
    const q = new Queue<number>(5);
    for (let i = 0; i < 5; i++) q.putNowait(i);
    const blockedPut = q.put(9);
    const blockedPut2 = q.put(10);
    q.getNowait(); // one task taken, not done; put(9) moves in at once
    let joined = false;
    const j = q.join().then(() => joined = true);
    q.shutdown({ immediate: true });
    await blockedPut;
    await assert.rejects(blockedPut2, ShutDown);
    assert.equal(q.qsize(), 0);
    assert.deepEqual(q.queue, []);
    assert.equal(q.unfinishedTasks, 1);
    assert.throws(() => q.getNowait(), ShutDown);
    await sleep(10);
    assert.equal(joined, false);
    q.taskDone();
    await j;
    assert.throws(() => q.taskDone(), ValueError);
  });

  it("Queue.shutdown({ immediate: true }) takes back an item handed to a getter", async () => {
    const q = new Queue<number>();
    const g = q.get();
    q.putNowait(1); // handed to g, which has not run yet
    assert.equal(q.unfinishedTasks, 1);
    q.shutdown({ immediate: true });
    await assert.rejects(g, ShutDown);
    assert.equal(q.unfinishedTasks, 0);
  });

  it("Queue.shutdown() lets a getter keep an item handed to it", async () => {
    const q = new Queue<number>();
    const g = q.get();
    q.putNowait(1);
    q.shutdown();
    assert.equal(await g, 1);
  });

  it("Queue.put() that timed out takes its item back", async () => {
    const q = new Queue<string>(1);
    q.putNowait("kept");
    await assert.rejects(q.put("dropped", { timeout: 0.01 }), Full);
    assert.throws(() => q.putSync("dropped", { timeout: 0.01 }), Full);
    assert.deepEqual(q.queue, ["kept"]);
    assert.equal(q.getNowait(), "kept");
    assert.throws(() => q.getNowait(), Empty);
    assert.equal(q.unfinishedTasks, 1);
  });

  it("Queue[Symbol.asyncIterator]() drains until shutdown", async () => {
    const q = new Queue<number>();
    setTimeout(async () => {
      for (let i = 0; i < 5; i++) await q.put(i);
      q.shutdown();
    }, 5);
    const seen: number[] = [];
    for await (const item of q) {
      seen.push(item);
      q.taskDone();
    }
    assert.deepEqual(seen, [0, 1, 2, 3, 4]);
    await q.join();
  });

  it("Queue.put() and get() keep order over many async rounds", async () => {
    const q = new Queue<number>(3);
    const producer = (async () => {
      for (let i = 0; i < 200; i++) await q.put(i);
    })();
    for (let i = 0; i < 200; i++) assert.equal(await q.get(), i);
    await producer;
  });

  it("Queue.get() of a deadline-less waiter is found by a later put", async () => {
    const q = new Queue<number>();
    const g = q.get();
    await until(() => waiters(q, "get") === 1);
    await sleep(150); // past one waitAsync slice
    q.putNowait(42);
    assert.equal(await g, 42);
  });
});

after(() => assertNoLeaks());
