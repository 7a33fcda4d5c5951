// The queue benchmarks with their baselines, run under Deno or Bun:
//   deno run -A --v8-flags=--expose-gc bench/queue_compare.ts [--quick] [--memory] [--only=number,string] [--no-python] [--no-gc]
//   bun bench/queue_compare.ts [--quick] [--memory] [--only=...] [--no-python]
// Measures, in one run: put+get in one thread; items/s from one worker to
// another through a Queue and through a plain postMessage channel between the
// same two workers (numbers, short strings, small objects, 64 KiB buffers);
// and CPython's queue.Queue between two threads (bench/queue_py.py). Prints
// medians of several runs (after a warm-up run that is not counted) as JSON
// and a table of ratios. `--memory` pushes
// 10 million items from one worker to another and samples memory.
// Every timed run starts with a garbage collection in the threads it uses
// (on Deno only with --expose-gc), so no run pays for the last one's garbage;
// `--no-gc` leaves that out.
import { spawnSync } from "node:child_process";
import {
  isMainThread,
  MessageChannel,
  type MessagePort,
  parentPort,
  Worker,
  workerData,
} from "node:worker_threads";
import { decode, encode, type Encoded } from "../_internal/share/codec.ts";
import { Queue } from "../queue/mod.ts";
import { coreOf } from "../queue/_core.ts";
import { benchArgs, collectGarbage, median } from "./_common.ts";

type Payload = "number" | "string" | "object" | "buffer64k";
const PAYLOADS: Payload[] = ["number", "string", "object", "buffer64k"];

interface Job {
  cmd: "queue-produce" | "queue-consume" | "pm-produce" | "pm-consume";
  payload: Payload;
  n: number;
  q?: Encoded;
}

function maker(payload: Payload): (i: number) => unknown {
  switch (payload) {
    case "number":
      return (i) => i;
    case "string":
      return (i) => `item ${i}`;
    case "object":
      return (i) => ({ id: i, name: "item", tags: ["a", "b"] });
    case "buffer64k": {
      const buf = new Uint8Array(65536);
      return (i) => {
        buf[0] = i & 255;
        return buf;
      };
    }
  }
}

// ---------------------------------------------------------------- workers --

if (!isMainThread && workerData?.queueBench) {
  const port = workerData.port as MessagePort;
  const reply = (msg: unknown) => parentPort!.postMessage(msg);
  parentPort!.on("message", async (job: Job) => {
    if (workerData.gc) collectGarbage();
    const make = maker(job.payload);
    const n = job.n;
    switch (job.cmd) {
      case "queue-produce": {
        const q = await decode(job.q!) as Queue;
        for (let i = 0; i < n; i++) q.putSync(make(i));
        reply({ done: true });
        break;
      }
      case "queue-consume": {
        const q = await decode(job.q!) as Queue;
        q.getSync();
        const t0 = performance.now();
        for (let i = 1; i < n; i++) q.getSync();
        reply({ ms: performance.now() - t0 });
        break;
      }
      case "pm-produce":
        for (let i = 0; i < n; i++) port.postMessage(make(i));
        reply({ done: true });
        break;
      case "pm-consume": {
        let got = 0;
        let t0 = 0;
        const onMessage = () => {
          if (got++ === 0) t0 = performance.now();
          if (got === n) {
            port.off("message", onMessage);
            reply({ ms: performance.now() - t0 });
          }
        };
        port.on("message", onMessage);
        break;
      }
    }
  });
  reply({ ready: true });
}

// ------------------------------------------------------------------- main --

class BenchWorker {
  readonly w: Worker;
  #pending: ((v: { ms?: number }) => void) | null = null;
  readonly ready: Promise<void>;
  constructor(port: MessagePort, gc: boolean) {
    this.w = new Worker(
      new URL(import.meta.url),
      {
        workerData: { queueBench: true, port, gc },
        transferList: [port as never],
      } as ConstructorParameters<typeof Worker>[1],
    );
    let ready!: () => void;
    this.ready = new Promise((r) => ready = r);
    this.w.on("message", (m: { ready?: boolean; ms?: number }) => {
      if (m.ready) return ready();
      const p = this.#pending;
      this.#pending = null;
      p?.(m);
    });
  }
  run(job: Job): Promise<{ ms?: number }> {
    return new Promise((resolve) => {
      this.#pending = resolve;
      this.w.postMessage(job);
    });
  }
}

