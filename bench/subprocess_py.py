"""CPython's side of bench/subprocess_compare.ts: the same cases with
subprocess.run / check_output, printed as JSON (median microseconds per call,
and milliseconds for the 100 MB pipe)."""
import json
import statistics
import subprocess
import sys
import time

N = int(sys.argv[1]) if len(sys.argv) > 1 else 200
ROUNDS = int(sys.argv[2]) if len(sys.argv) > 2 else 5


def per_call_us(fn, n=N, rounds=ROUNDS):
    fn()  # warm up
    samples = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        for _ in range(n):
            fn()
        samples.append((time.perf_counter() - t0) / n * 1e6)
    return statistics.median(samples)


def pipe_ms(rounds=ROUNDS):
    samples = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        out = subprocess.run(["head", "-c", "100000000", "/dev/zero"],
                             stdout=subprocess.PIPE).stdout
        samples.append((time.perf_counter() - t0) * 1e3)
        assert len(out) == 100_000_000
    return statistics.median(samples)


print(json.dumps({
    "python": sys.version.split()[0],
    "run_true_us": per_call_us(lambda: subprocess.run(["true"])),
    "check_output_echo_us": per_call_us(
        lambda: subprocess.check_output(["echo", "hi"])),
    "pipe_100mb_ms": pipe_ms(),
}))
