// A program as a user writes it: it imports the library only by its published
// names, and touches every module once. scripts/consumer.mjs copies it into a
// scratch folder outside the repo and runs it from the published forms; each
// line it prints is compared with expected.txt beside it.
import { freezeSupport } from "@pyconc/pyconc";
import { Lock, Thread } from "@pyconc/pyconc/threading";
import { Queue } from "@pyconc/pyconc/queue";
import {
  ProcessPoolExecutor,
  ThreadPoolExecutor,
} from "@pyconc/pyconc/futures";
import {
  Pool,
  Process,
  Queue as ProcessQueue,
  Value,
} from "@pyconc/pyconc/multiprocessing";
import { run } from "@pyconc/pyconc/subprocess";
import { scheduler } from "@pyconc/pyconc/sched";

// In a compiled binary, workers and children start this same program; this
// line makes them run the library's work instead of the code below.
await freezeSupport();

const lock = new Lock();
const count = new Int32Array(new SharedArrayBuffer(4));
const threads = Array.from({ length: 4 }, () =>
  new Thread({
    target: (lock: Lock, count: Int32Array) => {
      for (let i = 0; i < 500; i++) {
        lock.acquireSync();
        count[0] += 1;
        lock.release();
      }
    },
    args: [lock, count],
  }));
for (const t of threads) t.start();
for (const t of threads) await t.join();
console.log(`threading: ${count[0]}`);

const q = new Queue<number>();
const producer = new Thread({
  target: (q: Queue<number>) => {
    for (let i = 1; i <= 5; i++) q.putSync(i * i);
    q.putSync(-1);
  },
  args: [q],
});
producer.start();
const got: number[] = [];
for (let v = await q.get(); v !== -1; v = await q.get()) got.push(v);
await producer.join();
console.log(`queue: ${got.join(" ")}`);

{
  await using ex = new ThreadPoolExecutor({ maxWorkers: 2 });
  const results = [];
  for await (const r of ex.map((n: number) => n * 3, [1, 2, 3])) {
    results.push(r);
  }
  console.log(`thread pool: ${results.join(" ")}`);
}

{
  await using ex = new ProcessPoolExecutor({ maxWorkers: 2 });
  const f = ex.submit((a: number, b: number) => a ** b, 2, 10);
  console.log(`process pool: ${await f.result()}`);
}

{
  await using pool = new Pool(2);
  console.log(
    `mp pool: ${(await pool.map((x: number) => x + 1, [1, 2, 3])).join(" ")}`,
  );
}

{
  const value = new Value("i", 0);
  const pq = new ProcessQueue<string>();
  const p = new Process({
    target: (v: Value, q: ProcessQueue<string>) => {
      v.value = 42;
      q.putSync("hello from the child");
    },
    args: [value, pq],
  });
  await p.start();
  const msg = await pq.get();
  await p.join();
  console.log(`process: ${msg}, value ${value.value}, exitcode ${p.exitcode}`);
}

const cp = await run(["echo", "subprocess ok"], {
  captureOutput: true,
  text: true,
});
console.log(`subprocess: ${String(cp.stdout).trim()} (${cp.returncode})`);

const order: string[] = [];
const s = new scheduler();
s.enter(0.02, 1, (name: string) => order.push(name), ["second"]);
s.enter(0.01, 1, (name: string) => order.push(name), ["first"]);
await s.run();
console.log(`sched: ${order.join(" ")}`);
console.log("done");
