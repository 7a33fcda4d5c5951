// terminateWorkers() and killWorkers() (issue 19): the stop for a runaway
// task, on both pool executors.
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  BrokenProcessPool,
  BrokenThreadPool,
  CancelledError,
  type Future,
  ProcessPoolExecutor,
  ThreadPoolExecutor,
} from "../../futures/mod.ts";
import { RuntimeError } from "../../mod.ts";
import { liveResources } from "../../_internal/runtime/resources.ts";
import { assertNoLeaks } from "../_leaks.ts";
import { futuresUrl, runScript, sleep } from "./_util.ts";

const MESSAGES = {
  thread:
    "A thread in the thread pool was terminated abruptly while the future was running or pending.",
  process:
    "A process in the process pool was terminated abruptly while the future was running or pending.",
};

type Kind = "thread" | "process";
type Method = "terminateWorkers" | "killWorkers";

function make(kind: Kind, maxWorkers = 1) {
  return kind === "thread"
    ? new ThreadPoolExecutor({ maxWorkers })
    : new ProcessPoolExecutor({ maxWorkers });
}

const broken = (kind: Kind) =>
  kind === "thread" ? BrokenThreadPool : BrokenProcessPool;

/** Waits until `f` is running, then a little longer so its task has begun. */
async function untilRunning(f: Future<unknown>, settle = 300): Promise<void> {
  const end = Date.now() + 10_000;
  while (!f.running() && Date.now() < end) await sleep(5);
  assert.ok(f.running(), "the busy task never started");
  await sleep(settle);
}

