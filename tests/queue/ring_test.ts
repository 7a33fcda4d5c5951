/**
 * The lock-free ring of unbounded FIFO queues (queue/_ring.ts) and its
 * overflow: order, wrap-around, mixed sizes, shutdown and many threads.
 *
 * @module
 */
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { Empty, Queue, ShutDown, SimpleQueue } from "../../queue/mod.ts";
import { RING_SLOTS, SLOT_PAYLOAD } from "../../queue/_ring.ts";
import { SHORT_STRING } from "../../queue/_core.ts";
import { Thread } from "../../threading/mod.ts";
import { assertNoLeaks } from "../_leaks.ts";
import { isError, waiters } from "./_util.ts";

/** Item `i` of a mix: ring-sized and overflow-sized, of every fast-path kind. */
function mixed(i: number): unknown {
  switch (i % 9) {
    case 0:
      return i;
    case 1:
      return `item ${i}`;
    case 2:
      return "L".repeat(SLOT_PAYLOAD + 1 + (i % 50)); // too large for a slot
    case 3:
      return BigInt(i) * 10n ** 30n; // always the overflow
    case 4:
      return { id: i, name: "item", tags: ["a", "b"] };
    case 5:
      return i % 2 === 0;
    case 6:
      return i % 4 === 0 ? null : undefined;
    case 7:
      return "é\u2603".repeat(i % 40); // UTF-16, up to 80 units
    default:
      return [i, "x".repeat(i % 200)];
  }
}

