// The threading benchmarks with their baselines, run under Deno or Bun:
//   deno run -A bench/threading_compare.ts     bun bench/threading_compare.ts
// Prints medians of several runs as JSON lines and a table.
import { Event, Lock, Thread } from "../threading/mod.ts";

const runtime = "Bun" in globalThis ? "bun" : "deno";
const targets = new URL("./_threading_targets.ts", import.meta.url);
const RUNS = 5;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function runPair(
  a: { name: string; args: unknown[] },
  b: { name: string; args: unknown[] },
) {
  const ta = new Thread({
    target: { module: targets, name: a.name },
    args: a.args,
  });
  const tb = new Thread({
    target: { module: targets, name: b.name },
    args: b.args,
  });
  tb.start();
  ta.start();
  await ta.join();
  await tb.join();
}

const results: Record<string, number> = {};

// 1. Uncontended Lock.acquireSync() + release() against a bare CAS + store pair.
{
  const N = 2_000_000;
  const lock = new Lock();
  const raw = new Int32Array(new SharedArrayBuffer(4));
  const ours: number[] = [];
  const bare: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    let t0 = performance.now();
    for (let i = 0; i < N; i++) {
      Atomics.compareExchange(raw, 0, 0, 1);
      Atomics.store(raw, 0, 0);
    }
    bare.push((performance.now() - t0) * 1e6 / N);
    t0 = performance.now();
    for (let i = 0; i < N; i++) {
      lock.acquireSync();
      lock.release();
    }
    ours.push((performance.now() - t0) * 1e6 / N);
  }
  results["lock_uncontended_ns"] = median(ours);
  results["bare_cas_store_ns"] = median(bare);
}

// 2. A Lock contended by 2 workers: ns per acquire/release pair (both together).
{
  const N = 200_000;
  const xs: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    const lock = new Lock();
    const counter = new Int32Array(new SharedArrayBuffer(4));
    const go = new Int32Array(new SharedArrayBuffer(4));
    const t0 = performance.now();
    await runPair({ name: "lockHammer", args: [lock, counter, N, go] }, {
      name: "lockHammer",
      args: [lock, counter, N, go],
    });
    const ms = performance.now() - t0;
    if (counter[0] !== 2 * N) throw new Error(`lost updates: ${counter[0]}`);
    xs.push(ms * 1e6 / (2 * N));
  }
  results["lock_contended_2_workers_ns"] = median(xs);
}

// 3. Event ping-pong between two workers, blocking waits, against a raw spinning flag.
{
  const ROUNDS = 50_000;
  const ev: number[] = [];
  const raw: number[] = [];
  const mini: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    const out = new Float64Array(new SharedArrayBuffer(8));
    const ping = new Event();
    const pong = new Event();
    await runPair({ name: "eventPing", args: [ping, pong, ROUNDS, out] }, {
      name: "eventPong",
      args: [ping, pong, ROUNDS],
    });
    ev.push(out[0] * 1000 / ROUNDS);
    const a = new SharedArrayBuffer(4);
    const b = new SharedArrayBuffer(4);
    await runPair({ name: "miniPing", args: [a, b, ROUNDS, out] }, {
      name: "miniPong",
      args: [a, b, ROUNDS],
    });
    mini.push(out[0] * 1000 / ROUNDS);
    const flag = new Int32Array(new SharedArrayBuffer(4));
    await runPair({ name: "rawPing", args: [flag, ROUNDS, out] }, {
      name: "rawPong",
      args: [flag, ROUNDS],
    });
    raw.push(out[0] * 1000 / ROUNDS);
  }
  results["event_pingpong_workers_us"] = median(ev);
  results["raw_flag_pingpong_workers_us"] = median(raw);
  results["inline_mini_event_pingpong_workers_us"] = median(mini);
}

// 4. Event ping-pong between the main thread (async waits) and a worker.
{
  const ROUNDS = 5_000;
  const xs: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    const ping = new Event();
    const pong = new Event();
    const t = new Thread({
      target: { module: targets, name: "eventPong" },
      args: [ping, pong, ROUNDS],
    });
    t.start();
    const t0 = performance.now();
    for (let i = 0; i < ROUNDS; i++) {
      ping.set();
      await pong.wait();
      pong.clear();
    }
    xs.push((performance.now() - t0) * 1000 / ROUNDS);
    await t.join();
  }
  results["event_pingpong_main_async_us"] = median(xs);
}

// 5. Thread start + join of an empty target.
{
  const xs: number[] = [];
  for (let r = 0; r < 20; r++) {
    const t0 = performance.now();
    const t = new Thread({ target: () => {} });
    t.start();
    await t.join();
    xs.push(performance.now() - t0);
  }
  results["thread_start_join_ms"] = median(xs);
}

console.log(JSON.stringify({ runtime, ...results }));
