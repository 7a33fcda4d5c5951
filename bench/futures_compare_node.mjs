// The peers of futures.ThreadPoolExecutor: piscina, tinypool and workerpool,
// measured the same way as bench/futures_compare.ts measures ours.
//   node bench/futures_compare_node.mjs [--quick]   prints one JSON object
// bench/futures_compare.ts runs this file under Node and imports runPeers()
// to run the same peers in-process under Bun. The file is also the peers'
// worker module: it exports the task functions.
import { isMainThread, workerData } from "node:worker_threads";
import { fileURLToPath } from "node:url";

/** The tiny task. */
export default function inc(x) {
  return x + 1;
}

/** The CPU-bound task: primes in [lo, hi) by trial division. */
export function countPrimes(lo, hi) {
  let n = 0;
  for (let i = Math.max(2, lo); i < hi; i++) {
    let p = true;
    for (let d = 2; d * d <= i; d++) {
      if (i % d === 0) {
        p = false;
        break;
      }
    }
    if (p) n++;
  }
  return n;
}

/** The CPU job as a list of [lo, hi) chunks. */
export function primeChunks(limit = 2_000_000, chunks = 16) {
  return Array.from({ length: chunks }, (_, i) => [
    (i * limit) / chunks,
    ((i + 1) * limit) / chunks,
  ]);
}

if (!isMainThread && workerData?.workerpoolBench) {
  const workerpool = (await import("workerpool")).default;
  workerpool.worker({ inc, countPrimes });
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1];
};

/**
 * Measures a pool given as `run(name, args) => Promise`: the CPU job (ms,
 * right after the warm-up, as for our executors), tiny-task throughput
 * (tasks/s) and one-task round trip (µs).
 */
export async function measurePool(run, { n, rounds, latN, cpu }) {
  for (let i = 0; i < 2000; i++) await run("inc", [i]); // warm up
  await Promise.all(Array.from({ length: 2000 }, (_, i) => run("inc", [i])));
  // The CPU job alternates with the serial run, and the ratio of the best
  // times is the speedup: other load on the machine only ever adds time.
  const cpuMs = [];
  const serial = [];
  for (let r = 0; r < (cpu ? rounds : 0); r++) {
    serial.push(serialOnce());
    const t0 = performance.now();
    await Promise.all(primeChunks().map((c) => run("countPrimes", c)));
    cpuMs.push(performance.now() - t0);
  }
  const tput = [];
  for (let r = 0; r < rounds; r++) {
    const t0 = performance.now();
    const ps = new Array(n);
    for (let i = 0; i < n; i++) ps[i] = run("inc", [i]);
    const out = await Promise.all(ps);
    const ms = performance.now() - t0;
    if (out[n - 1] !== n) throw new Error("wrong result");
    tput.push(n / ms * 1000);
  }
  const lat = [];
  for (let r = 0; r < rounds; r++) {
    const t0 = performance.now();
    for (let i = 0; i < latN; i++) await run("inc", [i]);
    lat.push((performance.now() - t0) / latN * 1000);
  }
  return {
    tasksPerSec: Math.round(median(tput)),
    latencyUs: +median(lat).toFixed(1),
    cpuMs: cpuMs.length ? Math.round(Math.min(...cpuMs)) : null,
    serialMs: serial.length ? Math.round(Math.min(...serial)) : null,
    speedup: cpuMs.length
      ? +(Math.min(...serial) / Math.min(...cpuMs)).toFixed(2)
      : null,
  };
}

/** One serial run of the CPU job in this thread (ms). */
export function serialOnce() {
  const t0 = performance.now();
  for (const [lo, hi] of primeChunks()) countPrimes(lo, hi);
  return performance.now() - t0;
}

/** The best serial time of the CPU job in this process (ms, of 3). */
export function serialCpuMs() {
  const ts = [];
  for (let r = 0; r < 3; r++) ts.push(serialOnce());
  return Math.round(Math.min(...ts));
}

/** Runs every peer with `threads` workers; a peer that fails reports its error. */
export async function runPeers(
  {
    n = 100_000,
    rounds = 5,
    latN = 2000,
    threads = 2,
    cpu = true,
    timeoutS = 60,
  } = {},
) {
  const filename = fileURLToPath(import.meta.url);
  const opts = { n, rounds, latN, cpu };
  const out = {};
  const peers = {
    async piscina() {
      const { Piscina } = await import("piscina");
      const pool = new Piscina({
        filename,
        minThreads: threads,
        maxThreads: threads,
      });
      try {
        return await measurePool(
          (name, args) =>
            pool.run(name === "inc" ? args[0] : args, {
              name: name === "inc" ? "default" : "countPrimesArgs",
            }),
          opts,
        );
      } finally {
        await pool.destroy();
      }
    },
    async tinypool() {
      const { Tinypool } = await import("tinypool");
      const pool = new Tinypool({
        filename,
        minThreads: threads,
        maxThreads: threads,
      });
      try {
        return await measurePool(
          (name, args) =>
            pool.run(name === "inc" ? args[0] : args, {
              name: name === "inc" ? "default" : "countPrimesArgs",
            }),
          opts,
        );
      } finally {
        await pool.destroy();
      }
    },
    async workerpool() {
      const workerpool = (await import("workerpool")).default;
      const pool = workerpool.pool(filename, {
        minWorkers: threads,
        maxWorkers: threads,
        workerType: "thread",
        workerThreadOpts: { workerData: { workerpoolBench: true } },
      });
      try {
        return await measurePool((name, args) => pool.exec(name, args), opts);
      } finally {
        await pool.terminate();
      }
    },
  };
  for (const [name, fn] of Object.entries(peers)) {
    let timer;
    try {
      out[name] = await Promise.race([
        fn(),
        new Promise((_, reject) => {
          timer = setTimeout(
            () => reject(new Error(`no answer within ${timeoutS} s`)),
            timeoutS * 1000,
          );
          timer.unref?.();
        }),
      ]);
    } catch (err) {
      out[name] = { error: String(err?.message ?? err).slice(0, 200) };
    } finally {
      clearTimeout(timer);
    }
  }
  return out;
}

/** piscina and tinypool pass one value: the CPU task takes its [lo, hi] pair. */
export function countPrimesArgs([lo, hi]) {
  return countPrimes(lo, hi);
}

if (isMainThread && process.argv[1] === fileURLToPath(import.meta.url)) {
  const quick = process.argv.includes("--quick");
  const peers = await runPeers({
    n: quick ? 20_000 : 100_000,
    rounds: quick ? 3 : 5,
    latN: quick ? 500 : 2000,
  });
  // A peer that never answered may hold workers: exit explicitly.
  console.log(JSON.stringify({
    runtime: `node ${process.version}`,
    serialCpuMs: serialCpuMs(),
    peers,
  }));
  process.exit(0);
}
