// Keyword arguments as a trailing options object in multiprocessing and
// multiprocessing.dummy (issue 14, item 9): Barrier(parties, action=None,
// timeout=None), Queue(maxsize=0), JoinableQueue(maxsize=0),
// Value/Array(..., *, lock=True), and the dummy module's Value, Array,
// Pool, Pipe and Process.
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  Array as SharedArray,
  Barrier,
  BrokenBarrierError,
  Full,
  JoinableQueue,
  Lock,
  OSError,
  Pipe,
  Pool,
  Process,
  Queue,
  Value,
  ValueError,
} from "../../multiprocessing/mod.ts";
import * as dummy from "../../multiprocessing/dummy/mod.ts";
import { Lock as ThreadLock } from "../../threading/mod.ts";
import { assertNoLeaks } from "../_leaks.ts";

const unexpected = (fn: string, key: string) => (e: Error) =>
  e instanceof TypeError &&
  e.message === `${fn}() got an unexpected option '${key}'`;

describe("multiprocessing options", () => {
  it("Barrier(n, { timeout }) and Barrier(n, action, { timeout })", async () => {
    const b = new Barrier(2, { timeout: 0.05 });
    await assert.rejects(b.wait(), BrokenBarrierError);
    const c = new Barrier(1, (() => {}) as never, { timeout: 5 });
    assert.equal(await c.wait(), 0);
    const d = new Barrier(1, null, 5);
    assert.equal(d.waitSync(), 0);
    assert.throws(
      () => new Barrier(2, { timout: 1 } as never),
      unexpected("Barrier", "timout"),
    );
    assert.throws(() => new Barrier(2, { timeout: -1 }), ValueError);
  });

  it("Barrier(n, { action, timeout }) runs the action in a child process's round", async () => {
    const b = new Barrier(2, {
      action: () => {
        (globalThis as { ran?: number }).ran = 1;
      },
      timeout: 10,
    });
    const p = new Process({
      target: async (b: Barrier) => {
        await b.wait();
      },
      args: [b],
    });
    await p.start();
    const index = await b.wait();
    await p.join();
    assert.ok(index === 0 || index === 1);
    assert.equal(p.exitcode, 0);
  });

  it("Queue({ maxsize }) and JoinableQueue({ maxsize }) bound the queue", async () => {
    for (const Q of [Queue, JoinableQueue]) {
      const q = new Q<number>({ maxsize: 1 });
      await q.put(1);
      assert.equal(q.full(), true);
      await assert.rejects(q.put(2, { block: false }), Full);
      assert.equal(await q.get(), 1);
      const r = new Q<number>(1);
      await r.put(1);
      assert.equal(r.full(), true);
      await r.get();
      assert.throws(
        () => new Q({ maxsiz: 1 } as never),
        unexpected(Q.name, "maxsiz"),
      );
    }
  });

  it("Value and Array take { lock } and reject other options", () => {
    const l = new Lock();
    assert.equal(new Value("i", 0, { lock: l }).getLock(), l);
    assert.throws(
      () => new Value("i", 0, { lock: false }).getLock(),
      TypeError,
    );
    assert.equal(new SharedArray("i", 2, { lock: l }).getLock(), l);
    assert.throws(
      () => new Value("i", 0, { lokc: false } as never),
      unexpected("Value", "lokc"),
    );
    assert.throws(
      () => new SharedArray("i", 2, { lokc: false } as never),
      unexpected("Array", "lokc"),
    );
    // lock is keyword-only in Python: Value("i", 0, True) is a TypeError there too
    assert.throws(() => new Value("i", 0, true as never), {
      name: "TypeError",
      message: "Value() options must be an object like { lock }, got boolean",
    });
  });
});

describe("multiprocessing.dummy options", () => {
  it("dummy Value and Array take { lock }, or the lock positionally as CPython's dummy module", () => {
    const l = new ThreadLock();
    assert.equal(new dummy.Value("i", 0, { lock: l }).getLock(), l);
    assert.equal(new dummy.Value("i", 0, l).getLock(), l);
    assert.throws(() => new dummy.Value("i", 0, false).getLock(), TypeError);
    assert.equal(new dummy.Array("i", 2, l).getLock(), l);
    assert.throws(() => new dummy.Array("i", 2, false).getLock(), TypeError);
    assert.throws(
      () => new dummy.Value("i", 0, { lokc: false } as never),
      unexpected("Value", "lokc"),
    );
    assert.throws(
      () => new dummy.Array("i", 2, { lokc: 1 } as never),
      unexpected("Array", "lokc"),
    );
    assert.throws(() => new dummy.Value("i", 0, 5 as never), TypeError);
  });

  it("dummy Pool({ processes, initializer }) and Pool(n, { initializer })", async () => {
    await using a = new dummy.Pool({ processes: 1 });
    assert.deepEqual(await a.map((x: number) => x * 2, [1, 2]), [2, 4]);
    await using b = new dummy.Pool(1, { initargs: [] });
    assert.equal(await b.apply((x: number) => x + 1, [1]), 2);
    assert.throws(
      () => new dummy.Pool({ processes: 1, maxWorkers: 2 } as never),
      unexpected("ThreadPool", "maxWorkers"),
    );
    assert.throws(
      () => new dummy.Pool(1, { processes: 2 } as never),
      unexpected("ThreadPool", "processes"),
    );
    assert.throws(() => new dummy.Pool({ processes: 0 }), ValueError);
  });

  it("dummy Pipe({ duplex }) and Pipe(false) accept Python's duplex", async () => {
    for (const arg of [{ duplex: false }, false, true, undefined]) {
      const [a, b] = dummy.Pipe<number>(arg);
      await a.send(1);
      assert.equal(await b.recv(), 1);
      a.close();
      b.close();
    }
    assert.throws(
      () => dummy.Pipe({ duplx: false } as never),
      unexpected("Pipe", "duplx"),
    );
    assert.throws(() => dummy.Pipe(1 as never), TypeError);
  });

  it("dummy Process(options) rejects what is not an options object", async () => {
    assert.throws(() => new dummy.Process(5 as never), TypeError);
    assert.throws(
      () => new dummy.Process({ traget: () => {} } as never),
      unexpected("Process", "traget"),
    );
    const p = new dummy.Process({ target: () => {}, name: "opts" });
    await p.start();
    await p.join();
    assert.equal(p.exitcode, 0);
  });

  it("Pipe({ duplex: false }) gives a receive-only and a send-only end, as Pipe(false)", async () => {
    for (const [a, b] of [Pipe({ duplex: false }), Pipe(false)]) {
      b.sendSync("x");
      assert.equal(await a.recv(), "x");
      assert.throws(
        () => a.sendSync("y"),
        (e: Error) =>
          e instanceof OSError && e.message === "connection is read-only",
      );
      a.close();
      b.close();
    }
    assert.throws(
      () => Pipe({ duplx: false } as never),
      unexpected("Pipe", "duplx"),
    );
  });

  it("new Pool({ processes }) as well as new Pool(n, options)", async () => {
    await using pool = new Pool({ processes: 1 });
    assert.deepEqual(await pool.map((x: number) => x * 2, [1, 2]), [2, 4]);
  });
});

after(() => assertNoLeaks());
