import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  futures,
  multiprocessing,
  queue,
  registerClass,
  registerError,
  threading,
  ValueError,
} from "../../mod.ts";
import {
  decode,
  encode,
  errorToRecord,
  recordToError,
} from "../../_internal/share/codec.ts";
import { TestAppError, TestPlain, TestPoint } from "./_classes.ts";
import { assertNoLeaks } from "../_leaks.ts";

const FIXTURE = new URL("./_classes.ts", import.meta.url);
const target = (name: string) => ({ module: FIXTURE, name });

function point(x: number, y: number): TestPoint {
  const p = new TestPoint(x, y);
  p.label = new TestPoint(0, 1);
  return p;
}

function assertPoint(v: unknown, norm: number): asserts v is TestPoint {
  assert.ok(v instanceof TestPoint, `expected a TestPoint, got ${v}`);
  assert.equal(v.norm(), norm);
}

function assertAppError(err: unknown, code: number): void {
  assert.ok(err instanceof TestAppError, `expected a TestAppError: ${err}`);
  assert.ok(err instanceof Error);
  assert.equal(err.name, "Error");
  assert.equal(err.message, `failed with ${code}`);
  assert.equal(err.code, code);
  assert.match(err.stack ?? "", /fail/);
  assert.ok(err.cause instanceof TestAppError);
  assert.equal((err.cause as Error).message, "inner");
  assertPoint(err.point, 10);
}

