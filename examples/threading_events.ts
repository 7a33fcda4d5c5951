// threading: a worker pool fed through a Condition, with an Event to stop and a Barrier to start together.
import { Barrier, Condition, Event, Thread } from "../threading/mod.ts";

const cond = new Condition();
const jobs = new Int32Array(new SharedArrayBuffer(4 * 3)); // [0] next job, [1] last job, [2] sum of squares
const stop = new Event();
const start = new Barrier(4);

function worker(
  cond: Condition,
  jobs: Int32Array,
  stop: Event,
  start: Barrier,
): void {
  start.waitSync();
  for (;;) {
    cond.acquireSync();
    cond.waitForSync(() => jobs[0] < jobs[1] || stop.isSet());
    if (jobs[0] >= jobs[1]) {
      cond.release();
      return;
    }
    const n = ++jobs[0];
    cond.release();
    Atomics.add(jobs, 2, n * n);
  }
}

const threads = Array.from(
  { length: 3 },
  (_, i) =>
    new Thread({
      target: worker,
      args: [cond, jobs, stop, start],
      name: `worker-${i}`,
    }),
);
for (const t of threads) t.start();
const index = await start.wait();
console.log(`all ${start.parties} parties started (main arrived as #${index})`);

await cond.acquire();
jobs[1] = 100;
cond.notifyAll();
cond.release();

stop.set();
await cond.acquire();
cond.notifyAll();
cond.release();
for (const t of threads) await t.join();
console.log(
  "sum of squares 1..100 =",
  Atomics.load(jobs, 2),
  "(expected 338350)",
);
