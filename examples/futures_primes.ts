// futures: count the primes below 2,000,000 in chunks, serially and with each executor, printing the times.
//
// A CPU-bound job split into 16 chunks. Run one after another in this
// thread, then on a ThreadPoolExecutor (Web Workers) and a
// ProcessPoolExecutor (child processes) with two workers each. On a machine
// with two free cores the pools take about half the serial time.
//
// The Python version of the pool part:
//
//     with ProcessPoolExecutor(max_workers=2) as ex:
//         total = sum(ex.map(count_primes, los, his))
import {
  type Executor,
  ProcessPoolExecutor,
  ThreadPoolExecutor,
} from "../futures/mod.ts";

/** Counts the primes in [lo, hi) by trial division. Self-contained, so it can be sent to a worker. */
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

const LIMIT = 2_000_000;
const CHUNKS = 16;
const los = Array.from({ length: CHUNKS }, (_, i) => (i * LIMIT) / CHUNKS);
const his = los.map((lo) => lo + LIMIT / CHUNKS);

let t0 = performance.now();
let serial = 0;
for (let i = 0; i < CHUNKS; i++) serial += countPrimes(los[i], his[i]);
const serialMs = performance.now() - t0;
console.log(
  `serial:              ${serial} primes in ${serialMs.toFixed(0)} ms`,
);

async function timed(name: string, ex: Executor): Promise<void> {
  // Start the workers first, so the time is the job's alone.
  await Promise.all([ex.submit(() => 0), ex.submit(() => 0)]);
  t0 = performance.now();
  let total = 0;
  for await (const n of ex.map(countPrimes, los, his)) total += n as number;
  const ms = performance.now() - t0;
  await ex.shutdown();
  if (total !== serial) throw new Error(`${name} counted ${total}`);
  console.log(
    `${name.padEnd(20)} ${total} primes in ${ms.toFixed(0)} ms (${
      (serialMs / ms).toFixed(2)
    }x)`,
  );
}

await timed("ThreadPoolExecutor:", new ThreadPoolExecutor({ maxWorkers: 2 }));
await timed("ProcessPoolExecutor:", new ProcessPoolExecutor({ maxWorkers: 2 }));
