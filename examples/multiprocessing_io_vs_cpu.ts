// multiprocessing: the chapter's advice made concrete: an IO-bound job on threads, a CPU-bound job on processes, printing the times.
//
// Python's docs: threads suit IO-bound work (they wait together), processes
// suit CPU-bound work (each runs on its own core). Both jobs run serially
// first, then on a pool with the same API: multiprocessing.dummy's thread
// Pool for the waiting, multiprocessing's process Pool for the computing.
// A worker Queue and a shared Value show the module's objects crossing into
// child processes.
//
// The Python version:
//
//     with multiprocessing.dummy.Pool(8) as pool: pool.map(fetch, urls)
//     with multiprocessing.Pool(2) as pool: sum(pool.starmap(count_primes, ranges))
import { Pool, Process, Queue, Value } from "../multiprocessing/mod.ts";
import { Pool as ThreadPool } from "../multiprocessing/dummy/mod.ts";

/** Pretends to fetch something: 100 ms of waiting, like a network call. */
async function fetchLike(id: number): Promise<string> {
  await new Promise((r) => setTimeout(r, 100));
  return `page ${id}`;
}

/** Counts the primes in [lo, hi) by trial division: pure CPU. */
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

const ms = (t0: number) => `${(performance.now() - t0).toFixed(0)} ms`;

// IO-bound: 8 fetches, one after another, then on 8 threads.
const ids = [1, 2, 3, 4, 5, 6, 7, 8];
let t0 = performance.now();
for (const id of ids) await fetchLike(id);
console.log(`IO-bound, serial:               ${ms(t0)}`);
{
  await using threads = new ThreadPool(8);
  await threads.map((x: number) => x, ids, { chunksize: 1 }); // start the threads before timing
  t0 = performance.now();
  const pages = await threads.map(fetchLike, ids, { chunksize: 1 });
  console.log(
    `IO-bound, 8 threads:            ${ms(t0)} (${pages.length} pages)`,
  );
}

// CPU-bound: primes below 4,000,000 in 8 ranges, serially, then on 2 processes.
const ranges = Array.from(
  { length: 8 },
  (_, i) => [i * 500_000, (i + 1) * 500_000] as [number, number],
);
t0 = performance.now();
let serial = 0;
for (const [lo, hi] of ranges) serial += countPrimes(lo, hi);
console.log(`CPU-bound, serial:              ${ms(t0)} (${serial} primes)`);
{
  await using processes = new Pool(2);
  await processes.apply(() => 0); // start the workers before timing
  await processes.apply(() => 0);
  t0 = performance.now();
  const counts = await processes.starmap(countPrimes, ranges);
  const total = counts.reduce((a, b) => a + b, 0);
  console.log(`CPU-bound, 2 processes:         ${ms(t0)} (${total} primes)`);
}

// Shared objects cross into child processes as live handles.
const results = new Queue<number>();
const done = new Value("i", 0);
const workers = [0, 1].map((k) =>
  new Process({
    target: (q: Queue<number>, done: Value, lo: number, hi: number) => {
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
      q.putSync(n);
      using _held = done.holdSync();
      done.value += 1;
    },
    args: [results, done, k * 2_000_000, (k + 1) * 2_000_000],
  })
);
t0 = performance.now();
for (const w of workers) await w.start();
const halves = [await results.get(), await results.get()];
for (const w of workers) await w.join();
console.log(
  `CPU-bound, 2 Process objects:   ${ms(t0)} (${
    halves[0] + halves[1]
  } primes, ${done.value} workers done)`,
);
