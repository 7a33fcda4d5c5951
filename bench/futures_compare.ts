// The futures benchmarks side by side with their peers, run under Deno or Bun:
//   deno run -A bench/futures_compare.ts [--quick] [--no-node] [--no-python] [--no-peers]
//   bun bench/futures_compare.ts [--quick] [--no-node] [--no-python] [--no-peers]
// Measures, in one run:
//  - ThreadPoolExecutor (2 workers): 100,000 tiny tasks (x => x + 1)
//    submitted in a loop then awaited (tasks/s), the same through map(), one
//    task's round trip (submit then await, sequentially: µs), and the CPU
//    job (primes below 2,000,000 in 16 chunks) against the serial time;
//  - ProcessPoolExecutor (2 children): start-up (new pool, first result,
//    shutdown: ms), tiny tasks, map with chunksize 256, round trip, CPU job;
//  - piscina, tinypool and workerpool with 2 threads, in this same process
//    (bench/futures_compare_node.mjs's runPeers) and under Node;
//  - CPython's ThreadPoolExecutor and ProcessPoolExecutor (bench/futures_py.py).
// Prints one JSON object, then a table. Medians of several rounds, except
// the CPU job: it alternates with the serial run and the speedup is the
// ratio of the best times (other load on a shared machine only adds time).
import { spawnSync } from "node:child_process";
import {
  type Executor,
  ProcessPoolExecutor,
  ThreadPoolExecutor,
} from "../futures/mod.ts";
import {
  countPrimes,
  primeChunks,
  runPeers,
  serialCpuMs,
  serialOnce,
  // @ts-ignore: a plain JavaScript module without types
} from "./futures_compare_node.mjs";
import { benchArgs, median, runtimeLabel } from "./_common.ts";

const args = benchArgs;
const quick = args.has("--quick");
const N = quick ? 20_000 : 100_000;
const ROUNDS = quick ? 3 : 5;
const LAT_N = quick ? 500 : 2000;
const runtime = runtimeLabel;

const inc = (x: number) => x + 1;
const countPrimesTarget = {
  module: new URL("./futures_compare_node.mjs", import.meta.url),
  name: "countPrimes",
};

async function tiny(ex: Executor, n: number): Promise<number> {
  const out: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const t0 = performance.now();
    const fs = new Array(n);
    for (let i = 0; i < n; i++) fs[i] = ex.submit(inc, i);
    const rs = await Promise.all(fs);
    const ms = performance.now() - t0;
    if (rs[n - 1] !== n) throw new Error("wrong result");
    out.push(n / ms * 1000);
  }
  return Math.round(median(out));
}

async function viaMap(
  ex: Executor,
  n: number,
  chunksize = 1,
): Promise<number> {
  const out: number[] = [];
  const xs = Array.from({ length: n }, (_, i) => i);
  for (let r = 0; r < ROUNDS; r++) {
    const t0 = performance.now();
    let last = 0;
    for await (const y of ex.map(inc, xs, { chunksize })) last = y as number;
    const ms = performance.now() - t0;
    if (last !== n) throw new Error("wrong result");
    out.push(n / ms * 1000);
  }
  return Math.round(median(out));
}

async function latency(ex: Executor, n: number): Promise<number> {
  const out: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const t0 = performance.now();
    for (let i = 0; i < n; i++) await ex.submit(inc, i);
    out.push((performance.now() - t0) / n * 1000);
  }
  return +median(out).toFixed(1);
}

/** The CPU job alternating with the serial run; the best times and their ratio. */
async function cpu(
  ex: Executor,
): Promise<{ cpuMs: number; serialMs: number; speedup: number }> {
  const out: number[] = [];
  const serial: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    serial.push(serialOnce());
    const t0 = performance.now();
    const counts = await Promise.all(
      (primeChunks() as number[][]).map(([lo, hi]) =>
        ex.submit(countPrimesTarget, lo, hi)
      ),
    );
    out.push(performance.now() - t0);
    if ((counts as number[]).reduce((a, b) => a + b, 0) !== 148933) {
      throw new Error("wrong prime count");
    }
  }
  const best = Math.min(...out);
  const bestSerial = Math.min(...serial);
  return {
    cpuMs: Math.round(best),
    serialMs: Math.round(bestSerial),
    speedup: +(bestSerial / best).toFixed(2),
  };
}

