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

  it("Pool.map() keeps the items' order with odd chunk sizes, packed or not", async () => {
    await using pool = new Pool(2);
    const xs = Array.from({ length: 101 }, (_, i) => i);
    for (const chunksize of [1, 2, 3, 7, 13, 100, 101, 500]) {
      assert.deepEqual(
        await pool.map((x: number) => x * 2, xs, { chunksize }),
        xs.map((x) => x * 2),
        `chunksize ${chunksize}`,
      );
    }
    // Strings, objects and a mix of numbers and others take the unpacked path.
    const words = xs.map((x) => `w${x}`);
    assert.deepEqual(
      await pool.map((w: string) => w.toUpperCase(), words, { chunksize: 9 }),
      words.map((w) => w.toUpperCase()),
    );
    assert.deepEqual(
      await pool.map((x: number) => ({ x }), xs, { chunksize: 10 }),
      xs.map((x) => ({ x })),
    );
    const mixed = xs.map((x) => (x % 10 === 5 ? String(x) : x));
    assert.deepEqual(
      await pool.map((x: unknown) => x, mixed, { chunksize: 20 }),
      mixed,
    );
    assert.deepEqual(
      await pool.map((x: number) => (x === 50 ? undefined : x), xs),
      xs.map((x) => (x === 50 ? undefined : x)),
    );
    // Numbers survive the Float64Array packing exactly, both ways.
    const odd = [-0, NaN, Infinity, -Infinity, 2 ** 53, 1e-300, 0.1, -7.5, 3];
    const back = await pool.map((x: number) => x, odd, { chunksize: 9 });
    odd.forEach((x, i) => assert.ok(Object.is(back[i], x), `item ${i}`));
    const negated = await pool.map((x: number) => -x, xs.map(() => 0));
    assert.ok(negated.every((x) => Object.is(x, -0)));
    // A generator works as the iterable.
    function* gen() {
      yield* [3, 1, 2];
    }
    assert.deepEqual(
      await pool.map((x: number) => x * x, gen(), { chunksize: 2 }),
      [9, 1, 4],
    );
  });

  it("Pool.map() fails with an error thrown in the middle of a chunk; the chunk's later items do not run", async () => {
    await using pool = new Pool(1);
    const runs = new Value("i", 0);
    const errors: unknown[] = [];
    const r = pool.starmapAsync(
      (v: Value, x: number) => {
        using _h = v.holdSync();
        v.value += 1;
        if (x === 7) throw new RangeError(`item ${x}`);
        return x;
      },
      Array.from({ length: 10 }, (_, x) => [runs, x] as [Value, number]),
      { chunksize: 5, errorCallback: (e) => errors.push(e) },
    );
    await assert.rejects(r.get(30), { name: "RangeError", message: "item 7" });
    assert.equal(r.successful(), false);
    assert.equal(errors.length, 1);
    assert.equal((errors[0] as Error).message, "item 7");
    // Chunk [0..4] ran, then 5, 6 and 7 of [5..9]: 8 and 9 did not.
    assert.equal(runs.value, 8);
    await assert.rejects(
      pool.map((x: number) => {
        if (x === 500) throw new TypeError("five hundred");
        return x;
      }, Array.from({ length: 1000 }, (_, i) => i)),
      { name: "TypeError", message: "five hundred" },
    );
    // The pool goes on.
    assert.deepEqual(await pool.map((x: number) => x + 1, [1, 2, 3]), [
      2,
      3,
      4,
    ]);
  });

  it("Pool.imap() yields the results before a failing item, then throws its error", async () => {
    await using pool = new Pool(2);
    const boom = (x: number) => {
      if (x === 6) throw new RangeError("six");
      return x * 10;
    };
    for (const chunksize of [1, 4, 20]) {
      const got: unknown[] = [];
      await assert.rejects(
        (async () => {
          for await (
            const y of pool.imap(boom, [0, 1, 2, 3, 4, 5, 6, 7, 8], {
              chunksize,
            })
          ) got.push(y);
        })(),
        { name: "RangeError", message: "six" },
      );
      assert.deepEqual(got, [0, 10, 20, 30, 40, 50], `chunksize ${chunksize}`);
    }
    // An async target runs one item at a time and stops at a rejection.
    const got: unknown[] = [];
    await assert.rejects(
      (async () => {
        for await (
          const y of pool.imap(
            async (x: number) => {
              await new Promise((r) => setTimeout(r, 1));
              if (x === 2) throw new Error("async two");
              return x;
            },
            [0, 1, 2, 3, 4],
            { chunksize: 5 },
          )
        ) got.push(y);
      })(),
      { message: "async two" },
    );
    assert.deepEqual(got, [0, 1]);
  });

  it("Pool.imapUnordered() yields every result once, chunk by chunk", async () => {
    await using pool = new Pool(2);
    const xs = Array.from({ length: 200 }, (_, i) => i);
    for (const chunksize of [1, 7, 200]) {
      const got: number[] = [];
      for await (
        const y of pool.imapUnordered((x: number) => x + 1, xs, { chunksize })
      ) got.push(y);
      assert.deepEqual(
        got.sort((a, b) => a - b),
        xs.map((x) => x + 1),
        `chunksize ${chunksize}`,
      );
    }
    const got: unknown[] = [];
    await assert.rejects(
      (async () => {
        for await (
          const y of pool.imapUnordered(
            (x: number) => {
              if (x === 3) throw new RangeError("three");
              return x;
            },
            [0, 1, 2, 3, 4],
            { chunksize: 5 },
          )
        ) got.push(y);
      })(),
      RangeError,
    );
    assert.deepEqual(got, [0, 1, 2]);
  });

  it("Pool.starmap() spreads each argument list, in chunks", async () => {
    await using pool = new Pool(2);
    const rows = Array.from(
      { length: 25 },
      (_, i) => [i, i + 1, i % 3] as [number, number, number],
    );
    const want = rows.map(([a, b, c]) => a * b + c);
    for (const chunksize of [1, 4, 25]) {
      assert.deepEqual(
        await pool.starmap(
          (a: number, b: number, c: number) => a * b + c,
          rows,
          { chunksize },
        ),
        want,
      );
    }
    assert.deepEqual(
      await pool.starmapAsync((...a: number[]) => a.length, [[], [1], [1, 2]], {
        chunksize: 3,
      }).get(),
      [0, 1, 2],
    );
    // A one-item list is not unpacked: the item is the only argument.
    assert.deepEqual(
      await pool.starmap((x: number[]) => Array.isArray(x), [[[1, 2]]]),
      [true],
    );
  });

  it("Pool map calls over empty iterables give nothing", async () => {
    await using pool = new Pool(1);
    const seen: unknown[] = [];
    assert.deepEqual(await pool.map((x: number) => x, []), []);
    assert.deepEqual(
      await pool.mapAsync((x: number) => x, new Set<number>(), {
        callback: (v) => seen.push(v),
      }).get(),
      [],
    );
    assert.deepEqual(seen, [[]]);
    assert.deepEqual(await pool.starmap((x: number) => x, []), []);
    for await (const _ of pool.imap((x: number) => x, [])) assert.fail();
    for await (const _ of pool.imapUnordered((x: number) => x, [])) {
      assert.fail();
    }
  });

  it("Pool map calls reject a chunksize below 1", async () => {
    await using pool = new Pool(1);
    for (const chunksize of [0, -1, 1.5]) {
      const error = {
        name: "ValueError",
        message: `Chunksize must be 1+, not ${chunksize}`,
      };
      await assert.rejects(
        pool.map((x: number) => x, [1], { chunksize }),
        error,
      );
      await assert.rejects(
        pool.starmap((x: number) => x, [[1]], { chunksize }),
        error,
      );
      assert.throws(
        () => pool.mapAsync((x: number) => x, [1], { chunksize }),
        error,
      );
      assert.throws(
        () => pool.imap((x: number) => x, [1], { chunksize }),
        error,
      );
      assert.throws(
        () => pool.imapUnordered((x: number) => x, [1], { chunksize }),
        error,
      );
    }
  });

  it("a Pool worker dying in the middle of a chunk fails the call; nothing hangs", async () => {
    await using pool = new Pool(2);
    const die = (x: number) => {
      if (x === 5) {
        // deno-lint-ignore no-explicit-any
        const p = (globalThis as any).process;
        p.kill(p.pid, "SIGKILL");
      }
      return x;
    };
    const xs = Array.from({ length: 12 }, (_, i) => i);
    await assert.rejects(
      pool.map(die, xs, { chunksize: 4 }),
      (err: Error) =>
        err instanceof ProcessError && /killed by SIGKILL/.test(err.message),
    );
    // imap yields what came back before the death, in order, then fails.
    // (Which results made it out depends on batching: a worker's finished
    // chunks may still be in its send buffer when it is killed.)
    const got: unknown[] = [];
    await assert.rejects(
      (async () => {
        for await (const y of pool.imap(die, xs, { chunksize: 4 })) got.push(y);
      })(),
      ProcessError,
    );
    assert.ok(got.length < 5 && got.every((y, i) => y === i), String(got));
    assert.deepEqual(
      await pool.map((x: number) => x * 3, xs),
      xs.map((x) => x * 3),
    );
  });

  it("Pool maxtasksperchild counts a chunk as one task, as CPython", async () => {
    await using pool = new Pool(1, { maxtasksperchild: 2 });
    const pids = await pool.map(pidOf, [0, 1, 2, 3, 4, 5], { chunksize: 2 });
    assert.equal(new Set(pids.slice(0, 4)).size, 1);
    assert.equal(pids[4], pids[5]);
    assert.notEqual(pids[3], pids[4]);
  });

  it("Pool.terminate() fails an imap that is waiting", async () => {
    const pool = new Pool(1);
    const it = pool.imap(
      (x: number) => x === 0 ? x : new Promise(() => {}),
      [0, 1, 2],
    );
    assert.deepEqual(await it.next(), { value: 0, done: false });
    const next = assert.rejects(it.next(), RuntimeError);
    await sleep(50);
    await pool.terminate();
    await next;
    assert.equal(children().length, 0);
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
