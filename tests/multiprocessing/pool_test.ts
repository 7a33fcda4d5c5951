import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  AsyncResult,
  Pool,
  ProcessError,
  Queue,
  RuntimeError,
  TimeoutError,
  Value,
  ValueError,
} from "../../multiprocessing/mod.ts";
import { TimeoutError as RootTimeoutError } from "../../mod.ts";
import { assertNoLeaks } from "../_leaks.ts";
import { children, myPid, sleep, targetsUrl } from "./_util.ts";

// deno-lint-ignore no-explicit-any
const pidOf = () => (globalThis as any).process.pid as number;

describe("Pool", () => {
  it("Pool.apply(), map() and starmap() run in worker processes", async () => {
    await using pool = new Pool(2);
    assert.equal(pool.processes, 2);
    assert.equal(await pool.apply((a: number, b: number) => a * b, [6, 7]), 42);
    assert.notEqual(await pool.apply(pidOf), myPid());
    assert.deepEqual(
      await pool.map((x: number) => x * x, [1, 2, 3, 4, 5]),
      [1, 4, 9, 16, 25],
    );
    const many = Array.from({ length: 1000 }, (_, i) => i);
    assert.deepEqual(
      await pool.map((x: number) => x + 1, many, { chunksize: 64 }),
      many.map((x) => x + 1),
    );
    assert.deepEqual(await pool.map((x: number) => x, []), []);
    assert.deepEqual(
      await pool.starmap({ module: targetsUrl, name: "add" }, [[1, 2], [3, 4]]),
      [3, 7],
    );
    assert.deepEqual(
      await pool.map(async (x: number) => {
        await new Promise((r) => setTimeout(r, 1));
        return -x;
      }, [1, 2]),
      [-1, -2],
    );
    assert.match(String(pool), /state=RUN pool_size=2/);
  });

  it("Pool.applyAsync() gives an AsyncResult: get(timeout), wait, ready, successful, callbacks", async () => {
    await using pool = new Pool(1);
    const seen: unknown[] = [];
    const push = (v: unknown) => seen.push(v);
    const slow = pool.applyAsync(
      () => new Promise((r) => setTimeout(() => r("late"), 300)),
      [],
      { callback: push },
    );
    assert.ok(slow instanceof AsyncResult);
    assert.equal(slow.ready(), false);
    assert.throws(() => slow.successful(), ValueError);
    await assert.rejects(slow.get(0.02), RootTimeoutError);
    assert.equal(TimeoutError, RootTimeoutError);
    await slow.wait(0.01);
    assert.equal(slow.ready(), false);
    assert.equal(await slow.get(30), "late");
    assert.ok(slow.ready() && slow.successful());
    assert.deepEqual(seen, ["late"]);
    assert.equal(await slow, "late");
    const errors: unknown[] = [];
    const bad = pool.applyAsync({ module: targetsUrl, name: "fail" }, [], {
      errorCallback: (e) => errors.push(e),
    });
    await assert.rejects(bad.get(), {
      name: "TypeError",
      message: "bad thing",
    });
    assert.equal(bad.successful(), false);
    assert.equal((errors[0] as Error).message, "bad thing");
    const m = pool.mapAsync((x: number) => x * 10, [1, 2], {
      callback: push,
    });
    assert.deepEqual(await m.get(), [10, 20]);
    assert.deepEqual(seen[1], [10, 20]);
    const s = pool.starmapAsync((a: number, b: number) => a - b, [[5, 1]]);
    assert.deepEqual(await s.get(), [4]);
    await assert.rejects(
      pool.map((x: number) => {
        if (x === 3) throw new RangeError("three");
        return x;
      }, [1, 2, 3, 4]),
      RangeError,
    );
  });

  it("Pool.imap() yields in order, imapUnordered() as ready", async () => {
    await using pool = new Pool(2);
    const delay = (x: number) =>
      new Promise((r) => setTimeout(() => r(x), (5 - x) * 40));
    const ordered: unknown[] = [];
    for await (const x of pool.imap(delay, [1, 2, 3, 4])) ordered.push(x);
    assert.deepEqual(ordered, [1, 2, 3, 4]);
    const unordered: unknown[] = [];
    for await (const x of pool.imapUnordered(delay, [1, 2, 3, 4])) {
      unordered.push(x);
    }
    assert.deepEqual([...unordered].sort(), [1, 2, 3, 4]);
    assert.notDeepEqual(unordered, [1, 2, 3, 4]);
    const chunked: unknown[] = [];
    for await (
      const x of pool.imap((x: number) => x * 2, [1, 2, 3, 4, 5], {
        chunksize: 2,
      })
    ) chunked.push(x);
    assert.deepEqual(chunked, [2, 4, 6, 8, 10]);
  });

  it("a Pool whose worker dies fails that task and goes on with a new worker", async () => {
    await using pool = new Pool(2);
    const before = await pool.map(pidOf, [0, 1, 2, 3], { chunksize: 1 });
    await assert.rejects(
      pool.apply(() => {
        // deno-lint-ignore no-explicit-any
        const p = (globalThis as any).process;
        p.kill(p.pid, "SIGKILL");
        return new Promise(() => {});
      }),
      (err: Error) =>
        err instanceof ProcessError && /killed by SIGKILL/.test(err.message),
    );
    const after = await pool.map((x: number) => x * 3, [1, 2, 3]);
    assert.deepEqual(after, [3, 6, 9]);
    assert.ok(before.length === 4);
  });

  it("Pool tasks get this module's shared objects live", async () => {
    await using pool = new Pool(2);
    const q = new Queue<number>();
    const total = new Value("i", 0);
    await pool.map(
      ((args: [Queue<number>, Value, number]) => {
        const [q, v, x] = args;
        q.putSync(x);
        using _h = v.holdSync();
        v.value += x;
      }) as never,
      [1, 2, 3, 4].map((x) => [q, total, x]),
      { chunksize: 1 },
    );
    assert.equal(total.value, 10);
    const got = [];
    for (let i = 0; i < 4; i++) got.push(await q.get({ timeout: 5 }));
    assert.deepEqual(got.sort(), [1, 2, 3, 4]);
  });

  it("Pool initializer and maxtasksperchild", async () => {
    const q = new Queue<number>();
    {
      await using pool = new Pool(1, {
        initializer: (q: Queue<number>) =>
          // deno-lint-ignore no-explicit-any
          q.putSync((globalThis as any).process.pid),
        initargs: [q],
        maxtasksperchild: 2,
      });
      const pids = [];
      for (let i = 0; i < 4; i++) pids.push(await pool.apply(pidOf));
      assert.equal(pids[0], pids[1]);
      assert.notEqual(pids[1], pids[2]);
      assert.equal(pids[2], pids[3]);
      assert.equal(await q.get({ timeout: 5 }), pids[0]);
      assert.equal(await q.get({ timeout: 5 }), pids[2]);
    }
    assert.throws(() => new Pool(0), {
      name: "ValueError",
      message: "Number of processes must be at least 1",
    });
    assert.throws(() => new Pool(1, { maxtasksperchild: 0 }), ValueError);
    assert.throws(() => new Pool(1.5), TypeError);
  });

  it("Pool.close() then join() waits for the work; terminate() fails what is unfinished", async () => {
    const pool = new Pool(2);
    const r = pool.applyAsync(
      () => new Promise((r) => setTimeout(() => r(1), 100)),
    );
    await assert.rejects(pool.join(), {
      name: "ValueError",
      message: "Pool is still running",
    });
    pool.close();
    assert.throws(() => pool.applyAsync(() => 1), {
      name: "ValueError",
      message: "Pool not running",
    });
    await pool.join();
    assert.equal(await r.get(), 1);
    assert.equal(children().length, 0);

    const doomed = new Pool(1);
    const stuck = doomed.applyAsync(() => new Promise(() => {}));
    const queued = doomed.applyAsync(() => 2);
    await sleep(200);
    await doomed.terminate();
    await assert.rejects(stuck.get(), RuntimeError);
    await assert.rejects(queued.get(), RuntimeError);
    await doomed.join();
    await doomed.terminate();
    assert.match(String(doomed), /TERMINATE/);
    assert.equal(children().length, 0);
    await assert.rejects(doomed.map((x: number) => x, [1]), ValueError);
  });

  it("Pool argument checks", async () => {
    await using pool = new Pool(1);
    assert.throws(() => pool.applyAsync(5 as never), TypeError);
    assert.throws(() => pool.applyAsync(() => 1, 3 as never), TypeError);
    await assert.rejects(
      pool.map((x: number) => x, [1], { chunksize: 0 }),
      ValueError,
    );
    await assert.rejects(pool.map((x: number) => x, 5 as never), TypeError);
    await assert.rejects(
      pool.starmap((x: number) => x, [1] as never),
      TypeError,
    );
  });
});

after(() => assertNoLeaks());