async function warm(ex: Executor): Promise<void> {
  await Promise.all([ex.submit(inc, 0), ex.submit(inc, 0)]);
  for (let i = 0; i < 1000; i++) await ex.submit(inc, i);
  await Promise.all(Array.from({ length: 5000 }, (_, i) => ex.submit(inc, i)));
  await ex.submit(countPrimesTarget, 0, 10);
}

const progress = (what: string) =>
  args.has("--verbose") &&
  console.error(`[${performance.now().toFixed(0)} ms] ${what}`);
// deno-lint-ignore no-explicit-any
const result: Record<string, any> = { runtime, quick };
void countPrimes;
result.serialCpuMs = serialCpuMs();

{
  const ex = new ThreadPoolExecutor({ maxWorkers: 2 });
  progress("warm");
  await warm(ex);
  progress("cpu");
  const c = await cpu(ex);
  result.ThreadPoolExecutor = {
    tasksPerSec: await tiny(ex, N),
    mapTasksPerSec: await viaMap(ex, N),
    latencyUs: await latency(ex, LAT_N),
    ...c,
  };
  await ex.shutdown();
}

{
  const starts: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const t0 = performance.now();
    const ex = new ProcessPoolExecutor({ maxWorkers: 2 });
    await ex.submit(inc, 0);
    await ex.shutdown();
    starts.push(performance.now() - t0);
  }
  const ex = new ProcessPoolExecutor({ maxWorkers: 2 });
  progress("warm");
  await warm(ex);
  progress("cpu");
  const c = await cpu(ex);
  result.ProcessPoolExecutor = {
    startupMs: +median(starts).toFixed(1),
    tasksPerSec: await tiny(ex, N),
    mapChunked256TasksPerSec: await viaMap(ex, N, 256),
    latencyUs: await latency(ex, LAT_N),
    ...c,
  };
  await ex.shutdown();
}

if (!args.has("--no-peers")) {
  progress("peers");
  result.peers = await runPeers({
    n: N,
    rounds: ROUNDS,
    latN: LAT_N,
    timeoutS: quick ? 20 : 60,
  });
}

function runJson(cmd: string, argv: string[]): unknown {
  const r = spawnSync(cmd, argv, { encoding: "utf8", timeout: 600_000 });
  try {
    return JSON.parse(r.stdout.trim().split("\n").pop() ?? "");
  } catch {
    return { error: (r.stderr || r.stdout || String(r.error)).slice(0, 300) };
  }
}
const here = new URL(".", import.meta.url).pathname;
const q = quick ? ["--quick"] : [];
if (!args.has("--no-node")) {
  result.node = runJson("node", [`${here}futures_compare_node.mjs`, ...q]);
}
if (!args.has("--no-python")) {
  result.python = runJson("python3", [`${here}futures_py.py`, ...q]);
}

console.log(JSON.stringify(result));

// A table: tasks/s, round trip and CPU speedup for every executor.
const rows: [string, string, string, string, string][] = [];
const fmt = (v: unknown) => v === undefined || v === null ? "-" : String(v);
const add = (
  name: string,
  // deno-lint-ignore no-explicit-any
  r: any,
  serial: number,
) => {
  if (!r) return;
  if (r.error) {
    rows.push([name, `error: ${r.error}`.slice(0, 60), "", "", ""]);
    return;
  }
  rows.push([
    name,
    fmt(r.tasksPerSec),
    fmt(r.latencyUs),
    r.speedup ?? (r.cpuMs ? (serial / r.cpuMs).toFixed(2) : "-"),
    fmt(r.startupMs),
  ]);
};
add(`ThreadPoolExecutor (${runtime})`, result.ThreadPoolExecutor, 0);
add(`ProcessPoolExecutor (${runtime})`, result.ProcessPoolExecutor, 0);
for (const [k, v] of Object.entries(result.peers ?? {})) {
  add(`${k} (${runtime})`, v, result.serialCpuMs);
}
for (const [k, v] of Object.entries(result.node?.peers ?? {})) {
  add(`${k} (${result.node.runtime})`, v, result.node.serialCpuMs);
}
for (const k of ["ThreadPoolExecutor", "ProcessPoolExecutor"]) {
  if (result.python?.[k]) {
    add(`${k} (${result.python.runtime})`, result.python[k], 0);
  }
}
console.log(
  "\n| executor | tiny tasks/s | round trip µs | CPU speedup (2 workers) | start-up ms |",
);
console.log("|---|---:|---:|---:|---:|");
for (const r of rows) console.log(`| ${r.join(" | ")} |`);
// A peer that never answered may still hold workers.
(globalThis as unknown as { process: { exit(c: number): void } }).process
  .exit(0);
