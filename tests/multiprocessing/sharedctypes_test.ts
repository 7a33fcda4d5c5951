import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  Array as SharedArray,
  Lock,
  Process,
  RLock,
  Value,
  ValueError,
} from "../../multiprocessing/mod.ts";
import { assertNoLeaks } from "../_leaks.ts";

describe("Value", () => {
  it("Value holds one number of its typecode", async () => {
    const v = new Value("i", 5);
    assert.equal(v.typecode, "i");
    assert.equal(v.value, 5);
    v.value = 2 ** 31; // wraps as a C int does
    assert.equal(v.value, -(2 ** 31));
    await v.set(7);
    assert.equal(await v.get(), 7);
    assert.throws(() => (v.value = 1.5), {
      name: "TypeError",
      message: "int expected instead of float",
    });
    assert.throws(() => (v.value = "x" as never), TypeError);
    const d = new Value("d", 0.5);
    d.value += 0.25;
    assert.equal(d.value, 0.75);
    const q = new Value("q", 2n ** 40n);
    assert.equal(q.value, 2 ** 40);
    const b = new Value("B", 300);
    assert.equal(b.value, 44);
    assert.throws(() => new Value("z" as never), ValueError);
    assert.match(String(new Value("h", 3)), /c_h\(3\)/);
    assert.ok(v.getLock() instanceof RLock);
    const l = new Lock();
    assert.equal(new Value("i", 0, { lock: l }).getLock(), l);
    assert.throws(
      () => new Value("i", 0, { lock: false }).getLock(),
      TypeError,
    );
    assert.throws(() => new Value("i", 0, { lock: 3 as never }), TypeError);
    await v.acquire();
    v.release();
    v.acquireSync();
    v.release();
  });

  it("a Value counter under its lock, incremented by 4 processes", async () => {
    const counter = new Value("i", 0);
    const ps = [0, 1, 2, 3].map(() =>
      new Process({
        target: (c: Value) => {
          for (let i = 0; i < 100; i++) {
            using _held = c.holdSync();
            c.value += 1;
          }
        },
        args: [counter],
      })
    );
    for (const p of ps) await p.start();
    for (const p of ps) await p.join();
    assert.equal(counter.value, 400);
  });
});

describe("Array", () => {
  it("Array reads and writes elements of its typecode", async () => {
    const a = new SharedArray("d", [1, 2, 3]);
    assert.equal(a.length, 3);
    assert.equal(a.typecode, "d");
    assert.equal(await a.get(0), 1);
    assert.equal(a.getSync(-1), 3);
    await a.set(1, 2.5);
    a.setSync(-1, 4);
    assert.deepEqual(await a.toArray(), [1, 2.5, 4]);
    await a.setAll([7, 8], 1);
    assert.deepEqual(a.toArraySync(), [1, 7, 8]);
    a.setAllSync([0, 0, 0]);
    assert.deepEqual(a.toArraySync(), [0, 0, 0]);
    await assert.rejects(a.get(3), RangeError);
    assert.throws(() => a.setSync(-4, 1), RangeError);
    await assert.rejects(a.setAll([1, 2, 3, 4]), ValueError);
    const z = new SharedArray("i", 4);
    assert.deepEqual(z.toArraySync(), [0, 0, 0, 0]);
    assert.throws(() => z.setSync(0, 0.5), TypeError);
    assert.throws(() => new SharedArray("i", -1), ValueError);
    assert.ok(z.getLock() instanceof RLock);
    using _h = await z.hold();
  });

  it("children fill an Array each at its own index", async () => {
    const a = new SharedArray("i", 4);
    const ps = [0, 1, 2, 3].map((k) =>
      new Process({
        target: (a: SharedArray, k: number) => a.setSync(k, k * k),
        args: [a, k],
      })
    );
    for (const p of ps) await p.start();
    for (const p of ps) await p.join();
    assert.deepEqual(await a.toArray(), [0, 1, 4, 9]);
  });
});

after(() => assertNoLeaks());
