// futures: count the primes below 2,000,000 in chunks, serially and with each executor, printing the times.
//
// A CPU-bound job split into 16 chunks. Run one after another in this
// thread, then on a ThreadPoolExecutor (Web Workers) and a
// ProcessPoolExecutor (child processes) with two workers each, best of three
// runs each. On a machine with two free cores the pools take about half the
// serial time.
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

// Each way runs three times and the best time counts: on a shared machine
// other work only ever adds time.
const ROUNDS = 3;

function serialOnce(): [number, number] {
  const t0 = performance.now();
  let n = 0;
  for (let i = 0; i < CHUNKS; i++) n += countPrimes(los[i], his[i]);
  return [n, performance.now() - t0];
}

let serial = 0;
let serialMs = Infinity;
for (let r = 0; r < ROUNDS; r++) {
  const [n, ms] = serialOnce();
  serial = n;
  serialMs = Math.min(serialMs, ms);
}
console.log(
  `serial:              ${serial} primes in ${serialMs.toFixed(0)} ms`,
);

async function timed(name: string, ex: Executor): Promise<void> {
  // Start the workers first, so the time is the job's alone.
  await Promise.all([ex.submit(() => 0), ex.submit(() => 0)]);
  let best = Infinity;
  for (let r = 0; r < ROUNDS; r++) {
    const t0 = performance.now();
    let total = 0;
    for await (const n of ex.map(countPrimes, los, his)) total += n as number;
    best = Math.min(best, performance.now() - t0);
    if (total !== serial) throw new Error(`${name} counted ${total}`);
  }
  await ex.shutdown();
  console.log(
    `${name.padEnd(20)} ${serial} primes in ${best.toFixed(0)} ms (${
      (serialMs / best).toFixed(2)
    }x)`,
  );
}

await timed("ThreadPoolExecutor:", new ThreadPoolExecutor({ maxWorkers: 2 }));
await timed("ProcessPoolExecutor:", new ProcessPoolExecutor({ maxWorkers: 2 }));
