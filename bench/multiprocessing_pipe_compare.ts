// multiprocessing's Pipe side by side with CPython's, under Deno or Bun:
//   deno run -A bench/multiprocessing_pipe_compare.ts [--quick] [--no-python]
//   bun bench/multiprocessing_pipe_compare.ts [--quick] [--no-python]
// Each measure runs twice: with the pipe in shared memory (a ring per
// direction that both processes map, futex to sleep) and, for the "before"
// figures, served by the process that made it (one round trip per message
// through its server, forced with _setShmDisabled). Median of 3 rounds:
//  - ping-pong: the parent sends a number and awaits the child's echo
//    (`await send` + `await recv`; and sendSync + recvSync), µs per round trip;
//  - items/s: a child sends small numbers with sendSync, the parent awaits recv;
//  - 10 MB: a child sends 10 MB messages with sendBytesSync, the parent
//    awaits recvBytes; MB/s.
// bench/multiprocessing_pipe_py.py measures CPython's multiprocessing (spawn).
// Prints one JSON object, then a table.
import { spawnSync } from "node:child_process";
import { type Connection, Pipe, Process } from "../multiprocessing/mod.ts";
import { _setShmDisabled } from "../_internal/shm/ffi.ts";
import { benchArgs, median } from "./_common.ts";

const args = benchArgs;
const quick = args.has("--quick");
const ROUNDS = quick ? 1 : 3;

async function pingPong(n: number, sync: boolean): Promise<number> {
  const [a, b] = Pipe();
  const p = new Process({
    target: (c: Connection, n: number) => {
      for (let i = 0; i < n; i++) c.sendSync(c.recvSync());
    },
    args: [b, n + 200],
  });
  await p.start();
  b.close();
  for (let i = 0; i < 200; i++) { // warm-up
    await a.send(i);
    await a.recv();
  }
  const t0 = performance.now();
  if (sync) {
    for (let i = 0; i < n; i++) {
      a.sendSync(i);
      a.recvSync();
    }
  } else {
    for (let i = 0; i < n; i++) {
      await a.send(i);
      await a.recv();
    }
  }
  const us = (performance.now() - t0) * 1000 / n;
  await p.join();
  a.close();
  return us;
}

async function itemsPerSec(n: number): Promise<number> {
  const [r, w] = Pipe(false);
  const p = new Process({
    target: (c: Connection, n: number) => {
      for (let i = 0; i < n; i++) c.sendSync(i);
    },
    args: [w, n + 1],
  });
  await p.start();
  w.close();
  await r.recv();
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await r.recv();
  const rate = n / ((performance.now() - t0) / 1000);
  await p.join();
  r.close();
  return rate;
}

async function bigMBps(count: number): Promise<number> {
  const size = 10 * 1024 * 1024;
  const [r, w] = Pipe(false);
  const p = new Process({
    target: (c: Connection, size: number, n: number) => {
      const b = new Uint8Array(size);
      for (let i = 0; i < n; i++) c.sendBytesSync(b);
    },
    args: [w, size, count + 1],
  });
  await p.start();
  w.close();
  await r.recvBytes();
  const t0 = performance.now();
  for (let i = 0; i < count; i++) await r.recvBytes();
  const mbps = count * 10 / ((performance.now() - t0) / 1000);
  await p.join();
  r.close();
  return mbps;
}

async function measure(fast: boolean) {
  const k = fast ? 1 : 0.1;
  const out: Record<string, number> = {};
  const take = async (name: string, f: () => Promise<number>) => {
    const xs = [];
    for (let i = 0; i < ROUNDS; i++) xs.push(await f());
    out[name] = Math.round(median(xs) * 10) / 10;
  };
  await take("pingPongAsyncUs", () => pingPong(Math.round(5000 * k), false));
  await take("pingPongSyncUs", () => pingPong(Math.round(5000 * k), true));
  await take("itemsPerSec", () => itemsPerSec(Math.round(100_000 * k)));
  await take("tenMBps", () => bigMBps(fast ? 8 : 2));
  return out;
}

const runtime = "Deno" in globalThis ? "deno" : "bun";
const shm = await measure(true);
_setShmDisabled(true);
const served = await measure(false);
_setShmDisabled(false);
let python: Record<string, number> | null = null;
if (!args.has("--no-python")) {
  const r = spawnSync(
    "python3",
    [new URL("./multiprocessing_pipe_py.py", import.meta.url).pathname].concat(
      quick ? ["--quick"] : [],
    ),
    { encoding: "utf8", timeout: 600_000 },
  );
  if (r.status === 0) python = JSON.parse(r.stdout.trim().split("\n").pop()!);
  else console.error(r.stderr);
}
const load = (await import("node:os")).loadavg().map((x) => x.toFixed(2));
console.log(JSON.stringify({ runtime, load, shm, served, python }));
const rows = Object.keys(shm).map((k) =>
  `| ${k} | ${shm[k]} | ${served[k]} | ${python?.[k] ?? "-"} |`
);
console.log(
  [
    `| ${runtime} | shared memory | served (before) | CPython |`,
    "|---|---|---|---|",
  ]
    .concat(rows).join("\n"),
);
