// multiprocessing's Lock and Value side by side with CPython's, under Deno or Bun:
//   deno run -A bench/multiprocessing_sync_compare.ts [--quick] [--no-python]
//   bun bench/multiprocessing_sync_compare.ts [--quick] [--no-python]
// Each measure runs twice: with the objects in shared memory (mechanism (2):
// atomics on memory every process maps, futex to sleep) and, for the
// "before" figures, served by the process that made them (mechanism (1):
// one round trip per operation, forced with _setShmDisabled). Medians of
// several rounds, in ns per operation, uncontended:
//  - Lock: acquireSync() + release(); and await acquire() + release();
//  - Value("i"): a read of .value, and .value += 1 (no lock; CPython's
//    RawValue); a Lock held around += (CPython: `with lock: raw.value += 1`);
//  - the same from a child process;
//  - a Value counter under a Lock incremented by 4 processes at once (ns
//    per increment, wall time).
// bench/multiprocessing_sync_py.py measures CPython's multiprocessing (spawn).
// Prints one JSON object, then a table.
import { spawnSync } from "node:child_process";
import {
  Event,
  Lock,
  Process,
  Queue,
  Semaphore,
  Value,
} from "../multiprocessing/mod.ts";
import { _setShmDisabled } from "../_internal/shm/ffi.ts";
import { benchArgs, median, runtimeLabel } from "./_common.ts";

const args = benchArgs;
const quick = args.has("--quick");
const ROUNDS = quick ? 3 : 5;
const runtime = runtimeLabel;

type Measures = Record<string, number>;

/**
 * The loops, as one self-contained function: it runs in the parent, and
 * its source runs in a child (a target must not close over anything).
 */
async function measure(
  lock: Lock,
  v: Value,
  n: number,
  rounds: number,
): Promise<Record<string, number>> {
  const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
  const time = async (f: () => void | Promise<void>) => {
    const ts: number[] = [];
    for (let r = 0; r < rounds; r++) {
      const t0 = performance.now();
      await f();
      ts.push((performance.now() - t0) * 1e6 / n);
    }
    return med(ts);
  };
  let sink = 0;
  const out: Record<string, number> = {};
  out.lock_ns = await time(() => {
    for (let i = 0; i < n; i++) {
      lock.acquireSync();
      lock.release();
    }
  });
  out.lock_async_ns = await time(async () => {
    for (let i = 0; i < n; i++) {
      await lock.acquire();
      lock.release();
    }
  });
  out.value_read_ns = await time(() => {
    for (let i = 0; i < n; i++) sink += v.value;
  });
  out.value_inc_ns = await time(() => {
    for (let i = 0; i < n; i++) v.value += 1;
  });
  out.locked_inc_ns = await time(() => {
    for (let i = 0; i < n; i++) {
      lock.acquireSync();
      v.value += 1;
      lock.release();
    }
  });
  if (sink === -1) out.sink = sink;
  return out;
}

async function inChild(lock: Lock, v: Value, n: number): Promise<Measures> {
  const q = new Queue<Measures>();
  const p = new Process({
    target: (async (
      lock: Lock,
      v: Value,
      n: number,
      rounds: number,
      q: Queue<Measures>,
      src: string,
    ) => {
      const f = (0, eval)(`(${src})`);
      await q.put(await f(lock, v, n, rounds));
    }) as never,
    args: [lock, v, n, ROUNDS, q, measure.toString()],
  });
  await p.start();
  const r = await q.get();
  await p.join();
  return r;
}

