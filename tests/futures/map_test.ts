import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  Executor,
  Future,
  ThreadPoolExecutor,
  TimeoutError,
} from "../../futures/mod.ts";
import { ValueError } from "../../mod.ts";
import { assertNoLeaks } from "../_leaks.ts";

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const v of it) out.push(v);
  return out;
}

/** Runs calls on the event loop, counting submissions. */
class InlineExecutor extends Executor {
  submitted = 0;
  submit(fn: (...a: unknown[]) => unknown, ...args: unknown[]) {
    this.submitted++;
    const f = new Future<unknown>();
    f.setRunningOrNotifyCancel();
    Promise.resolve().then(() => fn(...args)).then(
      (v) => f.setResult(v),
      (e) => f.setException(e),
    );
    return f;
  }
}

describe("Executor.map", () => {
  it("Executor.map() yields results in input order", async () => {
    await using ex = new ThreadPoolExecutor({ maxWorkers: 2 });
    const out = await collect(ex.map(async (x: number) => {
      await new Promise((r) => setTimeout(r, (5 - x) * 3));
      return x * x;
    }, [1, 2, 3, 4, 5]));
    assert.deepEqual(out, [1, 4, 9, 16, 25]);
  });

  it("Executor.map() zips several iterables and stops at the shortest", async () => {
    await using ex = new ThreadPoolExecutor({ maxWorkers: 2 });
    const out = await collect(
      ex.map((a: number, b: string) => `${a}${b}`, [1, 2, 3], "ab"),
    );
    assert.deepEqual(out, ["1a", "2b"]);
    assert.deepEqual(await collect(ex.map((x: number) => x, [])), []);
  });

  it("Executor.map() throws an item's error when that item is reached, and cancels the rest", async () => {
    const ex = new InlineExecutor();
    const seen: number[] = [];
    await assert.rejects(
      async () => {
        for await (
          const v of ex.map((x: number) => {
            if (x === 2) throw new RangeError("two");
            return x;
          }, [1, 2, 3])
        ) seen.push(v as number);
      },
      RangeError,
    );
    assert.deepEqual(seen, [1]);
  });

  it("Executor.map() cancels pending tasks when the loop stops early", async () => {
    const ex = new ThreadPoolExecutor({ maxWorkers: 1 });
    const ran = new Int32Array(new SharedArrayBuffer(4));
    for await (
      const _ of ex.map(
        async (c: Int32Array, ms: number) => {
          Atomics.add(c, 0, 1);
          await new Promise((r) => setTimeout(r, ms));
        },
        [ran, ran, ran, ran, ran],
        [30, 30, 30, 30, 30],
      )
    ) break;
    await ex.shutdown();
    assert.ok(Atomics.load(ran, 0) < 5, `ran ${Atomics.load(ran, 0)}`);
  });

  it("Executor.map() timeout counts from the call and throws TimeoutError", async () => {
    await using ex = new ThreadPoolExecutor({ maxWorkers: 1 });
    // A warm worker, so that the timing below is the tasks', not the
    // worker's start (tens of milliseconds, more on a loaded machine).
    await ex.submit(() => 0).result();
    const it = ex.map(
      async (ms: number) => {
        await new Promise((r) => setTimeout(r, ms));
        return ms;
      },
      [1, 300],
      { timeout: 0.15 },
    );
    await new Promise((r) => setTimeout(r, 100));
    const t0 = performance.now();
    assert.deepEqual(await it.next(), { done: false, value: 1 });
    await assert.rejects(it.next(), TimeoutError);
    assert.ok(performance.now() - t0 < 140);
  });

  it("Executor.map() with buffersize consumes the input lazily", async () => {
    const ex = new InlineExecutor();
    let pulled = 0;
    function* input() {
      for (let i = 0; i < 10; i++) {
        pulled++;
        yield i;
      }
    }
    const it = ex.map((x: number) => x * 2, input(), { buffersize: 2 });
    assert.equal(ex.submitted, 2);
    assert.equal((await it.next()).value, 0);
    assert.equal(ex.submitted, 3);
    assert.ok(pulled <= 4);
    const rest = await collect(it);
    assert.deepEqual(rest, [2, 4, 6, 8, 10, 12, 14, 16, 18]);
    assert.equal(ex.submitted, 10);
  });

  it("ThreadPoolExecutor.map() ignores chunksize, as Python: errors stay per item", async () => {
    await using ex = new ThreadPoolExecutor({ maxWorkers: 2 });
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
    assert.deepEqual(seen, [1, 2, 3]);
  });

  it("Executor.map() checks its options and arguments", () => {
    const ex = new InlineExecutor();
    assert.throws(
      () => ex.map((x: number) => x, [1], { chunksize: 0 }),
      (e: unknown) =>
        e instanceof ValueError && e.message === "chunksize must be >= 1.",
    );
    assert.throws(
      () => ex.map((x: number) => x, [1], { buffersize: 0 }),
      (e: unknown) =>
        e instanceof ValueError &&
        e.message === "buffersize must be None or > 0",
    );
    assert.throws(
      () => ex.map((x: number) => x, [1], { buffersize: 1.5 }),
      TypeError,
    );
    assert.throws(
      () => ex.map((x: number) => x, [1], { timeout: -1 }),
      ValueError,
    );
    assert.throws(
      () => ex.map((x: number) => x, 5 as never),
      /'number' object is not iterable/,
    );
  });

  it("Executor.shutdown() of the base class resolves; await using calls it", async () => {
    const ex = new InlineExecutor();
    await ex.shutdown();
    await ex[Symbol.asyncDispose]();
  });
});

after(() => assertNoLeaks());