/** Runs `p`, failing when it takes more than `ms` milliseconds. */
async function within<T>(ms: number, p: Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`not settled within ${ms} ms`)),
      ms,
    );
  });
  try {
    return await Promise.race([p, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** A runaway task. */
function busy(): number {
  for (;;);
}

/**
 * A runaway task that sleeps in slices: Deno (2.9) cannot end a worker
 * stuck in synchronous code (its thread runs on, detached, until the
 * program exits; see ThreadPoolExecutor.terminateWorkers), so the thread
 * pool tests on Deno leave it asleep rather than burning a core.
 */
function sleepy(): number {
  const a = new Int32Array(new SharedArrayBuffer(4));
  for (;;) Atomics.wait(a, 0, 0, 10);
}

const runaway = (kind: Kind) =>
  kind === "thread" && "Deno" in globalThis ? sleepy : busy;

for (const kind of ["thread", "process"] as const) {
  const Executor = kind === "thread"
    ? "ThreadPoolExecutor"
    : "ProcessPoolExecutor";
  for (const method of ["terminateWorkers", "killWorkers"] as const) {
    describe(`${Executor}.${method}()`, () => {
      it(`${Executor}.${method}() stops a busy task: the running future fails, queued ones are cancelled, submit throws`, async () => {
        const ex = make(kind, 2);
        const running = [ex.submit(runaway(kind)), ex.submit(runaway(kind))];
        const queued = [
          ex.submit(runaway(kind)),
          ex.submit((x: number) => x, 1),
        ];
        for (const f of running) await untilRunning(f, 0);
        await sleep(300);
        assert.ok(queued.every((f) => !f.running() && !f.done()));
        const t0 = Date.now();
        await within(3000, ex[method as Method]());
        assert.ok(Date.now() - t0 < 3000);
        for (const f of running) {
          assert.ok(f.done());
          const err = await f.exception();
          assert.ok(err instanceof broken(kind), String(err));
          assert.equal((err as Error).message, MESSAGES[kind]);
          await assert.rejects(f.result(), broken(kind));
        }
        for (const f of queued) {
          assert.ok(f.cancelled());
          await assert.rejects(f.result(), CancelledError);
        }
        assert.throws(() => ex.submit((x: number) => x, 1), (e: unknown) => {
          assert.ok(e instanceof RuntimeError);
          assert.equal(
            (e as Error).message,
            "cannot schedule new futures after shutdown",
          );
          return true;
        });
        assert.deepEqual(
          liveResources().filter((r) =>
            r.kind === (kind === "thread" ? "worker" : "process")
          ),
          [],
        );
        // Idempotent, and shutdown() returns at once afterwards.
        await within(1000, ex[method as Method]());
        await within(1000, ex.shutdown());
      });

      it(`${Executor}.${method}() ends a shutdown() that waits for a runaway task`, async () => {
        const ex = make(kind);
        const f = ex.submit(runaway(kind));
        await untilRunning(f);
        let shutDown = false;
        const pending = ex.shutdown({ wait: true, cancelFutures: true }).then(
          () => shutDown = true,
        );
        await sleep(200);
        assert.equal(shutDown, false);
        await within(3000, ex[method as Method]());
        await within(1000, pending);
        assert.ok((await f.exception()) instanceof broken(kind));
      });

      it(`${Executor}.${method}() on an idle or unused pool`, async () => {
        const unused = make(kind);
        await within(1000, unused[method as Method]());
        assert.throws(() => unused.submit(() => 1), RuntimeError);
        const idle = make(kind, 2);
        assert.equal(await idle.submit((x: number) => x + 1, 1), 2);
        await within(3000, idle[method as Method]());
        assert.throws(() => idle.submit(() => 1), RuntimeError);
      });
    });
  }
}

describe("ProcessPoolExecutor signals", () => {
  // A task that asks its child to ignore SIGTERM.
  const ignoreSigterm = () => {
    // deno-lint-ignore no-explicit-any
    const g = globalThis as any;
    if (g.Deno) g.Deno.addSignalListener("SIGTERM", () => {});
    else g.process.on("SIGTERM", () => {});
    return g.Deno ? g.Deno.pid : g.process.pid;
  };

  it("ProcessPoolExecutor.terminateWorkers() sends SIGTERM, which a child may ignore; killWorkers() sends SIGKILL", async () => {
    const ex = new ProcessPoolExecutor({ maxWorkers: 1 });
    const pid = await ex.submit(ignoreSigterm);
    const f = ex.submit(busy);
    await untilRunning(f);
    let ended = false;
    const terminating = ex.terminateWorkers().then(() => ended = true);
    // The running future fails at once, but the child lives on.
    assert.ok((await f.exception()) instanceof BrokenProcessPool);
    await sleep(700);
    assert.equal(ended, false, "a child that ignores SIGTERM kept running");
    // deno-lint-ignore no-explicit-any
    (globalThis as any).process.kill(pid, 0); // still there
    await within(3000, ex.killWorkers());
    await within(1000, terminating);
    assert.throws(() => ex.submit(() => 1), RuntimeError);
    assert.deepEqual(liveResources().filter((r) => r.kind === "process"), []);
  });

  it("ProcessPoolExecutor.terminateWorkers() ends a child whose task does not handle SIGTERM", async () => {
    const ex = new ProcessPoolExecutor({ maxWorkers: 1 });
    const f = ex.submit(busy);
    await untilRunning(f);
    await within(3000, ex.terminateWorkers());
    const err = await f.exception() as BrokenProcessPool;
    assert.ok(err instanceof BrokenProcessPool);
    assert.match(String(err.cause), /SIGTERM/);
  });
});

describe("terminateWorkers() and liveness", () => {
  it("a program with a runaway task on either pool exits after terminateWorkers()", () => {
    const r = runScript(`
import { ProcessPoolExecutor, ThreadPoolExecutor } from ${
      JSON.stringify(futuresUrl)
    };
const t = new ThreadPoolExecutor({ maxWorkers: 1 });
const p = new ProcessPoolExecutor({ maxWorkers: 1 });
const ft = t.submit(() => { for (;;); });
const fp = p.submit(() => { for (;;); });
await new Promise((r) => setTimeout(r, 500));
await Promise.all([t.terminateWorkers(), p.killWorkers()]);
console.log("ended", (await ft.exception()).name, (await fp.exception()).name);
`);
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /ended BrokenThreadPool BrokenProcessPool/);
  });
});

after(() => assertNoLeaks());
