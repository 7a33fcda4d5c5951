import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  activeCount,
  currentThread,
  enumerate,
  Event,
  excepthook,
  getIdent,
  getNativeId,
  Lock,
  mainThread,
  setExcepthook,
  Thread,
} from "../../threading/mod.ts";
import { RuntimeError, ValueError } from "../../mod.ts";
import { assertNoLeaks } from "../_leaks.ts";
import { runScript } from "../_script.ts";
import { captureThreadErrors, sharedInts } from "./_util.ts";

const targets = new URL("./_thread_target.ts", import.meta.url);

describe("Thread", () => {
  it("Thread runs a function target with structured-clone and shared arguments", async () => {
    const out = sharedInts(2);
    const t = new Thread({
      target: (
        out: Int32Array,
        obj: { a: number[]; m: Map<string, number> },
      ) => {
        out[0] = obj.a.reduce((x, y) => x + y, 0);
        out[1] = obj.m.get("k")!;
      },
      args: [out, { a: [1, 2, 3], m: new Map([["k", 7]]) }],
    });
    assert.equal(t.isAlive(), false);
    assert.equal(t.ident, null);
    t.start();
    assert.equal(typeof t.ident, "number");
    await t.join();
    assert.equal(t.isAlive(), false);
    assert.deepEqual([out[0], out[1]], [6, 7]);
  });

  it("Thread runs a module target, default export and named export", async () => {
    const out = sharedInts(8);
    const t1 = new Thread({ target: { module: targets }, args: [out, 2, 3] });
    t1.start();
    await t1.join();
    assert.equal(out[0], 5);
    const done = new Event();
    const t2 = new Thread({
      target: { module: targets, name: "whoAmI" },
      args: [out, done],
      name: "named-worker",
      daemon: true,
    });
    t2.start();
    assert.equal(await done.wait(10), true);
    await t2.join();
    assert.equal(out[0], t2.ident);
    assert.equal(out[1], t2.ident);
    assert.equal(out[2], 1, "daemon flag seen inside");
    assert.equal(out[3], 1, "name seen inside");
    assert.equal(out[4], 1, "main thread ident is 1");
    assert.equal(out[5], 1);
    assert.equal(out[6], t2.nativeId);
    assert.notEqual(t2.nativeId, getNativeId());
  });

  it("Thread.start() twice throws RuntimeError", async () => {
    const t = new Thread({ target: () => {} });
    t.start();
    assert.throws(
      () => t.start(),
      (e: Error) =>
        e instanceof RuntimeError &&
        e.message === "threads can only be started once",
    );
    await t.join();
  });

  it("Thread.join() before start and on the current thread throw RuntimeError", async () => {
    const t = new Thread({ target: () => {} });
    await assert.rejects(
      t.join(),
      (e: Error) =>
        e instanceof RuntimeError &&
        e.message === "cannot join thread before it is started",
    );
    assert.throws(() => t.joinSync(), RuntimeError);
    await assert.rejects(
      currentThread().join(),
      (e: Error) => e.message === "cannot join current thread",
    );
  });

  it("Thread.daemon cannot change once started", async () => {
    const t = new Thread({ target: () => {} });
    t.daemon = true;
    assert.equal(t.daemon, true);
    t.start();
    assert.throws(
      () => (t.daemon = false),
      (e: Error) => e.message === "cannot set daemon status of active thread",
    );
    await t.join();
  });

  it("Thread rejects bad targets and args", () => {
    assert.throws(() => new Thread({ target: 42 as never }), TypeError);
    assert.throws(() => new Thread({ target: Math.max }), /native or bound/);
    assert.throws(
      () => new Thread({ target: (() => {}).bind(null) }),
      TypeError,
    );
    assert.throws(
      () => new Thread({ target: () => {}, args: "x" as never }),
      TypeError,
    );
    assert.throws(
      () => new Thread({ target: { module: 42 as never } }),
      TypeError,
    );
  });

  it("Thread names follow Python: Thread-N (target)", () => {
    function work() {}
    const t = new Thread({ target: work });
    assert.match(t.name, /^Thread-\d+ \(work\)$/);
    assert.match(new Thread().name, /^Thread-\d+$/);
    assert.equal(new Thread({ name: "x" }).name, "x");
  });

  it("Thread.join(timeout) returns while the thread still runs", async () => {
    const stop = new Event();
    const t = new Thread({
      target: (stop: Event) => stop.waitSync(10),
      args: [stop],
    });
    t.start();
    const t0 = performance.now();
    await t.join(0.05);
    assert.ok(performance.now() - t0 >= 45);
    assert.equal(t.isAlive(), true);
    t.joinSync(0.02);
    assert.equal(t.isAlive(), true);
    await assert.rejects(t.join(-1), ValueError);
    stop.set();
    t.joinSync(10);
    assert.equal(t.isAlive(), false);
    await t.join();
  });

  it("Thread waits for an async target to settle", async () => {
    const out = sharedInts(1);
    const t = new Thread({
      target: async (out: Int32Array) => {
        await new Promise((r) => setTimeout(r, 30));
        out[0] = 9;
      },
      args: [out],
    });
    t.start();
    await t.join();
    assert.equal(out[0], 9);
  });

  it("an uncaught error goes to excepthook with class, message, stack, cause and properties", async () => {
    const errors = await captureThreadErrors(async () => {
      const t = new Thread({
        target: { module: targets, name: "failWithValueError" },
        name: "failing",
      });
      t.start();
      await t.join();
    });
    assert.equal(errors.length, 1);
    const { excType, excValue, excTraceback, thread } = errors[0];
    assert.equal(excType, "ValueError");
    assert.ok(excValue instanceof ValueError);
    assert.equal((excValue as Error).message, "bad value");
    assert.ok(((excValue as Error).cause as Error) instanceof TypeError);
    assert.equal(((excValue as Error).cause as Error).message, "root cause");
    assert.equal((excValue as unknown as { code: number }).code, 42);
    assert.match(excTraceback ?? "", /failWithValueError/);
    assert.equal(thread?.name, "failing");
  });

  it("an unhandled rejection inside a thread is reported, not a crash", async () => {
    const errors = await captureThreadErrors(async () => {
      const t = new Thread({
        target: async () => {
          Promise.reject(new RangeError("nobody awaited me"));
          await new Promise((r) => setTimeout(r, 50));
        },
      });
      t.start();
      await t.join();
    });
    assert.equal(errors.length, 1);
    assert.ok(errors[0].excValue instanceof RangeError);
    assert.equal((errors[0].excValue as Error).message, "nobody awaited me");
  });

  it("setExcepthook() returns the previous hook and excepthook follows it", () => {
    const mine = () => {};
    const prev = setExcepthook(mine);
    assert.equal(excepthook, mine);
    assert.equal(setExcepthook(prev), mine);
    assert.equal(excepthook, prev);
    assert.throws(() => setExcepthook(42 as never), TypeError);
  });

  it("currentThread(), mainThread(), getIdent() in the main thread", () => {
    assert.equal(currentThread().name, "MainThread");
    assert.equal(currentThread(), mainThread());
    assert.equal(getIdent(), 1);
    assert.equal(currentThread().isAlive(), true);
    assert.ok(getNativeId() > 0);
  });

  it("activeCount() and enumerate() include running threads", async () => {
    const stop = new Event();
    const base = activeCount();
    const t = new Thread({
      target: (e: Event) => e.waitSync(10),
      args: [stop],
      name: "counted",
    });
    t.start();
    assert.equal(activeCount(), base + 1);
    assert.ok(enumerate().includes(t));
    assert.equal(enumerate()[0], mainThread());
    stop.set();
    await t.join();
    assert.equal(activeCount(), base);
    assert.ok(!enumerate().includes(t));
  });

  it("a shared object passed twice arrives as one handle", async () => {
    const lock = new Lock();
    const out = sharedInts(1);
    const t = new Thread({
      target: (a: Lock, nested: { inner: Set<Lock> }, out: Int32Array) => {
        out[0] = [...nested.inner][0] === a ? 1 : 2;
      },
      args: [lock, { inner: new Set([lock]) }, out],
    });
    t.start();
    await t.join();
    assert.equal(out[0], 1);
  });

  it("a thread can start and join its own thread", async () => {
    const out = sharedInts(2);
    const url = new URL("../../threading/mod.ts", import.meta.url).href;
    const t = new Thread({
      target: async (url: string, out: Int32Array) => {
        const { Thread, getIdent } = await import(url);
        const inner = new Thread({
          target: (o: Int32Array) => {
            o[1] = 5;
          },
          args: [out],
        });
        inner.start();
        inner.joinSync(10);
        out[0] = inner.ident !== getIdent() && inner.ident > 1 ? 1 : 2;
      },
      args: [url, out],
    });
    t.start();
    await t.join();
    assert.deepEqual([out[0], out[1]], [1, 5]);
  });
});

