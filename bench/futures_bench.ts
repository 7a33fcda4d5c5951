// futures micro-benchmarks for `deno bench`:
//   deno bench -A bench/futures_bench.ts
// One task's round trip and a batch of 1,000 tiny tasks on each executor,
// and the cost of a Future by itself. The pools are started before the
// benchmarks and are idle (so unref'd) between them.
import {
  Future,
  ProcessPoolExecutor,
  ThreadPoolExecutor,
  wait,
} from "../futures/mod.ts";

const inc = (x: number) => x + 1;
const threads = new ThreadPoolExecutor({ maxWorkers: 2 });
const processes = new ProcessPoolExecutor({ maxWorkers: 2 });
for (const ex of [threads, processes]) {
  await Promise.all([ex.submit(inc, 0), ex.submit(inc, 0)]);
  for (let i = 0; i < 200; i++) await ex.submit(inc, i);
}

Deno.bench(
  "Future: create, setResult, await",
  { group: "future" },
  async () => {
    const f = new Future<number>();
    f.setRunningOrNotifyCancel();
    f.setResult(1);
    await f;
  },
);

Deno.bench("wait() on 100 done futures", { group: "future" }, async () => {
  const fs = Array.from({ length: 100 }, () => {
    const f = new Future<number>();
    f.setResult(1);
    return f;
  });
  await wait(fs);
});

Deno.bench(
  "ThreadPoolExecutor: one task round trip",
  { group: "round trip", baseline: true },
  async () => {
    await threads.submit(inc, 1);
  },
);

Deno.bench(
  "ProcessPoolExecutor: one task round trip",
  { group: "round trip" },
  async () => {
    await processes.submit(inc, 1);
  },
);

Deno.bench(
  "ThreadPoolExecutor: 1,000 tiny tasks",
  { group: "1,000 tasks", baseline: true },
  async () => {
    const fs = new Array(1000);
    for (let i = 0; i < 1000; i++) fs[i] = threads.submit(inc, i);
    await Promise.all(fs);
  },
);

Deno.bench(
  "ProcessPoolExecutor: 1,000 tiny tasks",
  { group: "1,000 tasks" },
  async () => {
    const fs = new Array(1000);
    for (let i = 0; i < 1000; i++) fs[i] = processes.submit(inc, i);
    await Promise.all(fs);
  },
);

Deno.bench(
  "ThreadPoolExecutor: map over 1,000 items",
  { group: "1,000 tasks" },
  async () => {
    for await (
      const _ of threads.map(
        inc,
        Array.from({ length: 1000 }, (_, i) => i),
      )
    ) {
      // drain
    }
  },
);
