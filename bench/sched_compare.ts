// sched: enter + run cost per event with a fake clock, on Deno or Bun.
// Usage: deno run -A bench/sched_compare.ts [--json]  |  bun bench/sched_compare.ts [--json]
// The CPython side is bench/sched_py.py; both build the same schedule.
import { scheduler } from "../sched/mod.ts";

const runtime = "Bun" in globalThis
  ? `bun ${(globalThis as unknown as { Bun: { version: string } }).Bun.version}`
  : `deno ${
    (globalThis as unknown as { Deno: { version: { deno: string } } }).Deno
      .version.deno
  }`;

/**
 * One round: n events at times that are a permutation of 0..n-1 (so the heap
 * sees every order), priorities 0..2, a no-op action, then a full run on a
 * simulated clock. Returns seconds spent entering and running.
 */
function round(n: number, mode: "runSync" | "run" | "cancel") {
  let now = 0;
  const s = new scheduler(() => now, (d) => {
    now += d;
  });
  let count = 0;
  const action = () => {
    count++;
  };
  const t0 = performance.now();
  const events = mode === "cancel" ? new Array(n) : undefined;
  for (let i = 0; i < n; i++) {
    const e = s.enterabs((i * 2654435761) % n, i % 3, action);
    if (events) events[i] = e;
  }
  const t1 = performance.now();
  if (events) { for (let i = 0; i < n; i += 4) s.cancel(events[i]); }
  const t2 = performance.now();
  const done = mode === "run" ? s.run().then(() => performance.now()) : null;
  if (mode !== "run") s.runSync();
  const finish = (t3: number) => {
    const expected = mode === "cancel" ? n - Math.ceil(n / 4) : n;
    if (count !== expected) throw new Error(`ran ${count} of ${expected}`);
    return {
      enter: (t1 - t0) / 1000,
      cancel: (t2 - t1) / 1000,
      run: (t3 - t2) / 1000,
    };
  };
  return done ? done.then(finish) : Promise.resolve(finish(performance.now()));
}

const json = (globalThis as unknown as { process?: { argv: string[] } })
  .process?.argv.includes("--json");
const results: Record<string, unknown>[] = [];
const cases: [number, "runSync" | "run" | "cancel"][] = [
  [100_000, "runSync"],
  [100_000, "run"],
  [1_000_000, "runSync"],
  [1_000_000, "run"],
  // The sizes CPython's O(n) cancel can manage, then the large ones.
  [10_000, "cancel"],
  [20_000, "cancel"],
  [100_000, "cancel"],
  [1_000_000, "cancel"],
];
for (const [n, mode] of cases) {
  const reps = n >= 1_000_000 ? 5 : 15;
  await round(n, mode); // warm-up
  const times: number[] = [];
  let best = { enter: 0, cancel: 0, run: 0 };
  for (let r = 0; r < reps; r++) {
    const t = await round(n, mode);
    const total = t.enter + t.cancel + t.run;
    if (!times.length || total < Math.min(...times)) best = t;
    times.push(total);
  }
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)];
  const row = {
    runtime,
    case: mode === "cancel" ? "enter+cancel 1/4+runSync" : `enter+${mode}`,
    n,
    medianSeconds: median,
    eventsPerSecond: Math.round(n / median),
    bestEnterNsPerEvent: Math.round(best.enter / n * 1e9),
    bestRunNsPerEvent: Math.round(best.run / n * 1e9),
  };
  results.push(row);
  if (!json) {
    console.log(
      `${runtime.padEnd(12)} ${row.case.padEnd(26)} n=${
        String(n).padStart(7)
      }  ${row.eventsPerSecond.toLocaleString("en-US").padStart(11)} events/s` +
        `  (median ${
          (median * 1000).toFixed(1)
        } ms; enter ${row.bestEnterNsPerEvent} ns, run ${row.bestRunNsPerEvent} ns per event)`,
    );
  }
}
if (json) console.log(JSON.stringify(results));
