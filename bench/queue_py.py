"""CPython's side of the queue benchmarks: python3 bench/queue_py.py [--quick]

Prints one JSON line with the same keys as bench/queue_compare.ts: put+get
in one thread, and items/s from one thread to another through queue.Queue
(numbers, short strings, small dicts, 64 KiB bytes objects).
"""
import json
import queue
import statistics
import sys
import threading
import time

quick = "--quick" in sys.argv
RUNS = 3 if quick else 5
N = {
    "number": 200_000 if quick else 1_000_000,
    "string": 200_000 if quick else 1_000_000,
    "object": 100_000 if quick else 500_000,
    "buffer64k": 1_000 if quick else 2_000,
}
BUF = bytes(65536)


def maker(payload):
    if payload == "number":
        return lambda i: i
    if payload == "string":
        return lambda i: f"item {i}"
    if payload == "object":
        return lambda i: {"id": i, "name": "item", "tags": ["a", "b"]}
    # bytes are immutable and passed by reference: no copy, unlike JS.
    return lambda i: BUF


res = {}
for payload in ("number", "string", "object"):
    make = maker(payload)
    n = N[payload] // 2
    xs = []
    for _ in range(RUNS):
        q = queue.Queue()
        t0 = time.perf_counter()
        for i in range(n):
            q.put(make(i))
            q.get()
        xs.append(n / (time.perf_counter() - t0))
    res[f"one_thread_put_get_{payload}"] = statistics.median(xs)

for payload in ("number", "string", "object", "buffer64k"):
    make = maker(payload)
    n = N[payload]
    xs = []
    for _ in range(RUNS):
        q = queue.Queue()
        out = {}

        def consume():
            q.get()
            t0 = time.perf_counter()
            for _ in range(n - 1):
                q.get()
            out["s"] = time.perf_counter() - t0

        def produce():
            for i in range(n):
                q.put(make(i))

        c = threading.Thread(target=consume)
        p = threading.Thread(target=produce)
        c.start()
        p.start()
        p.join()
        c.join()
        xs.append((n - 1) / out["s"])
    res[f"thread_to_thread_{payload}"] = statistics.median(xs)

print(json.dumps(res))
