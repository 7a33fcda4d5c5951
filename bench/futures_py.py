"""CPython's concurrent.futures, measured the way bench/futures_compare.ts
measures ours:
    python3 bench/futures_py.py [--quick]    prints one JSON object

- tiny tasks (x + 1) submitted in a loop, then every result read: tasks/s;
- one task round trip (submit, then result()), sequentially: microseconds;
- the CPU job (primes by trial division in 16 chunks) serially and on two
  workers, alternating, the speedup being the ratio of the best times (the limit is lower than in the JS benchmark, since
  CPython is about 30x slower at this loop; only the ratio matters);
- ProcessPoolExecutor start-up: constructing a pool of two, getting a
  first result and shutting it down: milliseconds, with the default start
  method (fork on Linux before 3.14) and with "spawn" (a fresh interpreter,
  as our children are a fresh runtime).
"""
import json
import multiprocessing
import statistics
import sys
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor


def inc(x):
    return x + 1


def count_primes(lo, hi):
    n = 0
    for i in range(max(2, lo), hi):
        p = True
        d = 2
        while d * d <= i:
            if i % d == 0:
                p = False
                break
            d += 1
        if p:
            n += 1
    return n


def chunks(limit, k=16):
    return [(i * limit // k, (i + 1) * limit // k) for i in range(k)]


def throughput(ex, n, rounds):
    out = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        fs = [ex.submit(inc, i) for i in range(n)]
        rs = [f.result() for f in fs]
        dt = time.perf_counter() - t0
        assert rs[-1] == n
        out.append(n / dt)
    return round(statistics.median(out))


def throughput_map(ex, n, rounds, chunksize):
    out = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        rs = list(ex.map(inc, range(n), chunksize=chunksize))
        dt = time.perf_counter() - t0
        assert rs[-1] == n
        out.append(n / dt)
    return round(statistics.median(out))


def latency(ex, n, rounds):
    out = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        for i in range(n):
            ex.submit(inc, i).result()
        out.append((time.perf_counter() - t0) / n * 1e6)
    return round(statistics.median(out), 1)


def serial_once(limit):
    t0 = time.perf_counter()
    total = sum(count_primes(lo, hi) for lo, hi in chunks(limit))
    return (time.perf_counter() - t0) * 1000, total


def cpu(ex, limit, rounds):
    """Alternates the serial run and the pool run; best times and their ratio."""
    serial, pool = [], []
    for _ in range(rounds):
        ms, expected = serial_once(limit)
        serial.append(ms)
        t0 = time.perf_counter()
        fs = [ex.submit(count_primes, lo, hi) for lo, hi in chunks(limit)]
        total = sum(f.result() for f in fs)
        pool.append((time.perf_counter() - t0) * 1000)
        assert total == expected
    return {
        "cpuMs": round(min(pool)),
        "serialMs": round(min(serial)),
        "speedup": round(min(serial) / min(pool), 2),
    }


def main():
    quick = "--quick" in sys.argv
    n = 20_000 if quick else 100_000
    rounds = 3 if quick else 5
    lat_n = 500 if quick else 2000
    limit = 100_000 if quick else 300_000
    res = {"runtime": "CPython " + sys.version.split()[0]}

    res["cpuLimit"] = limit

    with ThreadPoolExecutor(max_workers=2) as ex:
        ex.submit(inc, 0).result()
        res["ThreadPoolExecutor"] = {
            "tasksPerSec": throughput(ex, n, rounds),
            "mapTasksPerSec": throughput_map(ex, n, rounds, 1),
            "latencyUs": latency(ex, lat_n, rounds),
        }
        res["ThreadPoolExecutor"].update(cpu(ex, limit, rounds))

    def startup(ctx):
        starts = []
        for _ in range(3 if quick else 5):
            t0 = time.perf_counter()
            with ProcessPoolExecutor(max_workers=2, mp_context=ctx) as ex:
                ex.submit(inc, 0).result()
                starts.append((time.perf_counter() - t0) * 1000)
        return round(statistics.median(starts), 1)

    pn = n // 5
    with ProcessPoolExecutor(max_workers=2) as ex:
        ex.submit(inc, 0).result()
        ex.submit(inc, 0).result()
        res["ProcessPoolExecutor"] = {
            "startupMs": startup(None),
            "startupSpawnMs": startup(multiprocessing.get_context("spawn")),
            "tasksPerSec": throughput(ex, pn, rounds),
            "mapChunked256TasksPerSec": throughput_map(ex, n, rounds, 256),
            "latencyUs": latency(ex, lat_n // 4, rounds),
        }
        res["ProcessPoolExecutor"].update(cpu(ex, limit, rounds))
    print(json.dumps(res))


if __name__ == "__main__":
    main()