async function main(): Promise<void> {
  const args = benchArgs;
  const quick = args.has("--quick");
  const runtime = "Bun" in globalThis ? "bun" : "deno";
  const RUNS = quick ? 3 : 5;
  // Runs left out of the medians, while the engines compile the code.
  const WARMUP = quick ? 0 : 1;
  const N: Record<Payload, number> = {
    number: quick ? 200_000 : 1_000_000,
    string: quick ? 200_000 : 1_000_000,
    object: quick ? 100_000 : 500_000,
    buffer64k: quick ? 1_000 : 2_000,
  };
  const only = [...args].find((a) => a.startsWith("--only="))?.slice(7)
    .split(",");
  const payloads = only ? PAYLOADS.filter((p) => only.includes(p)) : PAYLOADS;

  const { port1, port2 } = new MessageChannel();
  const gc = !args.has("--no-gc");
  const producer = new BenchWorker(port1, gc);
  const consumer = new BenchWorker(port2, gc);
  await Promise.all([producer.ready, consumer.ready]);

  if (args.has("--memory")) {
    await memory(producer, consumer);
  } else {
    const results: Record<string, number> = {};

    // 1. put + get in one thread (put one, get one), items/s.
    for (const payload of ["number", "string", "object"] as Payload[]) {
      const make = maker(payload);
      const n = N[payload] / 2;
      const xs: number[] = [];
      for (let r = -WARMUP; r < RUNS; r++) {
        const q = new Queue();
        if (gc) collectGarbage();
        const t0 = performance.now();
        for (let i = 0; i < n; i++) {
          q.putSync(make(i));
          q.getSync();
        }
        if (r >= 0) xs.push(n / ((performance.now() - t0) / 1000));
      }
      results[`one_thread_put_get_${payload}`] = median(xs);
    }

    // 2. worker to worker: Queue against postMessage, alternating runs.
    for (const payload of payloads) {
      const n = N[payload];
      const ours: number[] = [];
      const pm: number[] = [];
      for (let r = -WARMUP; r < RUNS; r++) {
        const q = new Queue();
        const enc = encode(q);
        const c = consumer.run({ cmd: "queue-consume", payload, n, q: enc });
        await producer.run({ cmd: "queue-produce", payload, n, q: enc });
        const ms = (await c).ms!;
        const c2 = consumer.run({ cmd: "pm-consume", payload, n });
        await producer.run({ cmd: "pm-produce", payload, n });
        const pmMs = (await c2).ms!;
        if (r < 0) continue;
        ours.push((n - 1) / (ms / 1000));
        pm.push((n - 1) / (pmMs / 1000));
      }
      results[`worker_to_worker_${payload}_queue`] = median(ours);
      results[`worker_to_worker_${payload}_postMessage`] = median(pm);
    }

    // 3. CPython in the same run.
    let py: Record<string, number> = {};
    const r = args.has("--no-python")
      ? { status: 1, stderr: "skipped", stdout: "" }
      : spawnSync("python3", [
        new URL("./queue_py.py", import.meta.url).pathname,
        ...(quick ? ["--quick"] : []),
      ], { encoding: "utf8" });
    if (r.status === 0) py = JSON.parse(r.stdout.trim().split("\n").pop()!);
    else console.error("python3 failed:", r.stderr);

    console.log(JSON.stringify({ runtime, ...results }));
    console.log(JSON.stringify({ runtime: "cpython", ...py }));
    const fmt = (x: number) => x ? Math.round(x).toLocaleString("en-US") : "-";
    const ratio = (a: number, b: number) =>
      a && b ? `${(a / b).toFixed(2)}x` : "-";
    console.log(
      `\n${runtime}: items/s (median of ${RUNS}, after ${WARMUP} warm-up)`,
    );
    console.log(
      "| case | pyconc | postMessage | CPython | vs postMessage | vs CPython |",
    );
    console.log("|---|---:|---:|---:|---:|---:|");
    for (const payload of ["number", "string", "object"] as Payload[]) {
      const k = `one_thread_put_get_${payload}`;
      console.log(
        `| one thread put+get, ${payload} | ${fmt(results[k])} | - | ${
          fmt(py[k])
        } | - | ${ratio(results[k], py[k])} |`,
      );
    }
    for (const payload of payloads) {
      const q = results[`worker_to_worker_${payload}_queue`];
      const p = results[`worker_to_worker_${payload}_postMessage`];
      const c = py[`thread_to_thread_${payload}`];
      console.log(
        `| worker to worker, ${payload} | ${fmt(q)} | ${fmt(p)} | ${fmt(c)} | ${
          ratio(q, p)
        } | ${ratio(q, c)} |`,
      );
    }
  }
  await producer.w.terminate();
  await consumer.w.terminate();
}

/** 10 million small items from one worker to another; memory sampled as they flow. */
async function memory(producer: BenchWorker, consumer: BenchWorker) {
  const n = 10_000_000;
  const q = new Queue(10_000);
  const enc = encode(q);
  const proc = (globalThis as unknown as {
    process: { memoryUsage(): { rss: number } };
  }).process;
  const samples: string[] = [];
  const t0 = performance.now();
  const c = consumer.run({
    cmd: "queue-consume",
    payload: "object",
    n,
    q: enc,
  });
  const p = producer.run({
    cmd: "queue-produce",
    payload: "object",
    n,
    q: enc,
  });
  let done = false;
  void c.then(() => done = true);
  while (!done) {
    await new Promise((r) => setTimeout(r, 1000));
    samples.push(
      `| ${((performance.now() - t0) / 1000).toFixed(0)} s | ${
        (proc.memoryUsage().rss / 2 ** 20).toFixed(0)
      } MiB | ${
        (coreOf(q).storageBytes() / 2 ** 10).toFixed(0)
      } KiB | ${q.qsize()} |`,
    );
  }
  await p;
  const secs = (performance.now() - t0) / 1000;
  console.log(
    `${n} small objects worker to worker through Queue(10000) in ${
      secs.toFixed(1)
    } s (${Math.round(n / secs).toLocaleString("en-US")} items/s)`,
  );
  console.log("| time | process RSS | queue storage | qsize |");
  console.log("|---|---:|---:|---:|");
  for (const s of samples) console.log(s);
}

if (isMainThread) await main();