describe("Queue ring", () => {
  it("Queue keeps FIFO order through the ring, its overflow and back, many laps over", () => {
    for (const q of [new Queue(), new SimpleQueue()]) {
      let put = 0;
      let got = 0;
      // Bursts larger and smaller than the ring, so items wrap around it,
      // overflow it and return to it.
      for (const burst of [5, RING_SLOTS + 7, 3, 3 * RING_SLOTS, 1, 700]) {
        for (let k = 0; k < burst; k++) q.putNowait(mixed(put++));
        assert.equal(q.qsize(), put - got);
        const half = Math.ceil((put - got) / 2);
        for (let k = 0; k < half; k++) {
          assert.deepEqual(q.getNowait(), mixed(got), `item ${got}`);
          got++;
        }
      }
      while (got < put) {
        assert.deepEqual(q.getNowait(), mixed(got), `item ${got}`);
        got++;
      }
      assert.equal(q.qsize(), 0);
      assert.throws(() => q.getNowait(), Empty);
    }
  });

  it("Queue.putSync() writes short strings into the ring exactly, in either encoding", () => {
    const q = new SimpleQueue<string>();
    const strings = [
      "",
      "ÿ",
      "Ā",
      "abc\u0100",
      "\u0100abc",
      "a\ud800b",
      // Every Latin-1 code unit, 0x80-0x9f included (where windows-1252
      // differs), in slot-sized pieces.
      ...Array.from(
        { length: Math.ceil(256 / SHORT_STRING) },
        (_, k) =>
          String.fromCharCode(
            ...Array.from(
              { length: Math.min(SHORT_STRING, 256 - k * SHORT_STRING) },
              (_, i) => k * SHORT_STRING + i,
            ),
          ),
      ),
      "x".repeat(SHORT_STRING),
      "é\u2603".repeat(SHORT_STRING / 2),
      "y".repeat(SHORT_STRING + 1),
      "\u2603".repeat(SHORT_STRING + 1),
    ];
    for (const str of strings) q.putSync(str);
    assert.deepEqual(q.queue, strings);
    for (const str of strings) assert.equal(q.getSync(), str);
  });

  it("Queue.queue lists the ring's items before the overflow's", () => {
    const q = new Queue();
    const items = Array.from({ length: RING_SLOTS + 40 }, (_, i) => mixed(i));
    for (const x of items) q.putNowait(x);
    assert.deepEqual(q.queue, items);
    q.getNowait();
    assert.deepEqual(q.queue, items.slice(1));
  });

  it("Queue counts items put through the ring for taskDone() and join()", async () => {
    const q = new Queue<number>();
    for (let i = 0; i < RING_SLOTS + 10; i++) q.putNowait(i);
    assert.equal(q.unfinishedTasks, RING_SLOTS + 10);
    for (let i = 0; i < RING_SLOTS + 10; i++) {
      assert.equal(q.getNowait(), i);
      q.taskDone();
    }
    await q.join();
    assert.throws(
      () => q.taskDone(),
      isError(Error, "task_done() called too many times"),
    );
    assert.equal(q.unfinishedTasks, 0);
  });

  it("Queue.shutdown({ immediate: true }) drops the ring's items and the overflow's", async () => {
    const q = new Queue();
    for (let i = 0; i < RING_SLOTS + 5; i++) q.putNowait(mixed(i));
    q.shutdown({ immediate: true });
    assert.equal(q.qsize(), 0);
    assert.deepEqual(q.queue, []);
    assert.throws(() => q.getNowait(), ShutDown);
    assert.throws(() => q.putNowait(1), ShutDown);
    assert.equal(q.unfinishedTasks, 0);
    await q.join();
  });

  it("Queue.shutdown() lets getters drain the ring, then throws ShutDown", () => {
    const q = new Queue<string>();
    q.putNowait("a");
    q.putNowait("b");
    q.shutdown();
    assert.throws(() => q.putNowait("c"), ShutDown);
    assert.equal(q.getNowait(), "a");
    assert.equal(q.getNowait(), "b");
    assert.throws(() => q.getNowait(), ShutDown);
  });

  it("Queue.put() hands ring items to parked getters, oldest first", async () => {
    const q = new Queue<string>();
    const a = q.get();
    const b = q.get();
    assert.equal(waiters(q, "get"), 2);
    q.putNowait("first");
    q.putNowait("second");
    q.putNowait("third");
    assert.equal(await a, "first");
    assert.equal(await b, "second");
    assert.equal(q.getNowait(), "third");
    assert.equal(waiters(q, "get"), 0);
  });

  for (const kind of ["Queue", "SimpleQueue"] as const) {
    it(`${kind} carries 2 workers x 20,000 items to 2 worker consumers in each producer's order`, async () => {
      const P = 2;
      const N = 20_000;
      const q = kind === "Queue" ? new Queue<unknown>() : new SimpleQueue();
      // seen[k * N + i]: how often item i of producer k arrived; bad[0]:
      // items that came before an earlier item of the same producer.
      const seen = new Int32Array(new SharedArrayBuffer(P * N * 4));
      const bad = new Int32Array(new SharedArrayBuffer(4));
      const producers = Array.from({ length: P }, (_, k) =>
        new Thread({
          target: (q: Queue<unknown>, k: number, n: number) => {
            for (let i = 0; i < n; i++) {
              // Mixed sizes: most through the ring, some through the overflow.
              q.putSync(
                i % 3 === 0
                  ? [k, i]
                  : i % 3 === 1
                  ? `${k} ${i}`
                  : `${k} ${i} ${"y".repeat(i % 150)}`,
              );
            }
          },
          args: [q, k, N],
        }));
      const consumers = Array.from({ length: P }, () =>
        new Thread({
          target: (
            q: Queue<unknown>,
            seen: Int32Array,
            bad: Int32Array,
            n: number,
          ) => {
            const last = [-1, -1];
            for (;;) {
              const v = q.getSync();
              if (v === "stop") break;
              const [k, i] = typeof v === "string"
                ? v.split(" ").slice(0, 2).map(Number)
                : v as number[];
              if (i <= last[k]) Atomics.add(bad, 0, 1);
              last[k] = i;
              Atomics.add(seen, k * n + i, 1);
            }
          },
          args: [q, seen, bad, N],
        }));
      for (const t of [...consumers, ...producers]) t.start();
      for (const t of producers) await t.join();
      for (let i = 0; i < P; i++) await q.put("stop");
      for (const t of consumers) await t.join();
      let wrong = 0;
      for (let i = 0; i < P * N; i++) if (seen[i] !== 1) wrong++;
      assert.equal(wrong, 0, `${wrong} items lost or repeated`);
      assert.equal(bad[0], 0, `${bad[0]} items out of order`);
      assert.equal(q.qsize(), 0);
    });
  }
});

after(() => assertNoLeaks());