describe("registerClass() and registerError()", () => {
  after(() => assertNoLeaks());

  it("registerClass() instances round-trip through the codec with fields, nesting and cycles", async () => {
    const p = point(3, 4);
    const cyclic = new TestPoint(1, 0);
    cyclic.label = cyclic;
    const value = [p, { m: new Map([["k", p]]) }, new Set([cyclic])];
    const e = encode(value);
    assert.equal(e.shared, true);
    assert.equal(e.handles, false);
    const back = await decode(structuredClone(e)) as [
      TestPoint,
      { m: Map<string, TestPoint> },
      Set<TestPoint>,
    ];
    assertPoint(back[0], 5);
    assertPoint(back[0].label, 1);
    assert.equal(back[1].m.get("k"), back[0]);
    const c = [...back[2]][0];
    assertPoint(c, 1);
    assert.equal(c.label, c);
    // A field named __proto__ stays a field.
    const odd = new TestPoint(0, 3);
    Object.defineProperty(odd, "__proto__", {
      value: 1,
      enumerable: true,
      configurable: true,
      writable: true,
    });
    const o = await decode(structuredClone(encode(odd))) as TestPoint;
    assertPoint(o, 3);
    assert.equal(Object.getOwnPropertyDescriptor(o, "__proto__")?.value, 1);
  });

  it("encode() leaves values without registered classes or errors untouched", () => {
    const value = { a: [1, "x"], d: new Date(0), m: new Map([[1, { b: 2 }]]) };
    const e = encode(value);
    assert.equal(e.shared, false);
    assert.equal(e.value, value);
  });

  it("registerError() errors keep their class, cause and own fields in a record", () => {
    let err: unknown;
    try {
      const e = new TestAppError("failed with 4", {
        cause: new TestAppError("inner"),
      });
      e.code = 4;
      e.point = new TestPoint(6, 8);
      throw e;
    } catch (e) {
      err = e;
    }
    const back = recordToError(structuredClone(errorToRecord(err)));
    assert.ok(back instanceof TestAppError);
    assert.equal(back.code, 4);
    assertPoint(back.point, 10);
    assert.ok(back.cause instanceof TestAppError);
  });

  it("registerClass() rejects a non-class, an anonymous class and a taken name", () => {
    assert.throws(() => registerClass(5 as never), TypeError);
    assert.throws(() => registerClass((() => class {})()), {
      name: "TypeError",
      message: "registerClass() needs a { name } for an anonymous class",
    });
    class TestPoint2 {}
    registerClass(TestPoint2);
    registerClass(TestPoint2); // the same class again: nothing happens
    const Other = class TestPoint2 {};
    assert.throws(() => registerClass(Other), {
      name: "ValueError",
      message:
        "another class is already registered as 'TestPoint2': pass registerClass(cls, { name }) a name of its own",
    });
    assert.throws(() => registerClass(Other), ValueError);
    assert.throws(() => registerError(TestPlain as never), TypeError);
    assert.throws(() => registerError(class ValueError extends Error {}), {
      name: "ValueError",
      message:
        "another error class is already registered as 'ValueError': pass registerError(cls, { name }) a name of its own",
    });
  });

  it("registerClass() with { name } tells two classes of the same name apart", async () => {
    const A = class Twin {
      a = 1;
    };
    const B = class Twin {
      b = 2;
    };
    registerClass(A, { name: "classes_test.Twin.A" });
    registerClass(B, { name: "classes_test.Twin.B" });
    const back = await decode(structuredClone(encode([new A(), new B()]))) as [
      object,
      object,
    ];
    assert.ok(back[0] instanceof A);
    assert.ok(back[1] instanceof B);
  });

  it("ThreadPoolExecutor carries registered instances in arguments, results and errors", async () => {
    await using ex = new futures.ThreadPoolExecutor({ maxWorkers: 1 });
    assert.equal(await ex.submit(target("norm"), point(3, 4)), 5);
    assert.deepEqual(
      await ex.submit(target("describe"), point(3, 4)),
      ["TestPoint", 5, true],
    );
    const back = await ex.submit(target("echo"), {
      pts: [point(5, 12)],
      m: new Map([["p", point(8, 15)]]),
    }) as { pts: TestPoint[]; m: Map<string, TestPoint> };
    assertPoint(back.pts[0], 13);
    assertPoint(back.pts[0].label, 1);
    assertPoint(back.m.get("p"), 17);
    assertAppError(await ex.submit(target("fail"), 7).exception(), 7);
    // An error as an argument and as a result.
    const sent = new TestAppError("failed with 1", {
      cause: new TestAppError("inner"),
    });
    sent.code = 1;
    sent.point = new TestPoint(6, 8);
    assertAppError(await ex.submit(target("echo"), sent), 1);
  });

  it("ThreadPoolExecutor: an unregistered class arrives as a plain object", async () => {
    await using ex = new futures.ThreadPoolExecutor({ maxWorkers: 1 });
    assert.deepEqual(await ex.submit(target("describe"), new TestPlain(2)), [
      "plain",
    ]);
    const back = await ex.submit(target("echo"), new TestPlain(2));
    assert.ok(!(back instanceof TestPlain));
    assert.deepEqual(back, { v: 2 });
  });

  it("a worker that never registered the class fails the task, naming the class", async () => {
    await using ex = new futures.ThreadPoolExecutor({ maxWorkers: 1 });
    const err = await ex.submit((p: unknown) => p, point(1, 1)).exception();
    assert.ok(err instanceof TypeError);
    assert.match(
      (err as Error).message,
      /^cannot rebuild an instance of class TestPoint: no class is registered under that name here; call registerClass\(TestPoint\)/,
    );
  });

  it("ProcessPoolExecutor carries registered instances in arguments, results and errors", async () => {
    await using ex = new futures.ProcessPoolExecutor({ maxWorkers: 1 });
    assert.equal(await ex.submit(target("norm"), point(3, 4)), 5);
    const back = await ex.submit(target("echo"), [point(5, 12)]) as [
      TestPoint,
    ];
    assertPoint(back[0], 13);
    assertPoint(back[0].label, 1);
    assertAppError(await ex.submit(target("fail"), 8).exception(), 8);
  });

  it("Thread args carry registered instances; a thrown registered error reaches excepthook whole", async () => {
    const out = new queue.Queue<unknown>();
    const t = new threading.Thread({
      target: target("threadTarget"),
      args: [point(3, 4), new Map([["pts", [point(1, 0), point(0, 2)]]]), out],
    });
    t.start();
    await t.join();
    const [a, b, p] = await out.get({ timeout: 20 }) as unknown[];
    assert.deepEqual(a, ["TestPoint", 5, true]);
    assert.deepEqual(b, ["TestPoint", 2, true]);
    // queue.Queue items cross the thread whole too.
    assertPoint(p, 13);

    const seen: unknown[] = [];
    const prev = threading.setExcepthook((args) => seen.push(args.excValue));
    try {
      const f = new threading.Thread({ target: target("threadFail") });
      f.start();
      await f.join();
    } finally {
      threading.setExcepthook(prev);
    }
    assert.equal(seen.length, 1);
    assertAppError(seen[0], 9);
  });

  it("queue.Queue items keep their class inside Maps and errors (the node:v8 path)", () => {
    const q = new queue.Queue<unknown>();
    q.putNowait(new Map([["p", point(3, 4)]]));
    const err = new TestAppError("failed with 2", {
      cause: new TestAppError("inner"),
    });
    err.code = 2;
    err.point = new TestPoint(6, 8);
    q.putNowait(err);
    q.putNowait(point(5, 12));
    const m = q.getNowait() as Map<string, TestPoint>;
    assertPoint(m.get("p"), 5);
    assertAppError(q.getNowait(), 2);
    assertPoint(q.getNowait(), 13);
  });

  it("Process args, multiprocessing Queue items and Pipe messages carry registered instances both ways", async () => {
    const q = new multiprocessing.Queue<unknown>();
    const back = new multiprocessing.Queue<unknown>();
    const [mine, theirs] = multiprocessing.Pipe<unknown>();
    const p = new multiprocessing.Process({
      target: target("processTarget"),
      args: [point(3, 4), q, back, theirs],
    });
    await p.start();
    await q.put(point(5, 12));
    const [a, b, c] = await back.get({ timeout: 30 }) as unknown[];
    assert.deepEqual(a, ["TestPoint", 5, true]);
    assert.deepEqual(b, ["TestPoint", 13, true]);
    assertPoint(c, 17);
    await mine.send(point(7, 24));
    const reply = await mine.recv() as {
      seen: unknown[];
      err: unknown;
      echo: TestPoint;
    };
    assert.deepEqual(reply.seen, ["TestPoint", 25, true]);
    assertAppError(reply.err, 3);
    assertPoint(reply.echo, 25);
    await p.join();
    assert.equal(p.exitcode, 0);
    mine.close();
    theirs.close();
    q.close();
    back.close();
  });
});