async function counter4(n: number): Promise<number> {
  const ts: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const lock = new Lock();
    const v = new Value("i", 0, { lock: false });
    const go = new Event();
    const ready = new Semaphore(0);
    const ps = Array.from({ length: 4 }, () =>
      new Process({
        target: ((
          lock: Lock,
          v: Value,
          go: Event,
          ready: Semaphore,
          n: number,
        ) => {
          ready.release();
          go.waitSync();
          for (let i = 0; i < n; i++) {
            lock.acquireSync();
            v.value += 1;
            lock.release();
          }
        }) as never,
        args: [lock, v, go, ready, n],
      }));
    for (const p of ps) await p.start();
    for (let i = 0; i < 4; i++) await ready.acquire();
    await new Promise((res) => setTimeout(res, 100));
    const t0 = performance.now();
    go.set();
    for (const p of ps) await p.join();
    const dt = performance.now() - t0;
    if (v.value !== 4 * n) throw new Error(`counter ${v.value} != ${4 * n}`);
    ts.push(dt * 1e6 / (4 * n));
  }
  return median(ts);
}

async function run(shm: boolean): Promise<Record<string, unknown>> {
  _setShmDisabled(!shm);
  const n = shm ? (quick ? 100_000 : 300_000) : (quick ? 300 : 1000);
  const lock = new Lock();
  const v = new Value("i", 0);
  const parent = await measure(lock, v, n, ROUNDS);
  const child = await inChild(lock, v, n);
  const c4 = await counter4(shm ? (quick ? 20_000 : 50_000) : 300);
  _setShmDisabled(false);
  return { parent, child, counter4_ns: c4 };
}

const ours = {
  runtime,
  loadavg: (() => {
    try {
      return spawnSync("cat", ["/proc/loadavg"], { encoding: "utf8" }).stdout
        .trim();
    } catch {
      return "";
    }
  })(),
  shm: await run(true),
  server: await run(false),
};
let py: Record<string, unknown> | null = null;
if (!args.has("--no-python")) {
  const r = spawnSync("python3", [
    new URL("./multiprocessing_sync_py.py", import.meta.url).pathname,
    ...(quick ? ["--quick"] : []),
  ], { encoding: "utf8" });
  if (r.status === 0) py = JSON.parse(r.stdout);
  else console.error("python3 failed:", r.stderr);
}
console.log(JSON.stringify({ ours, python: py }));

const fmt = (x: unknown) =>
  typeof x === "number"
    ? x >= 1000 ? `${(x / 1000).toFixed(1)} µs` : `${x.toFixed(0)} ns`
    : "-";
const rows: [string, string, string][] = [
  ["Lock acquireSync+release, parent", "parent", "lock_ns"],
  ["Lock await acquire+release, parent", "parent", "lock_async_ns"],
  ["Value read, parent", "parent", "value_read_ns"],
  ["Value += 1, parent", "parent", "value_inc_ns"],
  ["Lock + Value += 1, parent", "parent", "locked_inc_ns"],
  ["Lock acquireSync+release, child", "child", "lock_ns"],
  ["Lock await acquire+release, child", "child", "lock_async_ns"],
  ["Value read, child", "child", "value_read_ns"],
  ["Value += 1, child", "child", "value_inc_ns"],
  ["Lock + Value += 1, child", "child", "locked_inc_ns"],
];
const pyKey: Record<string, string> = {
  lock_ns: "lock_ns",
  value_read_ns: "raw_value_read_ns",
  value_inc_ns: "raw_value_inc_ns",
  locked_inc_ns: "locked_inc_ns",
};
const get = (o: unknown, a: string, b: string) =>
  (o as Record<string, Record<string, number>> | null)?.[a]?.[b];
console.log(
  `\n| measure (${runtime}) | shared memory | served (before) | CPython spawn |`,
);
console.log("| --- | ---: | ---: | ---: |");
for (const [label, where, key] of rows) {
  console.log(
    `| ${label} | ${fmt(get(ours.shm, where, key))} | ${
      fmt(get(ours.server, where, key))
    } | ${fmt(pyKey[key] ? get(py, where, pyKey[key]) : undefined)} |`,
  );
}
console.log(
  `| 4 processes, Lock + Value += 1 (per increment) | ${
    fmt(ours.shm.counter4_ns)
  } | ${fmt(ours.server.counter4_ns)} | ${fmt(py?.counter4_ns)} |`,
);
