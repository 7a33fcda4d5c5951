// sched: enter + run per event with a fake clock, for `deno bench -A bench/sched_bench.ts`.
// The side-by-side numbers with CPython come from bench/sched_compare.ts and bench/sched_py.py.
import { type Event, scheduler } from "../sched/mod.ts";

function fakeScheduler() {
  let now = 0;
  return new scheduler(() => now, (d) => {
    now += d;
  });
}

const noop = () => {};

function enterAndRun(n: number, cancelEvery = 0): void {
  const s = fakeScheduler();
  const events: Event[] = [];
  for (let i = 0; i < n; i++) {
    const e = s.enterabs((i * 2654435761) % n, i % 3, noop);
    if (cancelEvery) events.push(e);
  }
  if (cancelEvery) {
    for (let i = 0; i < n; i += cancelEvery) s.cancel(events[i]);
  }
  s.runSync();
}

async function enterAndRunAsync(n: number): Promise<void> {
  const s = fakeScheduler();
  for (let i = 0; i < n; i++) s.enterabs((i * 2654435761) % n, i % 3, noop);
  await s.run();
}

Deno.bench({
  name: "sched enter+runSync 100k events",
  group: "100k",
  baseline: true,
  fn: () => enterAndRun(100_000),
});
Deno.bench({
  name: "sched enter+run (async) 100k events",
  group: "100k",
  fn: () => enterAndRunAsync(100_000),
});
Deno.bench({
  name: "sched enter+cancel 1/4+runSync 100k events",
  group: "100k",
  fn: () => enterAndRun(100_000, 4),
});
Deno.bench({
  name: "sched enter+runSync 1M events",
  group: "1M",
  baseline: true,
  n: 5,
  warmup: 1,
  fn: () => enterAndRun(1_000_000),
});
Deno.bench({
  name: "sched enter+run (async) 1M events",
  group: "1M",
  n: 5,
  warmup: 1,
  fn: () => enterAndRunAsync(1_000_000),
});
Deno.bench({
  name: "sched queue snapshot of 10k events",
  group: "other",
  fn: (b) => {
    const s = fakeScheduler();
    for (let i = 0; i < 10_000; i++) s.enterabs(i % 97, i % 3, noop);
    b.start();
    s.queue;
    b.end();
  },
});
