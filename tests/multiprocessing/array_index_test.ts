// multiprocessing.Array and its dummy twin as Python sequences (issue 14,
// item 7): a[i], a[i] = v, length, iteration, slices, IndexError; expected
// values and messages are CPython 3.11's for multiprocessing.Array.
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  Array as SharedArray,
  BaseProxy,
  IndexError,
  Process,
  ValueError,
} from "../../multiprocessing/mod.ts";
import {
  Array as DummyArray,
  DummyProcess,
  IndexError as DummyIndexError,
} from "../../multiprocessing/dummy/mod.ts";
import { _setShmDisabled } from "../../_internal/shm/ffi.ts";
import { assertNoLeaks } from "../_leaks.ts";

type AnyArray = SharedArray | DummyArray;

const kinds: [string, (tc: "i" | "d", init: number | number[]) => AnyArray][] =
  [
    ["Array", (tc, init) => new SharedArray(tc, init)],
    ["Array (served, no shared memory)", (tc, init) => {
      _setShmDisabled(true);
      try {
        return new SharedArray(tc, init);
      } finally {
        _setShmDisabled(false);
      }
    }],
    ["dummy Array", (tc, init) => new DummyArray(tc, init)],
  ];

for (const [kind, make] of kinds) {
  describe(kind, () => {
    it(`${kind}: a[i] and a[i] = v read and write, negative indexes count from the end`, () => {
      const a = make("i", [1, 2, 3, 4]);
      assert.equal(a[0], 1);
      assert.equal(a[3], 4);
      assert.equal(a[-1], 4);
      assert.equal(a[-4], 1);
      a[0] = 10;
      a[-1] += 5;
      assert.equal(a.getSync(0), 10);
      assert.equal(a[3], 9);
      assert.deepEqual(a.toArraySync(), [10, 2, 3, 9]);
      assert.equal(a.length, 4);
      assert.ok(
        a instanceof (kind === "dummy Array" ? DummyArray : SharedArray),
      );
      // the class and its bases: the codec and the registry rely on it
      assert.equal(a instanceof BaseProxy, kind !== "dummy Array");
      assert.ok(a instanceof Object);
    });

    it(`${kind}: an index out of range is IndexError('invalid index')`, async () => {
      const a = make("i", 4);
      for (const i of [4, -5, 100]) {
        assert.throws(
          () => a[i],
          (e: Error) =>
            e instanceof IndexError && e instanceof DummyIndexError &&
            e instanceof RangeError && e.name === "IndexError" &&
            e.message === "invalid index",
        );
        assert.throws(() => (a[i] = 1), {
          name: "IndexError",
          message: "invalid index",
        });
      }
      assert.throws(() => a.getSync(4), IndexError);
      await assert.rejects(a.get(-5), IndexError);
      await assert.rejects(a.set(4, 0), IndexError);
      assert.throws(() => a[1.5], {
        name: "TypeError",
        message: "indices must be integers",
      });
      assert.throws(() => (a[0] = 1.5), TypeError); // an int typecode
      assert.throws(() => (a[0] = "x" as never), TypeError);
    });

    it(`${kind}: for...of, spread and Array.from give the elements`, () => {
      const a = make("d", [0.5, 1.5, 2.5]);
      const seen: number[] = [];
      for (const x of a) seen.push(x);
      assert.deepEqual(seen, [0.5, 1.5, 2.5]);
      assert.deepEqual([...a], [0.5, 1.5, 2.5]);
      assert.deepEqual(globalThis.Array.from(a), [0.5, 1.5, 2.5]);
      assert.deepEqual([...make("i", 0)], []);
    });

    it(`${kind}: other properties are untouched by indexing`, async () => {
      const a = make("i", [7, 8]);
      // deno-lint-ignore no-explicit-any
      const o = a as any;
      assert.equal(o.foo, undefined);
      assert.equal(o.then, undefined); // not a thenable
      assert.equal(await a, a);
      o.foo = 3;
      assert.equal(o.foo, 3);
      assert.equal(typeof a.getSync, "function");
      assert.equal(a.typecode, "i");
      assert.deepEqual(Object.keys(a).filter((k) => /^\d/.test(k)), []);
    });

    it(`${kind}: slice()/sliceSync() are Python's a[start:stop:step]`, async () => {
      const a = make("i", [0, 1, 2, 3, 4, 5]);
      const cases: [
        number | null,
        number | null,
        number | null,
        number[],
      ][] = [
        [1, 3, null, [1, 2]],
        [null, null, -1, [5, 4, 3, 2, 1, 0]],
        [-2, null, null, [4, 5]],
        [null, null, 2, [0, 2, 4]],
        [5, 0, -2, [5, 3, 1]],
        [10, 20, null, []],
        [-100, 2, null, [0, 1]],
      ];
      for (const [start, stop, step, want] of cases) {
        assert.deepEqual(a.sliceSync(start, stop, step), want);
        assert.deepEqual(await a.slice(start, stop, step), want);
      }
      assert.deepEqual(a.sliceSync(), [0, 1, 2, 3, 4, 5]);
      assert.deepEqual(a.sliceSync(4), [4, 5]);
      assert.throws(
        () => a.sliceSync(null, null, 0),
        (e: Error) =>
          e instanceof ValueError &&
          e.message === "slice step cannot be zero",
      );
      assert.throws(() => a.sliceSync(0.5), TypeError);
    });

    it(`${kind}: setSlice()/setSliceSync() are Python's a[start:stop:step] = values`, async () => {
      const a = make("i", [0, 1, 2, 3, 4, 5]);
      a.setSliceSync(5, 0, [9, 9, 9], -2);
      assert.deepEqual(a.toArraySync(), [0, 9, 2, 9, 4, 9]);
      a.setSliceSync(1, 1, []);
      await a.setSlice(1, 3, [7, 8]);
      assert.deepEqual(a.toArraySync(), [0, 7, 8, 9, 4, 9]);
      await a.setSlice(null, null, [1, 1, 1], 2);
      assert.deepEqual(a.toArraySync(), [1, 7, 1, 9, 1, 9]);
      for (
        const bad of [
          () => a.setSliceSync(1, 3, [1]),
          () => a.setSliceSync(1, 1, [1]),
          () => a.setSliceSync(null, null, [1, 2], 2),
        ]
      ) {
        assert.throws(bad, (e: Error) =>
          e instanceof ValueError &&
          e.message === "Can only assign sequence of same size");
      }
      await assert.rejects(a.setSlice(0, 2, [1, 2, 3]), ValueError);
      assert.throws(() => a.setSliceSync(0, 1, [0.5]), TypeError);
      assert.throws(() => a.setSliceSync(0, 1, 5 as never), TypeError);
      assert.deepEqual(a.toArraySync(), [1, 7, 1, 9, 1, 9]); // unchanged
    });

    it(`${kind}: console.log shows the typecode and elements`, () => {
      const a = make("d", [1, 2.5]);
      const key = Symbol.for("nodejs.util.inspect.custom");
      const show = (a as unknown as Record<symbol, () => string>)[key];
      assert.equal(show.call(a), 'Array("d", [1, 2.5])');
    });
  });
}

describe("Array across workers", () => {
  it("Array: a child process indexes the array it was given", async () => {
    const a = new SharedArray("i", 4);
    const ps = [0, 1, 2, 3].map((k) =>
      new Process({
        target: (a: SharedArray, k: number) => {
          a[k] = k * k;
          if (a.length !== 4) throw new Error("length");
          if (!(a.sliceSync(k, k + 1)[0] === k * k)) throw new Error("slice");
        },
        args: [a, k],
      })
    );
    for (const p of ps) await p.start();
    for (const p of ps) await p.join();
    assert.deepEqual(ps.map((p) => p.exitcode), [0, 0, 0, 0]);
    assert.deepEqual([...a], [0, 1, 4, 9]);
  });

  it("dummy Array: a thread indexes the array it was given", async () => {
    const a = new DummyArray("i", 3);
    const t = new DummyProcess({
      target: (a: DummyArray) => {
        a[-1] = 7;
        a[0] = [...a].length;
      },
      args: [a],
    });
    await t.start();
    await t.join();
    assert.deepEqual([...a], [3, 0, 7]);
  });
});

after(() => assertNoLeaks());
