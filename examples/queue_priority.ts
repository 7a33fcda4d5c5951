// PriorityQueue as in Python's queue docs: numbers, (priority, data) tuples, q.queue as heapq's array, and a custom order.
//
// The Python version (prints exactly what this program prints):
//
//     import queue
//     from dataclasses import dataclass, field
//     from typing import Any
//
//     q = queue.PriorityQueue()
//     for n in [5, 1, 4, 2, 3]:
//         q.put(n)
//     print(q.queue)
//     print([q.get() for _ in range(q.qsize())])
//
//     q = queue.PriorityQueue()
//     q.put((2, 'code'))
//     q.put((1, 'eat'))
//     q.put((3, 'sleep'))
//     q.put((1, 'breakfast'))
//     print(q.queue)
//     while not q.empty():
//         print(q.get())
//
//     q = queue.PriorityQueue()
//     q.put((1, {'task': 'a'}))
//     try:
//         q.put((1, {'task': 'b'}))
//     except TypeError as e:
//         print('TypeError:', e)
//
//     @dataclass(order=True)
//     class PrioritizedItem:
//         priority: int
//         item: Any = field(compare=False)
//
//     q = queue.PriorityQueue()
//     q.put(PrioritizedItem(2, {'task': 'b'}))
//     q.put(PrioritizedItem(1, {'task': 'a'}))
//     q.put(PrioritizedItem(1, {'task': 'c'}))
//     while not q.empty():
//         e = q.get()
//         print(e.priority, e.item)
//
// Arrays stand for tuples and compare the same way; `q.queue` is the heap
// array itself, the same one CPython's heapq builds. Python's dataclass
// trick for data that cannot be compared becomes the `compare` option.
import { PriorityQueue } from "../queue/mod.ts";

/** Python's repr of the values used here: arrays print as tuples. */
function repr(v: unknown): string {
  if (typeof v === "string") return `'${v}'`;
  if (Array.isArray(v)) {
    return v.length === 1 ? `(${repr(v[0])},)` : `(${v.map(repr).join(", ")})`;
  }
  if (v && typeof v === "object") {
    return `{${
      Object.entries(v).map(([k, x]) => `${repr(k)}: ${repr(x)}`).join(", ")
    }}`;
  }
  return String(v);
}
const list = (items: unknown[]) => `[${items.map(repr).join(", ")}]`;

const numbers = new PriorityQueue<number>();
for (const n of [5, 1, 4, 2, 3]) await numbers.put(n);
console.log(list(numbers.queue));
const drained = [];
for (let i = numbers.qsize(); i > 0; i--) drained.push(await numbers.get());
console.log(list(drained));

const tasks = new PriorityQueue<[number, string]>();
await tasks.put([2, "code"]);
await tasks.put([1, "eat"]);
await tasks.put([3, "sleep"]);
await tasks.put([1, "breakfast"]);
console.log(list(tasks.queue));
while (!tasks.empty()) console.log(repr(await tasks.get()));

const dicts = new PriorityQueue<[number, { task: string }]>();
await dicts.put([1, { task: "a" }]);
try {
  await dicts.put([1, { task: "b" }]);
} catch (e) {
  console.log("TypeError:", (e as TypeError).message);
}

type Prioritized = { priority: number; item: { task: string } };
const prioritized = new PriorityQueue<Prioritized>({
  compare: (a, b) => a.priority - b.priority,
});
await prioritized.put({ priority: 2, item: { task: "b" } });
await prioritized.put({ priority: 1, item: { task: "a" } });
await prioritized.put({ priority: 1, item: { task: "c" } });
while (!prioritized.empty()) {
  const e = await prioritized.get();
  console.log(e.priority, repr(e.item));
}
