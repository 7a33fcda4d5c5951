# CPython's multiprocessing Pipe, for bench/multiprocessing_pipe_compare.ts:
#   python3 bench/multiprocessing_pipe_py.py [--quick]
# The same measures (spawn start method), median of 3 rounds; prints JSON.
import json
import multiprocessing as mp
import sys
import time


def echo(c, n):
    for _ in range(n):
        c.send(c.recv())


def prod(c, n):
    for i in range(n):
        c.send(i)


def big(c, size, n):
    b = bytes(size)
    for _ in range(n):
        c.send_bytes(b)


def ping_pong(n):
    a, b = mp.Pipe()
    p = mp.Process(target=echo, args=(b, n + 200))
    p.start()
    b.close()
    for i in range(200):
        a.send(i)
        a.recv()
    t0 = time.perf_counter()
    for i in range(n):
        a.send(i)
        a.recv()
    us = (time.perf_counter() - t0) * 1e6 / n
    p.join()
    a.close()
    return us


def items(n):
    r, w = mp.Pipe(False)
    p = mp.Process(target=prod, args=(w, n + 1))
    p.start()
    w.close()
    r.recv()
    t0 = time.perf_counter()
    for _ in range(n):
        r.recv()
    rate = n / (time.perf_counter() - t0)
    p.join()
    r.close()
    return rate


def big_mbps(count):
    size = 10 * 1024 * 1024
    r, w = mp.Pipe(False)
    p = mp.Process(target=big, args=(w, size, count + 1))
    p.start()
    w.close()
    r.recv_bytes()
    t0 = time.perf_counter()
    for _ in range(count):
        r.recv_bytes()
    mbps = count * 10 / (time.perf_counter() - t0)
    p.join()
    r.close()
    return mbps


if __name__ == "__main__":
    mp.set_start_method("spawn")
    rounds = 1 if "--quick" in sys.argv else 3
    med = lambda f: round(sorted(f() for _ in range(rounds))[rounds // 2], 1)
    pp = med(lambda: ping_pong(5000))
    print(json.dumps({
        "pingPongAsyncUs": pp,
        "pingPongSyncUs": pp,
        "itemsPerSec": med(lambda: items(100_000)),
        "tenMBps": med(lambda: big_mbps(8)),
    }))
