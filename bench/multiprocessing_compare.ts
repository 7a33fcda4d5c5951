// The multiprocessing benchmarks side by side with CPython's, under Deno or Bun:
//   deno run -A bench/multiprocessing_compare.ts [--quick] [--no-python]
//   bun bench/multiprocessing_compare.ts [--quick] [--no-python]
// Measures (medians of several rounds), each also run by
// bench/multiprocessing_py.py with CPython's multiprocessing ("spawn" and
// "fork" start methods):
//  - Process start + join latency of an empty target (ms);
//  - Pool(2).map of tiny tasks (x => x + 1, default chunksize): items/s;
//  - Pool(2).apply round trip, sequentially (µs);
//  - Pool(2).starmap of a CPU-bound job (primes below 300,000 in 8 chunks)
//    against the serial time (ms);
//  - Queue items/s from a child process to the parent (the child puts n
//    items, the parent gets them one by one).
// Prints one JSON object, then a table.
import { spawnSync } from "node:child_process";
import { Pool, Process, Queue } from "../multiprocessing/mod.ts";
import { benchArgs, median, runtimeLabel } from "./_common.ts";

const args = benchArgs;
const quick = args.has("--quick");
const ROUNDS = quick ? 3 : 5;
const runtime = runtimeLabel;

function countPrimes(lo: number, hi: number): number {
  let n = 0;
  for (let i = Math.max(2, lo); i < hi; i++) {
    let prime = true;
    for (let d = 2; d * d <= i; d++) {
      if (i % d === 0) {
        prime = false;
        break;
      }
    }
    if (prime) n++;
  }
  return n;
}

async function startJoin(): Promise<number> {
  const lat: number[] = [];
  for (let i = 0; i < (quick ? 10 : 20); i++) {
    const t0 = performance.now();
    const p = new Process({ target: () => {} });
    await p.start();
    await p.join();
    lat.push(performance.now() - t0);
  }
  return median(lat);
}

async function pool(): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  await using pool = new Pool(2);
  await pool.map(
    (x: number) => x + 1,
    Array.from({ length: 100 }, (_, i) => i),
  );
  const n = quick ? 20_000 : 100_000;
  const xs = Array.from({ length: n }, (_, i) => i);
  let times: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const t0 = performance.now();
    const res = await pool.map((x: number) => x + 1, xs);
    times.push(performance.now() - t0);
    if (res[n - 1] !== n) throw new Error("wrong result");
  }
  out.map_tiny_per_s = n / (median(times) / 1000);
  const rt: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const t0 = performance.now();
    for (let i = 0; i < 200; i++) await pool.apply((x: number) => x + 1, [i]);
    rt.push((performance.now() - t0) / 200 * 1000);
  }
  out.apply_roundtrip_us = median(rt);
  const hi = 300_000;
  const ranges = Array.from(
    { length: 8 },
    (_, i) => [Math.floor(i * hi / 8), Math.floor((i + 1) * hi / 8)],
  ) as [number, number][];
  times = [];
  let total = 0;
  for (let r = 0; r < ROUNDS; r++) {
    const t0 = performance.now();
    total = (await pool.starmap(countPrimes, ranges)).reduce((a, b) => a + b);
    times.push(performance.now() - t0);
  }
  out.cpu_chunks_ms = median(times);
  const t0 = performance.now();
  if (ranges.reduce((a, [lo, hi]) => a + countPrimes(lo, hi), 0) !== total) {
    throw new Error("wrong prime count");
  }
  out.cpu_serial_ms = performance.now() - t0;
  // JavaScript runs that job about 20x faster than CPython, so the pool's
  // overhead hides the parallelism; ten times the work shows it.
  const big = Array.from(
    { length: 8 },
    (
      _,
      i,
    ) => [Math.floor(i * 3_000_000 / 8), Math.floor((i + 1) * 3_000_000 / 8)],
  ) as [number, number][];
  times = [];
  for (let r = 0; r < ROUNDS; r++) {
    const t1 = performance.now();
    await pool.starmap(countPrimes, big);
    times.push(performance.now() - t1);
  }
  out.cpu_big_chunks_ms = median(times);
  const t2 = performance.now();
  for (const [lo, hi] of big) countPrimes(lo, hi);
  out.cpu_big_serial_ms = performance.now() - t2;
  return out;
}

async function queue(): Promise<number> {
  const n = quick ? 20_000 : 50_000;
  const times: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const q = new Queue<number>();
    const p = new Process({
      target: async (q: Queue<number>, n: number) => {
        for (let i = 0; i < n; i++) await q.put(i);
      },
      args: [q, n],
    });
    await p.start();
    await q.get(); // the child is running
    const t0 = performance.now();
    for (let i = 1; i < n; i++) await q.get();
    times.push(performance.now() - t0);
    await p.join();
  }
  return (n - 1) / (median(times) / 1000);
}

const ours = {
  runtime,
  start_join_ms: await startJoin(),
  ...(await pool()),
  queue_items_per_s: await queue(),
};

let py: Record<string, Record<string, number> | string> | null = null;
if (!args.has("--no-python")) {
  const r = spawnSync("python3", [
    new URL("./multiprocessing_py.py", import.meta.url).pathname,
    ...(quick ? ["--quick"] : []),
  ], { encoding: "utf8", timeout: 600_000 });
  if (r.status === 0) py = JSON.parse(r.stdout);
  else console.error("CPython side failed:", r.stderr);
}

console.log(JSON.stringify({ ours, python: py }));
const rows: [string, string, (v: number) => string][] = [
  [
    "start_join_ms",
    "Process start+join (ms, lower is better)",
    (v) => v.toFixed(1),
  ],
  [
    "map_tiny_per_s",
    "Pool.map tiny tasks (items/s)",
    (v) => Math.round(v).toLocaleString("en"),
  ],
  ["apply_roundtrip_us", "Pool.apply round trip (µs)", (v) => v.toFixed(0)],
  ["cpu_chunks_ms", "Pool.starmap CPU job (ms)", (v) => v.toFixed(0)],
  ["cpu_serial_ms", "  same job serially (ms)", (v) => v.toFixed(0)],
  [
    "cpu_big_chunks_ms",
    "Pool.starmap 10x the CPU job (ms)",
    (v) => v.toFixed(0),
  ],
  ["cpu_big_serial_ms", "  same job serially (ms)", (v) => v.toFixed(0)],
  [
    "queue_items_per_s",
    "Queue child->parent (items/s)",
    (v) => Math.round(v).toLocaleString("en"),
  ],
];
const spawn = py?.spawn as Record<string, number> | undefined;
const fork = py?.fork as Record<string, number> | undefined;
console.log(
  `\n| measure | ${runtime} | CPython spawn | CPython fork |\n|---|---:|---:|---:|`,
);
for (const [key, label, fmt] of rows) {
  const o = (ours as unknown as Record<string, number>)[key];
  console.log(
    `| ${label} | ${fmt(o)} | ${spawn?.[key] ? fmt(spawn[key]) : "-"} | ${
      fork?.[key] ? fmt(fork[key]) : "-"
    } |`,
  );
}
