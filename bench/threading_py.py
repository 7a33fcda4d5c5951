"""CPython's side of the threading benchmarks: python3 bench/threading_py.py

Prints one JSON line with the same keys as bench/threading_compare.ts.
"""
import json
import statistics
import threading
import time

RUNS = 5
res = {}

# 1. Uncontended acquire + release.
N = 2_000_000
lock = threading.Lock()
xs = []
for _ in range(RUNS):
    t0 = time.perf_counter()
    for _ in range(N):
        lock.acquire()
        lock.release()
    xs.append((time.perf_counter() - t0) * 1e9 / N)
res["lock_uncontended_ns"] = statistics.median(xs)

# 2. A Lock contended by 2 threads.
N = 200_000
xs = []
for _ in range(RUNS):
    lock = threading.Lock()
    counter = [0]
    def hammer():
        for _ in range(N):
            with lock:
                counter[0] += 1
    ts = [threading.Thread(target=hammer) for _ in range(2)]
    t0 = time.perf_counter()
    for t in ts: t.start()
    for t in ts: t.join()
    xs.append((time.perf_counter() - t0) * 1e9 / (2 * N))
    assert counter[0] == 2 * N
res["lock_contended_2_workers_ns"] = statistics.median(xs)

# 3. Event ping-pong between two threads.
ROUNDS = 20_000
xs = []
for _ in range(RUNS):
    ping, pong = threading.Event(), threading.Event()
    out = [0.0]
    def pinger():
        t0 = time.perf_counter()
        for _ in range(ROUNDS):
            ping.set(); pong.wait(); pong.clear()
        out[0] = time.perf_counter() - t0
    def ponger():
        for _ in range(ROUNDS):
            ping.wait(); ping.clear(); pong.set()
    ts = [threading.Thread(target=ponger), threading.Thread(target=pinger)]
    for t in ts: t.start()
    for t in ts: t.join()
    xs.append(out[0] * 1e6 / ROUNDS)
res["event_pingpong_workers_us"] = statistics.median(xs)

# 5. Thread start + join.
xs = []
for _ in range(20):
    t0 = time.perf_counter()
    t = threading.Thread(target=lambda: None)
    t.start(); t.join()
    xs.append((time.perf_counter() - t0) * 1e3)
res["thread_start_join_ms"] = statistics.median(xs)

print(json.dumps({"runtime": "cpython", **res}))
