import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  BrokenExecutor,
  BrokenProcessPool,
  CancelledError,
  Executor,
  ProcessPoolExecutor,
} from "../../futures/mod.ts";
import { Event } from "../../threading/mod.ts";
import { RuntimeError, ValueError } from "../../mod.ts";
import { liveResources } from "../../_internal/runtime/resources.ts";
import { cpuCount } from "../../_internal/runtime/adapter.ts";
import { assertNoLeaks } from "../_leaks.ts";
import { quietly, runScript, sleep, targetsUrl } from "./_util.ts";

const children = () => liveResources().filter((r) => r.kind === "process");
// deno-lint-ignore no-explicit-any
const proc = () => (globalThis as any).process;
const myPid = () => proc().pid as number;

function alive(pid: number): boolean {
  try {
    proc().kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe("ProcessPoolExecutor", () => {
  it("ProcessPoolExecutor.submit() runs a function target in a child process", async () => {
    const ex = new ProcessPoolExecutor({ maxWorkers: 2 });
    try {
      assert.ok(ex instanceof Executor);
      const pid = await ex.submit(() =>
        (globalThis as unknown as { process: { pid: number } }).process.pid
      );
      assert.notEqual(pid, myPid());
      assert.equal(
        await ex.submit(
          (m: Map<string, number[]>, d: Date) =>
            m.get("a")!.length + d.getTime(),
          new Map([["a", [1, 2]]]),
          new Date(40),
        ),
        42,
      );
      assert.equal(
        await ex.submit(async (x: number) => {
          await new Promise((r) => setTimeout(r, 5));
          return x * 3;
        }, 5),
        15,
      );
    } finally {
      await ex.shutdown();
    }
    assert.equal(children().length, 0);
  });

  it("ProcessPoolExecutor.submit() runs module targets", async () => {
    await using ex = new ProcessPoolExecutor({ maxWorkers: 1 });
    assert.equal(await ex.submit({ module: targetsUrl }, 2, 3), 5);
    assert.equal(
      await ex.submit({ module: targetsUrl, name: "countPrimes" }, 0, 1000),
      168,
    );
  });

  it("ProcessPoolExecutor tasks fail with the thrown error: class, message, stack, cause, properties", async () => {
    await using ex = new ProcessPoolExecutor({ maxWorkers: 1 });
    const err = await ex.submit({ module: targetsUrl, name: "fail" }, "nope")
      .exception() as ValueError & { code: number };
    assert.ok(err instanceof ValueError);
    assert.equal(err.message, "nope");
    assert.match(err.stack ?? "", /fail/);
    assert.ok(err.cause instanceof TypeError);
    assert.equal(err.code, 42);
    const r = ex.submit(() => {
      throw new RangeError("r");
    });
    await assert.rejects(r.result(), RangeError);
    const clone = ex.submit(() => () => 1);
    await assert.rejects(clone.result(), /clone|serializ/i);
    assert.equal(await ex.submit(() => "still fine"), "still fine");
  });

  it("ProcessPoolExecutor refuses thread-shareable arguments with TypeError", async () => {
    await using ex = new ProcessPoolExecutor({ maxWorkers: 1 });
    assert.throws(() => ex.submit((e: Event) => e, new Event()), TypeError);
    assert.throws(
      () => new ProcessPoolExecutor({ initargs: [new Event()] }),
      TypeError,
    );
  });

  it("ProcessPoolExecutor checks its options", async () => {
    assert.throws(
      () => new ProcessPoolExecutor({ maxWorkers: 0 }),
      (e: unknown) =>
        e instanceof ValueError &&
        e.message === "maxWorkers must be greater than 0",
    );
    assert.throws(
      () => new ProcessPoolExecutor({ maxTasksPerChild: 0 }),
      (e: unknown) =>
        e instanceof ValueError &&
        e.message === "maxTasksPerChild must be >= 1",
    );
    assert.throws(
      () => new ProcessPoolExecutor({ maxTasksPerChild: 1.5 }),
      TypeError,
    );
    assert.throws(
      () => new ProcessPoolExecutor({ initializer: 5 as never }),
      TypeError,
    );
    const ex = new ProcessPoolExecutor();
    assert.equal(ex.maxWorkers, cpuCount());
    await ex.shutdown();
  });

  it("ProcessPoolExecutor runs the initializer with initargs in each child", async () => {
    await using ex = new ProcessPoolExecutor({
      maxWorkers: 1,
      initializer: { module: targetsUrl, name: "init" },
      initargs: [[1, "two"]],
    });
    assert.deepEqual(
      await ex.submit({ module: targetsUrl, name: "initialized" }),
      [1, "two"],
    );
  });

  it("ProcessPoolExecutor with a failing initializer breaks with BrokenProcessPool", async () => {
    const ex = new ProcessPoolExecutor({
      maxWorkers: 2,
      initializer: () => {
        throw new RangeError("no init");
      },
    });
    const { value: errs } = await quietly(() =>
      Promise.all(
        [ex.submit(() => 1), ex.submit(() => 2)].map((f) => f.exception(10)),
      )
    );
    for (const e of errs) {
      assert.ok(e instanceof BrokenProcessPool);
      assert.ok(e instanceof BrokenExecutor);
      assert.ok((e as Error).cause instanceof RangeError);
    }
    assert.throws(
      () => ex.submit(() => 1),
      (e: unknown) =>
        e instanceof BrokenProcessPool &&
        e.message ===
          "A child process terminated abruptly, the process pool is not usable anymore",
    );
    await ex.shutdown();
    assert.equal(children().length, 0);
  });

  it("ProcessPoolExecutor: a task that exits its child breaks the pool within a second, and stops the other children", async () => {
    const ex = new ProcessPoolExecutor({ maxWorkers: 2 });
    const pids = new Set(
      await Promise.all([1, 2].map(() =>
        ex.submit(async () => {
          await new Promise((r) => setTimeout(r, 50));
          return (globalThis as unknown as { process: { pid: number } }).process
            .pid;
        })
      )),
    );
    assert.equal(pids.size, 2);
    const t0 = performance.now();
    const running = ex.submit(async () => {
      await new Promise((r) => setTimeout(r, 5000));
    });
    const killer = ex.submit(() => {
      (globalThis as unknown as { process: { exit(c: number): void } }).process
        .exit(7);
    });
    const pending = [ex.submit(() => 1), ex.submit(() => 2)];
    for (const f of [running, killer, ...pending]) {
      const e = await f.exception(5);
      assert.ok(e instanceof BrokenProcessPool, String(e));
      assert.equal(
        (e as Error).message,
        "A process in the process pool was terminated abruptly while the future was running or pending.",
      );
    }
    assert.ok(performance.now() - t0 < 1000, `${performance.now() - t0} ms`);
    assert.throws(() => ex.submit(() => 1), BrokenProcessPool);
    await ex.shutdown();
    assert.equal(children().length, 0);
    for (const pid of pids) assert.equal(alive(pid), false);
  });

  it("ProcessPoolExecutor: a child killed by a signal breaks the pool", async () => {
    const ex = new ProcessPoolExecutor({ maxWorkers: 1 });
    const pid = await ex.submit(() =>
      (globalThis as unknown as { process: { pid: number } }).process.pid
    ) as number;
    const f = ex.submit(async () => {
      await new Promise((r) => setTimeout(r, 5000));
    });
    await sleep(50);
    proc().kill(pid, "SIGKILL");
    const e = await f.exception(5) as Error;
    assert.ok(e instanceof BrokenProcessPool);
    assert.match(String(e.cause), /SIGKILL/);
    await ex.shutdown();
  });

  it("ProcessPoolExecutor replaces a child after maxTasksPerChild tasks", async () => {
    await using ex = new ProcessPoolExecutor({
      maxWorkers: 1,
      maxTasksPerChild: 2,
    });
    const pids: number[] = [];
    for (let i = 0; i < 6; i++) {
      pids.push(
        await ex.submit(() =>
          (globalThis as unknown as { process: { pid: number } }).process.pid
        ) as number,
      );
    }
    assert.equal(pids[0], pids[1]);
    assert.notEqual(pids[1], pids[2]);
    assert.equal(pids[2], pids[3]);
    assert.notEqual(pids[3], pids[4]);
    assert.equal(new Set(pids).size, 3);
    const all = await Promise.all(
      Array.from({ length: 7 }, (_, i) => ex.submit((x: number) => x, i)),
    );
    assert.deepEqual(all, [0, 1, 2, 3, 4, 5, 6]);
  });

  it("ProcessPoolExecutor: cancel() and shutdown({ cancelFutures: true }) keep pending tasks from running", async () => {
    const ex = new ProcessPoolExecutor({ maxWorkers: 1 });
    const slow = ex.submit({ module: targetsUrl, name: "sleepy" }, 200, "slow");
    await sleep(10);
    const victim = ex.submit(() => "victim");
    assert.equal(victim.cancel(), true);
    const rest = [1, 2, 3].map((x) => ex.submit((x: number) => x, x));
    await ex.shutdown({ cancelFutures: true });
    assert.equal(await slow, "slow");
    await assert.rejects(victim.result(), CancelledError);
    for (const f of rest) assert.equal(f.cancelled(), true);
    assert.throws(
      () => ex.submit(() => 1),
      (e: unknown) =>
        e instanceof RuntimeError &&
        e.message === "cannot schedule new futures after shutdown",
    );
    assert.equal(children().length, 0);
  });

  it("ProcessPoolExecutor.map() with chunksize yields in order and surfaces an error at its chunk", async () => {
    await using ex = new ProcessPoolExecutor({ maxWorkers: 2 });
    const out: number[] = [];
    for await (
      const v of ex.map((a: number, b: number) => a * b, [1, 2, 3, 4, 5], [
        10,
        10,
        10,
        10,
        10,
      ], { chunksize: 2 })
    ) out.push(v as number);
    assert.deepEqual(out, [10, 20, 30, 40, 50]);
    const seen: number[] = [];
    await assert.rejects(async () => {
      for await (
        const v of ex.map(
          (x: number) => {
            if (x === 4) throw new RangeError("four");
            return x;
          },
          [1, 2, 3, 4, 5, 6],
          { chunksize: 2 },
        )
      ) seen.push(v as number);
    }, RangeError);
    assert.deepEqual(seen, [1, 2]);
  });

  it("ProcessPoolExecutor prints child output on the program's own stdout", () => {
    const mod = new URL("../../futures/mod.ts", import.meta.url).href;
    const r = runScript(`
      import { ProcessPoolExecutor } from "${mod}";
      const ex = new ProcessPoolExecutor({ maxWorkers: 1 });
      await ex.submit(() => console.log("hello from the child"));
      console.log("parent done");
    `);
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /hello from the child[\s\S]*parent done/);
  });
});

describe("ProcessPoolExecutor liveness", () => {
  const mod = new URL("../../futures/mod.ts", import.meta.url).href;

  it("a program with an idle process pool exits, and its children with it", () => {
    const r = runScript(`
      import { ProcessPoolExecutor } from "${mod}";
      const ex = new ProcessPoolExecutor({ maxWorkers: 2 });
      const pids = await Promise.all([1, 2].map(() => ex.submit(async () => {
        await new Promise((r) => setTimeout(r, 30));
        return process.pid;
      })));
      console.log("pids", JSON.stringify(pids));
    `);
    assert.equal(r.code, 0, r.out);
    assert.ok(r.ms < 10_000);
    const pids = JSON.parse(r.out.match(/pids (\[.*\])/)![1]) as number[];
    // The children saw their socket close and exited.
    const deadline = Date.now() + 2000;
    while (pids.some(alive) && Date.now() < deadline) {
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
    }
    assert.deepEqual(pids.filter(alive), []);
  });

  it("a child whose parent exits before it connects exits too", async () => {
    // The child inherits the parent's listening socket on Deno; without a
    // watch on the parent it would wait forever for its start message.
    const r = runScript(`
      import { ProcessPoolExecutor } from "${mod}";
      const ex = new ProcessPoolExecutor({ maxWorkers: 1 });
      ex.submit((x) => x, 1);
      console.log("parent", process.pid);
      await new Promise((r) => setTimeout(r, 5));
      process.exit(0);
    `);
    assert.equal(r.code, 0, r.out);
    const parent = r.out.match(/parent (\d+)/)![1];
    const { readdirSync, readFileSync } = await import("node:fs");
    const orphans = () =>
      readdirSync("/proc").filter((p) => {
        if (!/^\d+$/.test(p)) return false;
        try {
          const argv = readFileSync(`/proc/${p}/cmdline`, "latin1").split("\0");
          return argv.some((a) => a.endsWith("/child/entry.ts")) &&
            argv.includes(parent);
        } catch {
          return false;
        }
      });
    const deadline = Date.now() + 3000;
    while (orphans().length && Date.now() < deadline) await sleep(50);
    assert.deepEqual(orphans(), []);
  });

  it("a program stays alive while a process pool future is pending", () => {
    const r = runScript(`
      import { ProcessPoolExecutor } from "${mod}";
      const ex = new ProcessPoolExecutor({ maxWorkers: 1 });
      ex.submit(async () => { await new Promise((r) => setTimeout(r, 200)); return "late"; })
        .addDoneCallback((f) => console.log("done", f.resultSync()));
      console.log("main done");
    `);
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /main done[\s\S]*done late/);
  });
});

after(() => assertNoLeaks());