describe("Thread liveness", () => {
  const modUrl = new URL("../../threading/mod.ts", import.meta.url).href;

  it("the program waits for a non-daemon thread", () => {
    const r = runScript(`
      import { Thread } from "${modUrl}";
      const t = new Thread({ target: async () => { await new Promise((r) => setTimeout(r, 300)); console.log("thread done"); } });
      t.start();
      console.log("main done");
    `);
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /main done[\s\S]*thread done/);
  });

  it("a daemon thread blocked in a wait does not keep the program alive", () => {
    const r = runScript(`
      import { Event, Thread } from "${modUrl}";
      const never = new Event();
      const t = new Thread({ target: (e) => e.waitSync(), args: [never], daemon: true });
      t.start();
      await new Promise((r) => setTimeout(r, 100));
      console.log("main done", t.isAlive());
    `);
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /main done true/);
    assert.ok(r.ms < 10_000);
  });

  it("the default excepthook prints 'Exception in thread NAME:' and the stack", () => {
    const r = runScript(`
      import { Thread } from "${modUrl}";
      const t = new Thread({ target: () => { throw new TypeError("kaput"); }, name: "bad-thread" });
      t.start();
      await t.join();
      console.log("after join");
    `);
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /Exception in thread bad-thread:\n.*TypeError: kaput/);
    assert.match(r.out, /after join/);
  });
});

after(() => assertNoLeaks());
