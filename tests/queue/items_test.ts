import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { Queue } from "../../queue/mod.ts";
import { decodeTree, encodeTree } from "../../queue/_tree.ts";
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
      constructor(public x: number) {}
    }
    const p = roundTrip({ p: new Point(3) });
    assert.deepEqual(p, { p: { x: 3 } });
  });

  it("encodeTree() gives up on what it does not cover", () => {
    assert.equal(encodeTree(new Map()), undefined);
    assert.equal(encodeTree([new Uint8Array(2)]), undefined);
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
