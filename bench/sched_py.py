# sched: enter + run cost per event with a fake clock, in CPython.
# Usage: python3 bench/sched_py.py [--json]
# Mirrors bench/sched_compare.ts: the same schedule, the same fake clock.
import json
import platform
import sched
import sys
import time


def round_(n, mode):
    state = [0]

    def timefunc():
        return state[0]

    def delayfunc(d):
        state[0] += d

    s = sched.scheduler(timefunc, delayfunc)
    count = [0]

    def action():
        count[0] += 1

    t0 = time.perf_counter()
    events = [None] * n if mode == "cancel" else None
    enterabs = s.enterabs
    for i in range(n):
        e = enterabs((i * 2654435761) % n, i % 3, action)
        if events is not None:
            events[i] = e
    t1 = time.perf_counter()
    if events is not None:
        for i in range(0, n, 4):
            s.cancel(events[i])
    t2 = time.perf_counter()
    s.run()
    t3 = time.perf_counter()
    expected = n - (n + 3) // 4 if mode == "cancel" else n
    assert count[0] == expected, (count[0], expected)
    return t1 - t0, t2 - t1, t3 - t2


def main():
    as_json = "--json" in sys.argv
    runtime = f"cpython {platform.python_version()}"
    results = []
    cases = [(100_000, "run", 7), (1_000_000, "run", 3),
             # CPython's cancel is list.remove + heapify, O(n) each: keep n small.
             (10_000, "cancel", 5), (20_000, "cancel", 3)]
    for n, mode, reps in cases:
        round_(min(n, 10_000), mode)  # warm-up
        times = []
        best = None
        for _ in range(reps):
            t = round_(n, mode)
            total = sum(t)
            if best is None or total < sum(best):
                best = t
            times.append(total)
        times.sort()
        median = times[len(times) // 2]
        row = {
            "runtime": runtime,
            "case": "enter+cancel 1/4+run" if mode == "cancel" else "enter+run",
            "n": n,
            "medianSeconds": median,
            "eventsPerSecond": round(n / median),
            "bestEnterNsPerEvent": round(best[0] / n * 1e9),
            "bestRunNsPerEvent": round(best[2] / n * 1e9),
        }
        results.append(row)
        if not as_json:
            print(f"{runtime:<12} {row['case']:<26} n={n:>7}  {row['eventsPerSecond']:>11,} events/s"
                  f"  (median {median * 1000:.1f} ms; enter {row['bestEnterNsPerEvent']} ns,"
                  f" run {row['bestRunNsPerEvent']} ns per event)")
    if as_json:
        print(json.dumps(results))


main()
