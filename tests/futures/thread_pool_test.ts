import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  BrokenExecutor,
  BrokenThreadPool,
  CancelledError,
  Executor,
  Future,
  move,
  ThreadPoolExecutor,
} from "../../futures/mod.ts";
import { Event, Lock } from "../../threading/mod.ts";
import { Queue } from "../../queue/mod.ts";
import { RuntimeError, ValueError } from "../../mod.ts";
import { liveResources } from "../../_internal/runtime/resources.ts";
import { cpuCount } from "../../_internal/runtime/adapter.ts";
import { assertNoLeaks } from "../_leaks.ts";
import {
  quietly,
  runScript,
  sleep,
  targetsUrl,
  threadingUrl,
} from "./_util.ts";

const workers = () => liveResources().filter((r) => r.kind === "worker");

describe("ThreadPoolExecutor", () => {
  it("ThreadPoolExecutor.submit() runs a function target with its arguments", async () => {
    const ex = new ThreadPoolExecutor({ maxWorkers: 2 });
    try {
      assert.ok(ex instanceof Executor);
      const f = ex.submit(
        (a: number, b: { s: string[] }) => a + b.s.length,
        1,
        {
          s: ["x", "y"],
        },
      );
      assert.ok(f instanceof Future);
      assert.equal(await f.result(), 3);
      assert.equal(f.done(), true);
      const m = await ex.submit(
        (m: Map<string, Date>) => m.get("d")!.getTime(),
        new Map([["d", new Date(5)]]),
      );
      assert.equal(m, 5);
    } finally {
      await ex.shutdown();
    }
  });

  it("ThreadPoolExecutor.submit() awaits an async target", async () => {
    await using ex = new ThreadPoolExecutor({ maxWorkers: 1 });
    const f = ex.submit(async (ms: number) => {
      await new Promise((r) => setTimeout(r, ms));
      return "slept";
    }, 20);
    assert.equal(f.running() || !f.done(), true);
    assert.equal(await f, "slept");
  });

  it("ThreadPoolExecutor.submit() runs module targets, default and named", async () => {
    await using ex = new ThreadPoolExecutor({ maxWorkers: 1 });
    assert.equal(await ex.submit({ module: targetsUrl }, 2, 3), 5);
    assert.equal(
      await ex.submit({ module: targetsUrl, name: "sleepy" }, 1, "z"),
      "z",
    );
    const missing = ex.submit({ module: targetsUrl, name: "nope" });
    await assert.rejects(missing.result(), /no function export named 'nope'/);
  });

  it("ThreadPoolExecutor.submit() rejects targets that cannot be sent", async () => {
    await using ex = new ThreadPoolExecutor({ maxWorkers: 1 });
    assert.throws(() => ex.submit(Math.max), TypeError);
    assert.throws(() => ex.submit(42 as never), TypeError);
    assert.throws(() => ex.submit({ module: 1 } as never), TypeError);
  });

  it("ThreadPoolExecutor tasks fail with the thrown error: class, message, stack, cause, properties", async () => {
    await using ex = new ThreadPoolExecutor({ maxWorkers: 1 });
    const f = ex.submit({ module: targetsUrl, name: "fail" }, "bad value");
    const err = await f.exception() as ValueError & { code: number };
    assert.ok(err instanceof ValueError);
    assert.equal(err.message, "bad value");
    assert.match(err.stack ?? "", /fail/);
    assert.ok(err.cause instanceof TypeError);
    assert.equal(err.code, 42);
    await assert.rejects(f.result(), ValueError);
    const g = ex.submit(() => {
      throw new RangeError("range");
    });
    await assert.rejects(g.result(), (e) => e instanceof RangeError);
    const h = ex.submit(() => {
      throw "a string";
    });
    assert.equal(await h.exception(), "a string");
  });

  it("ThreadPoolExecutor passes shareable objects live: Event, Lock, Queue", async () => {
    await using ex = new ThreadPoolExecutor({ maxWorkers: 2 });
    const go = new Event();
    const lock = new Lock();
    const q = new Queue<number>();
    const waiter = ex.submit(
      (go: Event, q: Queue<number>) => {
        const ok = go.waitSync(5);
        q.putSync(ok ? 1 : 0);
        return ok;
      },
      go,
      q,
    );
    await sleep(20);
    assert.equal(waiter.done(), false);
    go.set();
    assert.equal(await waiter, true);
    assert.equal(q.getNowait(), 1);
    lock.acquireSync();
    const tryLock = await ex.submit(
      (l: Lock) => l.acquireSync({ blocking: false }),
      lock,
    );
    assert.equal(tryLock, false);
    lock.release();
    const returned = await ex.submit((e: Event) => e, go) as Event;
    assert.equal(returned.isSet(), true);
  });

  it("ThreadPoolExecutor names its workers after threadNamePrefix", async () => {
    await using ex = new ThreadPoolExecutor({
      maxWorkers: 1,
      threadNamePrefix: "crunch",
    });
    const name = await ex.submit(async (url: string) => {
      const { currentThread } = await import(url);
      return currentThread().name;
    }, threadingUrl);
    assert.equal(name, "crunch_0");
    const other = new ThreadPoolExecutor({ maxWorkers: 1 });
    const n2 = await other.submit(async (url: string) => {
      const { currentThread } = await import(url);
      return currentThread().name;
    }, threadingUrl);
    assert.match(n2 as string, /^ThreadPoolExecutor-\d+_0$/);
    await other.shutdown();
  });

  it("ThreadPoolExecutor defaults maxWorkers to min(32, cpuCount() + 4)", async () => {
    const ex = new ThreadPoolExecutor();
    assert.equal(ex.maxWorkers, Math.min(32, cpuCount() + 4));
    await ex.shutdown();
  });

  it("ThreadPoolExecutor rejects a bad maxWorkers, initializer or initargs", () => {
    assert.throws(
      () => new ThreadPoolExecutor({ maxWorkers: 0 }),
      (e: unknown) =>
        e instanceof ValueError &&
        e.message === "maxWorkers must be greater than 0",
    );
    assert.throws(() => new ThreadPoolExecutor({ maxWorkers: -1 }), ValueError);
    assert.throws(() => new ThreadPoolExecutor({ maxWorkers: 1.5 }), TypeError);
    assert.throws(
      () => new ThreadPoolExecutor({ initializer: 3 as never }),
      TypeError,
    );
    assert.throws(
      () => new ThreadPoolExecutor({ initargs: 3 as never }),
      TypeError,
    );
  });

  it("ThreadPoolExecutor starts workers on demand and reuses them", async () => {
    const before = workers().length;
    await using ex = new ThreadPoolExecutor({ maxWorkers: 3 });
    assert.equal(workers().length, before);
    const idents = new Set<number>();
    for (let i = 0; i < 10; i++) {
      idents.add(
        await ex.submit(async (url: string) => {
          const { getIdent } = await import(url);
          return getIdent();
        }, threadingUrl) as number,
      );
    }
    assert.equal(idents.size, 1);
    assert.equal(workers().length, before + 1);
    const many = await Promise.all(
      Array.from({ length: 6 }, () =>
        ex.submit(async (ms: number) => {
          await new Promise((r) => setTimeout(r, ms));
          return 1;
        }, 30)),
    );
    assert.equal(many.length, 6);
    assert.ok(workers().length <= before + 3);
  });

  it("ThreadPoolExecutor runs at most maxWorkers tasks at once", async () => {
    await using ex = new ThreadPoolExecutor({ maxWorkers: 2 });
    const counter = new Int32Array(new SharedArrayBuffer(8));
    const fs = Array.from(
      { length: 8 },
      () =>
        ex.submit(async (c: Int32Array) => {
          const now = Atomics.add(c, 0, 1) + 1;
          let peak = Atomics.load(c, 1);
          while (now > peak) {
            Atomics.compareExchange(c, 1, peak, now);
            peak = Atomics.load(c, 1);
          }
          await new Promise((r) => setTimeout(r, 15));
          Atomics.sub(c, 0, 1);
        }, counter),
    );
    await Promise.all(fs);
    assert.equal(counter[1], 2);
  });

  it("ThreadPoolExecutor runs the initializer with initargs in each worker", async () => {
    await using ex = new ThreadPoolExecutor({
      maxWorkers: 1,
      initializer: { module: targetsUrl, name: "init" },
      initargs: [{ hello: "world" }],
    });
    assert.deepEqual(
      await ex.submit({ module: targetsUrl, name: "initialized" }),
      { hello: "world" },
    );
  });

  it("ThreadPoolExecutor with a failing initializer breaks with BrokenThreadPool", async () => {
    const ex = new ThreadPoolExecutor({
      maxWorkers: 2,
      initializer: () => {
        throw new RangeError("init failed");
      },
    });
    const { value: errs, logged } = await quietly(async () => {
      const fs = [ex.submit(() => 1), ex.submit(() => 2), ex.submit(() => 3)];
      return await Promise.all(fs.map((f) => f.exception(5)));
    });
    for (const e of errs) {
      assert.ok(e instanceof BrokenThreadPool);
      assert.ok(e instanceof BrokenExecutor);
      assert.ok(e instanceof RuntimeError);
      assert.equal(
        (e as Error).message,
        "A thread initializer failed, the thread pool is not usable anymore",
      );
      assert.ok((e as Error).cause instanceof RangeError);
    }
    assert.match(String(logged[0]?.[0]), /Exception in initializer/);
    assert.throws(() => ex.submit(() => 1), BrokenThreadPool);
    await ex.shutdown();
  });

  it("ThreadPoolExecutor.submit() after shutdown throws RuntimeError", async () => {
    const ex = new ThreadPoolExecutor({ maxWorkers: 1 });
    await ex.shutdown();
    await ex.shutdown();
    assert.throws(
      () => ex.submit(() => 1),
      (e: unknown) =>
        e instanceof RuntimeError &&
        e.message === "cannot schedule new futures after shutdown",
    );
  });

  it("ThreadPoolExecutor: cancel() on a pending task keeps it from ever running", async () => {
    await using ex = new ThreadPoolExecutor({ maxWorkers: 1 });
    const go = new Event();
    const ran = new Int32Array(new SharedArrayBuffer(4));
    const blocker = ex.submit((go: Event) => go.waitSync(5), go);
    const victim = ex.submit((ran: Int32Array) => {
      Atomics.add(ran, 0, 1);
    }, ran);
    await sleep(20);
    assert.equal(blocker.running(), true);
    assert.equal(victim.running(), false);
    assert.equal(victim.cancel(), true);
    assert.equal(blocker.cancel(), false);
    go.set();
    assert.equal(await blocker, true);
    await assert.rejects(victim.result(), CancelledError);
    assert.equal(await ex.submit(() => "after"), "after");
    assert.equal(Atomics.load(ran, 0), 0);
  });

  it("ThreadPoolExecutor.shutdown({ cancelFutures: true }) cancels every pending task", async () => {
    const ex = new ThreadPoolExecutor({ maxWorkers: 1 });
    const go = new Event();
    const blocker = ex.submit((go: Event) => go.waitSync(5), go);
    await sleep(20);
    const pending = Array.from(
      { length: 5 },
      (_, i) => ex.submit((x: number) => x, i),
    );
    const done = ex.shutdown({ wait: true, cancelFutures: true });
    for (const f of pending) assert.equal(f.cancelled(), true);
    assert.equal(blocker.running(), true);
    go.set();
    await done;
    assert.equal(await blocker, true);
    assert.equal(workers().length, 0);
  });

  it("ThreadPoolExecutor.shutdown({ wait: false }) returns at once; pending tasks still run", async () => {
    const ex = new ThreadPoolExecutor({ maxWorkers: 1 });
    const fs = [1, 2, 3].map((x) =>
      ex.submit(async (x: number) => {
        await new Promise((r) => setTimeout(r, 10));
        return x * 10;
      }, x)
    );
    await ex.shutdown({ wait: false });
    assert.ok(fs.every((f) => !f.done()));
    assert.deepEqual(await Promise.all(fs), [10, 20, 30]);
    await ex.shutdown();
  });

  it("ThreadPoolExecutor.shutdown() waits for running work and stops every worker", async () => {
    const ex = new ThreadPoolExecutor({ maxWorkers: 2 });
    const fs = [1, 2, 3, 4].map((x) =>
      ex.submit({ module: targetsUrl, name: "sleepy" }, 20, x)
    );
    await ex.shutdown();
    assert.ok(fs.every((f) => f.done()));
    assert.equal(workers().length, 0);
  });

  it("ThreadPoolExecutor supports await using", async () => {
    let f: Future<unknown>;
    {
      await using ex = new ThreadPoolExecutor({ maxWorkers: 1 });
      f = ex.submit({ module: targetsUrl, name: "sleepy" }, 20, "v");
    }
    assert.equal(f.done(), true);
    assert.equal(workers().length, 0);
  });

  it("ThreadPoolExecutor: a task that exits its worker breaks the pool within a second", async () => {
    const ex = new ThreadPoolExecutor({ maxWorkers: 2 });
    await ex.submit(() => 0); // one warm worker
    const t0 = performance.now();
    const running = ex.submit(async (ms: number) => {
      await new Promise((r) => setTimeout(r, ms));
    }, 3000);
    const killer = ex.submit(() => {
      (globalThis as unknown as { process: { exit(c: number): void } }).process
        .exit(3);
    });
    const pending = [ex.submit(() => 1), ex.submit(() => 2)];
    for (const f of [running, killer, ...pending]) {
      const e = await f.exception(5);
      assert.ok(e instanceof BrokenThreadPool, String(e));
      assert.match(
        (e as Error).message,
        /^A thread in the thread pool was terminated abruptly/,
      );
    }
    assert.ok(performance.now() - t0 < 1000);
    assert.throws(() => ex.submit(() => 1), BrokenThreadPool);
    await ex.shutdown();
    assert.equal(workers().length, 0);
  });

  it("ThreadPoolExecutor: an unhandled rejection or uncaught error in a task fails that task only", async () => {
    await using ex = new ThreadPoolExecutor({ maxWorkers: 1 });
    const a = ex.submit(() =>
      new Promise(() => {
        Promise.reject(new TypeError("nobody awaited me"));
      })
    );
    await assert.rejects(a.result(5), /nobody awaited me/);
    const b = ex.submit(() =>
      new Promise(() => {
        setTimeout(() => {
          throw new RangeError("thrown in a timer");
        }, 1);
      })
    );
    await assert.rejects(b.result(5), RangeError);
    assert.equal(await ex.submit((x: number) => x + 1, 1), 2);
  });

  it("ThreadPoolExecutor: a result that cannot be cloned fails its task", async () => {
    await using ex = new ThreadPoolExecutor({ maxWorkers: 1 });
    const fs = [
      ex.submit(() => 1),
      ex.submit(() => () => "a function"),
      ex.submit(() => 3),
    ];
    assert.equal(await fs[0], 1);
    await assert.rejects(fs[1].result(), /clone|serializ/i);
    assert.equal(await fs[2], 3);
  });

  it("ThreadPoolExecutor: an argument that cannot be cloned is a DataCloneError at submit", async () => {
    await using ex = new ThreadPoolExecutor({ maxWorkers: 1 });
    const ok = ex.submit((x: number) => x, 1);
    // Issue 14 item 8: thrown in the caller, naming the argument.
    assert.throws(() => ex.submit((x: unknown) => x, () => 1), {
      name: "DataCloneError",
      message: /^args\[0\] \(anonymous function\) could not be cloned: /,
    });
    assert.equal(await ok, 1);
    assert.equal(await ex.submit((x: number) => x, 2), 2);
  });

  it("move() transfers buffers to a task and back without copying", async () => {
    await using ex = new ThreadPoolExecutor({ maxWorkers: 1 });
    const buf = new Float64Array(1 << 16).fill(2);
    const ab = new ArrayBuffer(16);
    const f = ex.submit(
      async (a: Float64Array, _o: { raw: ArrayBuffer }, url: string) => {
        const { move } = await import(url);
        let s = 0;
        for (const x of a) s += x;
        a.fill(s);
        return move(a);
      },
      move(buf),
      { raw: move(ab) },
      new URL("../../futures/mod.ts", import.meta.url).href,
    );
    assert.equal(buf.byteLength, 0);
    assert.equal(ab.byteLength, 0);
    const out = await f as Float64Array;
    assert.ok(out instanceof Float64Array);
    assert.equal(out[0], 2 * (1 << 16));
    const copy = new Uint8Array(8);
    await ex.submit((x: Uint8Array) => x.length, copy);
    assert.equal(copy.byteLength, 8);
  });

  it("move() rejects values that cannot be transferred", () => {
    assert.throws(() => move(3 as never), TypeError);
    assert.throws(
      () => move(new Int32Array(new SharedArrayBuffer(4))),
      /SharedArrayBuffer/,
    );
  });

  it("ThreadPoolExecutor runs many tiny tasks in order of submission", async () => {
    await using ex = new ThreadPoolExecutor({ maxWorkers: 2 });
    const fs = Array.from(
      { length: 20_000 },
      (_, i) => ex.submit((x: number) => x + 1, i),
    );
    const rs = await Promise.all(fs);
    assert.equal(rs.length, 20_000);
    for (let i = 0; i < rs.length; i++) assert.equal(rs[i], i + 1);
  });

  it("ThreadPoolExecutor spreads CPU-bound tasks over its workers", async () => {
    await using ex = new ThreadPoolExecutor({ maxWorkers: 2 });
    await ex.submit((x: number) => x, 0); // learn nothing useful
    const fs = [0, 1, 2, 3].map((i) =>
      ex.submit(
        { module: targetsUrl, name: "countPrimes" },
        i * 50_000,
        (i + 1) * 50_000,
      )
    );
    const idents = await Promise.all(fs.map((f) => f.result()));
    assert.equal((idents as number[]).reduce((a, b) => a + b, 0), 17984);
  });
});

describe("ThreadPoolExecutor liveness", () => {
  const mod = new URL("../../futures/mod.ts", import.meta.url).href;

  it("a program with an idle pool exits without shutdown", () => {
    const r = runScript(`
      import { ThreadPoolExecutor } from "${mod}";
      const ex = new ThreadPoolExecutor({ maxWorkers: 2 });
      console.log("result", await ex.submit((x) => x * 2, 21));
    `);
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /result 42/);
    assert.ok(r.ms < 10_000);
  });

  it("a program stays alive while a future is pending, and a queued task still runs", () => {
    const r = runScript(`
      import { ThreadPoolExecutor } from "${mod}";
      const ex = new ThreadPoolExecutor({ maxWorkers: 1 });
      const slow = async (ms, v) => { await new Promise((r) => setTimeout(r, ms)); return v; };
      ex.submit(slow, 200, "first").addDoneCallback((f) => console.log("done", f.resultSync()));
      ex.submit(slow, 10, "second").addDoneCallback((f) => console.log("done", f.resultSync()));
      console.log("main done");
    `);
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /main done[\s\S]*done first[\s\S]*done second/);
  });
});

after(() => assertNoLeaks());
