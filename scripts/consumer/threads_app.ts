// The modules that need no permission on Deno when loaded from jsr: URLs:
// threads with a Lock, a Queue between threads, a thread pool and sched.
// scripts/consumer.mjs runs it with --allow-import for its server only.
import { Lock, Thread } from "@pyconc/pyconc/threading";
import { Queue } from "@pyconc/pyconc/queue";
import { ThreadPoolExecutor } from "@pyconc/pyconc/futures";
import { scheduler } from "@pyconc/pyconc/sched";

const lock = new Lock();
const q = new Queue<number>();
const t = new Thread({
  target: (lock: Lock, q: Queue<number>) => {
    lock.acquireSync();
    q.putSync(7);
    lock.release();
  },
  args: [lock, q],
});
t.start();
await t.join();
console.log(`thread put ${await q.get()}`);
{
  await using ex = new ThreadPoolExecutor({ maxWorkers: 2 });
  console.log(`pool ${await ex.submit((a: number) => a * 6, 7).result()}`);
}
const s = new scheduler();
s.enter(0.01, 1, () => console.log("sched ran"));
await s.run();
