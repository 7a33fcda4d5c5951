// deno bench -A bench/queue_bench.ts
// Single-thread costs of the queue classes: one put plus one get per
// iteration, with a plain JS array (push + shift) as the baseline for what
// a thread-local queue costs; worker-to-worker numbers and CPython's come
// from bench/queue_compare.ts.
import { LifoQueue, PriorityQueue, Queue, SimpleQueue } from "../queue/mod.ts";

const arr: unknown[] = [];
const q = new Queue();
const lifo = new LifoQueue();
const simple = new SimpleQueue();
const bounded = new Queue(100);
const prio = new PriorityQueue<number>();
const prioTuples = new PriorityQueue<[number, string]>();
for (let i = 0; i < 1000; i++) {
  prio.putNowait((i * 7919) % 1000);
  prioTuples.putNowait([(i * 7919) % 1000, `task ${i}`]);
}
const small = { id: 1, name: "item", tags: ["a", "b"] };
const mixed = { when: new Date(0), data: new Map([[1, 2]]) };
const buf = new Uint8Array(65536);
let i = 0;

Deno.bench("array.push() + shift(), number", {
  group: "number",
  baseline: true,
}, () => {
  arr.push(i++);
  arr.shift();
});
Deno.bench("Queue.putSync() + getSync(), number", { group: "number" }, () => {
  q.putSync(i++);
  q.getSync();
});
Deno.bench(
  "Queue.putNowait() + getNowait(), number",
  { group: "number" },
  () => {
    q.putNowait(i++);
    q.getNowait();
  },
);
Deno.bench(
  "Queue(100).putSync() + getSync(), number",
  { group: "number" },
  () => {
    bounded.putSync(i++);
    bounded.getSync();
  },
);
Deno.bench(
  "LifoQueue.putSync() + getSync(), number",
  { group: "number" },
  () => {
    lifo.putSync(i++);
    lifo.getSync();
  },
);
Deno.bench(
  "SimpleQueue.putSync() + getSync(), number",
  { group: "number" },
  () => {
    simple.putSync(i++);
    simple.getSync();
  },
);
Deno.bench(
  "await Queue.put() + get(), number",
  { group: "number" },
  async () => {
    await q.put(i++);
    await q.get();
  },
);

Deno.bench(
  "Queue.putSync() + getSync(), short string",
  { group: "string" },
  () => {
    q.putSync("item 12345");
    q.getSync();
  },
);
Deno.bench(
  "Queue.putSync() + getSync(), small object",
  { group: "object" },
  () => {
    q.putSync(small);
    q.getSync();
  },
);
Deno.bench("structuredClone(), small object", {
  group: "object",
  baseline: true,
}, () => {
  structuredClone(small);
});
Deno.bench("Queue.putSync() + getSync(), Date + Map (node:v8 path)", {
  group: "object",
}, () => {
  q.putSync(mixed);
  q.getSync();
});
Deno.bench("Queue.putSync() + getSync(), 64 KiB Uint8Array", {
  group: "buffer",
}, () => {
  q.putSync(buf);
  q.getSync();
});
Deno.bench("structuredClone(), 64 KiB Uint8Array", {
  group: "buffer",
  baseline: true,
}, () => {
  structuredClone(buf);
});

Deno.bench("PriorityQueue(1000 numbers).putSync() + getSync()", {
  group: "priority",
}, () => {
  prio.putSync((i++ * 7919) % 1000);
  prio.getSync();
});
Deno.bench("PriorityQueue(1000 tuples).putSync() + getSync()", {
  group: "priority",
}, () => {
  prioTuples.putSync([(i++ * 7919) % 1000, "task"]);
  prioTuples.getSync();
});
