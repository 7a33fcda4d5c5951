"""CPython's multiprocessing on the benchmarks of bench/multiprocessing_compare.ts.

    python3 bench/multiprocessing_py.py [--quick]

Prints one JSON object: medians of several rounds. Start method "spawn",
the only one the JS side has (and Python's default on macOS and Windows);
"fork" figures are printed too, for reference.
"""
import json
import multiprocessing as mp
import statistics
import sys
import time

QUICK = "--quick" in sys.argv
ROUNDS = 3 if QUICK else 5


def noop():
    pass


def inc(x):
    return x + 1


def count_primes(lo, hi):
    n = 0
    for i in range(max(2, lo), hi):
        d = 2
        prime = True
        while d * d <= i:
            if i % d == 0:
                prime = False
                break
            d += 1
        if prime:
            n += 1
    return n


def producer(q, n):
    for i in range(n):
        q.put(i)


def bench(ctx):
    out = {}
    # Process start + join latency (ms).
    lat = []
    for _ in range(10 if QUICK else 20):
        t0 = time.perf_counter()
        p = ctx.Process(target=noop)
        p.start()
        p.join()
        lat.append((time.perf_counter() - t0) * 1000)
    out["start_join_ms"] = statistics.median(lat)

    with ctx.Pool(2) as pool:
        pool.map(inc, range(100))  # start the workers
        # Pool.map of tiny tasks (items/s), default chunksize.
        n = 20_000 if QUICK else 100_000
        xs = list(range(n))
        times = []
        for _ in range(ROUNDS):
            t0 = time.perf_counter()
            r = pool.map(inc, xs)
            times.append(time.perf_counter() - t0)
            assert r[-1] == n
        out["map_tiny_per_s"] = n / statistics.median(times)
        # One apply round trip (µs).
        rt = []
        for _ in range(ROUNDS):
            t0 = time.perf_counter()
            for i in range(200):
                pool.apply(inc, (i,))
            rt.append((time.perf_counter() - t0) / 200 * 1e6)
        out["apply_roundtrip_us"] = statistics.median(rt)
        # CPU-bound chunks: primes below 300,000 in 8 chunks (ms), and serial.
        hi = 300_000
        ranges = [(i * hi // 8, (i + 1) * hi // 8) for i in range(8)]
        times = []
        for _ in range(ROUNDS):
            t0 = time.perf_counter()
            total = sum(pool.starmap(count_primes, ranges))
            times.append((time.perf_counter() - t0) * 1000)
        out["cpu_chunks_ms"] = statistics.median(times)
        t0 = time.perf_counter()
        assert sum(count_primes(a, b) for a, b in ranges) == total
        out["cpu_serial_ms"] = (time.perf_counter() - t0) * 1000

    # Queue items/s from a child to the parent.
    n = 20_000 if QUICK else 50_000
    times = []
    for _ in range(ROUNDS):
        q = ctx.Queue()
        p = ctx.Process(target=producer, args=(q, n))
        p.start()
        q.get()  # the child is running
        t0 = time.perf_counter()
        for _ in range(n - 1):
            q.get()
        times.append(time.perf_counter() - t0)
        p.join()
    out["queue_items_per_s"] = (n - 1) / statistics.median(times)
    return out


if __name__ == "__main__":
    result = {"runtime": f"CPython {sys.version.split()[0]}"}
    result["spawn"] = bench(mp.get_context("spawn"))
    result["fork"] = bench(mp.get_context("fork"))
    print(json.dumps(result))
