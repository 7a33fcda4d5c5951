"""CPython's multiprocessing Lock and Value on the benchmarks of
bench/multiprocessing_sync_compare.ts.

    python3 bench/multiprocessing_sync_py.py [--quick]

Prints one JSON object: medians of several rounds, start method "spawn".
CPython's Lock is a POSIX semaphore in shared memory and Value a ctypes
object in a shared mmap; `Value(...).value` takes the value's RLock on each
read and write (the "synchronized wrapper"), `RawValue`/`lock=False` does not.
"""
import json
import multiprocessing as mp
import statistics
import sys
import time

QUICK = "--quick" in sys.argv
ROUNDS = 3 if QUICK else 5
N = 100_000 if QUICK else 300_000


def ns_per(fn, n):
    times = []
    for _ in range(ROUNDS):
        t0 = time.perf_counter()
        fn(n)
        times.append((time.perf_counter() - t0) / n * 1e9)
    return statistics.median(times)


def lock_loop(lock):
    def run(n):
        acq = lock.acquire
        rel = lock.release
        for _ in range(n):
            acq()
            rel()
    return run


def read_loop(v):
    def run(n):
        for _ in range(n):
            v.value
    return run


def inc_loop(v):
    def run(n):
        for _ in range(n):
            v.value += 1
    return run


def locked_inc_loop(lock, raw):
    def run(n):
        for _ in range(n):
            with lock:
                raw.value += 1
    return run


def measures(lock, v, raw):
    return {
        "lock_ns": ns_per(lock_loop(lock), N),
        "locked_inc_ns": ns_per(locked_inc_loop(lock, raw), N),
        "value_read_ns": ns_per(read_loop(v), N),
        "value_inc_ns": ns_per(inc_loop(v), N),
        "raw_value_read_ns": ns_per(read_loop(raw), N),
        "raw_value_inc_ns": ns_per(inc_loop(raw), N),
    }


def child_measures(lock, v, raw, q):
    q.put(measures(lock, v, raw))


def counter_child(lock, v, go, n):
    go.wait()
    for _ in range(n):
        with lock:
            v.value += 1


def counter(ctx, n):
    times = []
    for _ in range(ROUNDS):
        lock = ctx.Lock()
        v = ctx.Value("i", 0, lock=False)
        go = ctx.Event()
        ps = [ctx.Process(target=counter_child, args=(lock, v, go, n))
              for _ in range(4)]
        for p in ps:
            p.start()
        time.sleep(0.5)  # let them start and block on go
        t0 = time.perf_counter()
        go.set()
        for p in ps:
            p.join()
        dt = time.perf_counter() - t0
        assert v.value == 4 * n, v.value
        times.append(dt / (4 * n) * 1e9)
    return statistics.median(times)


def main():
    ctx = mp.get_context("spawn")
    lock = ctx.Lock()
    v = ctx.Value("i", 0)
    raw = ctx.Value("i", 0, lock=False)
    out = {"python": sys.version.split()[0], "parent": measures(lock, v, raw)}
    q = ctx.Queue()
    p = ctx.Process(target=child_measures, args=(lock, v, raw, q))
    p.start()
    out["child"] = q.get()
    p.join()
    out["counter4_ns"] = counter(ctx, 20_000 if QUICK else 50_000)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
