import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { Queue } from "../../queue/mod.ts";
import { decodeTree, encodeTree } from "../../queue/_tree_codec.ts";
import { assertNoLeaks } from "../_leaks.ts";

function roundTrip<T>(item: T): T {
  const q = new Queue<T>();
  q.putNowait(item);
  return q.getNowait();
}

describe("queue items", () => {
  it("Queue copies nested arrays, objects and Dates exactly", () => {
    const item = {
      n: [1, -0, 0.5, 2 ** 40, -(2 ** 31), NaN, Infinity],
      s: ["", "ascii", "ÿ", "☃", "🎉", "x".repeat(5000), "☃".repeat(5000)],
      b: [true, false, null, undefined, 12n, -(2n ** 70n)],
      d: new Date(Date.UTC(2024, 1, 29)),
      deep: { a: { b: { c: [[[]]] } } },
      "key with ☃": 1,
      7: "numeric key",
    };
    const back = roundTrip(item);
    assert.deepEqual(back, item);
    assert.ok(Object.is(back.n[1], -0));
    assert.deepEqual(Object.keys(back), Object.keys(item));
  });

  it("Queue keeps a __proto__ key as an own property", () => {
    const item = JSON.parse('{"__proto__": {"x": 1}, "y": 2}');
    const back = roundTrip(item);
    assert.equal(Object.getPrototypeOf(back), Object.prototype);
    assert.deepEqual(Object.keys(back), ["__proto__", "y"]);
    assert.deepEqual(back.__proto__, { x: 1 });
  });

  it("Queue keeps shared references and cycles as structured clone does", () => {
    const shared = { v: 1 };
    const pair = roundTrip([shared, shared]);
    assert.equal(pair[0], pair[1]);
    const cyc: Record<string, unknown> = { name: "c" };
    cyc.self = cyc;
    const back = roundTrip(cyc);
    assert.equal(back.self, back);
  });

  it("Queue keeps holes in arrays and copies class instances as plain objects", () => {
    // deno-lint-ignore no-sparse-arrays
    const holey = [1, , 3];
    const back = roundTrip(holey);
    assert.equal(1 in back, false);
    assert.equal(back.length, 3);
    class Point {
      x: number;
      constructor(x: number) {
        this.x = x;
      }
    }
    const p = roundTrip({ p: new Point(3) });
    assert.deepEqual(p, { p: { x: 3 } });
  });

  it("Queue copies typed arrays, DataViews and ArrayBuffers, top-level and nested", () => {
    const f64 = new Float64Array([1.5, -2, NaN]);
    const sub = new Uint16Array(new Uint16Array([1, 2, 3, 4]).buffer, 2, 2);
    const items: unknown[] = [
      f64,
      sub,
      new Int8Array([-1, 2]),
      new Uint8ClampedArray([255]),
      new BigInt64Array([-5n]),
      new BigUint64Array([2n ** 64n - 1n]),
      new Int32Array(0),
      new DataView(new Uint8Array([9, 8, 7]).buffer, 1),
      new Uint8Array([1, 2, 3]).buffer,
      { nested: [new Float32Array([0.5]), new Uint8Array([7]).buffer] },
    ];
    for (const item of items) {
      const back = roundTrip(item);
      assert.deepEqual(back, item);
      assert.equal(
        Object.getPrototypeOf(back),
        Object.getPrototypeOf(item),
      );
    }
    const back = roundTrip(sub);
    assert.equal(back.byteOffset, 0);
    assert.equal(back.buffer.byteLength, 4);
  });

  it("Queue copies a typed array at put time, not later", async () => {
    const q = new Queue<Uint8Array>(1);
    q.putNowait(new Uint8Array([0]));
    const a = new Uint8Array([1, 2, 3]);
    const pending = q.put(a); // waits for room
    a[0] = 99;
    assert.deepEqual(q.getNowait(), new Uint8Array([0]));
    await pending;
    assert.deepEqual(q.getNowait(), new Uint8Array([1, 2, 3]));
  });

  it("Queue.put() rejects a view of a SharedArrayBuffer", () => {
    const q = new Queue();
    assert.throws(
      () => q.putNowait(new Int32Array(new SharedArrayBuffer(8))),
      TypeError,
    );
  });

  it("Queue copies an array of 100,000 objects in linear time", () => {
    const arr = Array.from({ length: 100_000 }, (_, i) => ({ id: i, t: [i] }));
    const t0 = performance.now();
    const back = roundTrip(arr);
    const ms = performance.now() - t0;
    assert.equal(back.length, 100_000);
    assert.deepEqual(back[99_999], { id: 99_999, t: [99_999] });
    assert.ok(ms < 5000, `took ${ms} ms`);
  });

  it("encodeTree() gives up on what it does not cover", () => {
    assert.equal(encodeTree(new Map()), undefined);
    assert.equal(encodeTree([new Set()]), undefined);
    assert.equal(
      encodeTree([new Uint8Array(new SharedArrayBuffer(2))]),
      undefined,
    );
    assert.equal(encodeTree({ f: () => 1 }), undefined);
    let deep: unknown = 1;
    for (let i = 0; i < 100; i++) deep = [deep];
    assert.equal(encodeTree(deep), undefined);
    assert.deepEqual(roundTrip(deep), deep);
    const bytes = encodeTree({ a: [1, "b"] })!.slice();
    assert.deepEqual(decodeTree(bytes), { a: [1, "b"] });
  });
});

after(() => assertNoLeaks());
