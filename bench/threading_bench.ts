// deno bench -A bench/threading_bench.ts
// Single-thread costs of the threading primitives, with the bare Atomics
// pair as the baseline; cross-worker numbers come from threading_compare.ts.
import { Event, Lock, RLock, Semaphore, Thread } from "../threading/mod.ts";

const lock = new Lock();
const rlock = new RLock();
const sem = new Semaphore(1);
const event = new Event();
const raw = new Int32Array(new SharedArrayBuffer(4));

Deno.bench("bare Atomics.compareExchange + Atomics.store", {
  group: "uncontended",
  baseline: true,
}, () => {
  Atomics.compareExchange(raw, 0, 0, 1);
  Atomics.store(raw, 0, 0);
});

Deno.bench("Lock.acquireSync() + release()", { group: "uncontended" }, () => {
  lock.acquireSync();
  lock.release();
});

Deno.bench("RLock.acquireSync() + release()", { group: "uncontended" }, () => {
  rlock.acquireSync();
  rlock.release();
});

Deno.bench(
  "Semaphore.acquireSync() + release()",
  { group: "uncontended" },
  () => {
    sem.acquireSync();
    sem.release();
  },
);

Deno.bench(
  "await Lock.acquire() + release()",
  { group: "uncontended-async" },
  async () => {
    await lock.acquire();
    lock.release();
  },
);

Deno.bench("Event.set() + clear() + isSet()", { group: "event" }, () => {
  event.set();
  event.clear();
  event.isSet();
});

Deno.bench(
  "Thread start + join (empty target)",
  { group: "thread", n: 20 },
  async () => {
    const t = new Thread({ target: () => {} });
    t.start();
    await t.join();
  },
);
