import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  Empty,
  LifoQueue,
  PriorityQueue,
  Queue,
  SimpleQueue,
} from "../../queue/mod.ts";
import { ValueError } from "../../mod.ts";
import { pyLess } from "../../queue/_compare.ts";
import { assertNoLeaks } from "../_leaks.ts";
import { isError } from "./_util.ts";

const NOT_SUPPORTED = (a: string, b: string) =>
  `'<' not supported between instances of '${a}' and '${b}'`;

describe("LifoQueue", () => {
  it("LifoQueue.get() returns the newest item first", async () => {
    const q = new LifoQueue<number>(3);
    assert.ok(q instanceof Queue);
    for (const i of [1, 2, 3]) await q.put(i);
    assert.equal(q.full(), true);
    assert.deepEqual(q.queue, [1, 2, 3]);
    assert.equal(await q.get(), 3);
    q.putNowait(4);
    assert.deepEqual(q.queue, [1, 2, 4]);
    assert.deepEqual([q.getNowait(), q.getSync(), q.getNowait()], [4, 2, 1]);
    assert.throws(() => q.getNowait(), Empty);
    assert.equal(String(q), "<queue.LifoQueue object>");
  });

  it("LifoQueue grows past its first index capacity", () => {
    const q = new LifoQueue<number>();
    for (let i = 0; i < 1000; i++) q.putNowait(i);
    for (let i = 999; i >= 0; i--) assert.equal(q.getNowait(), i);
  });
});

describe("PriorityQueue", () => {
  it("PriorityQueue.get() returns the lowest item first", () => {
    const q = new PriorityQueue<number>();
    for (const x of [5, 3, 8, 1, 9, 2]) q.putNowait(x);
    // The heap array CPython's heapq builds from the same pushes.
    assert.deepEqual(q.queue, [1, 3, 2, 5, 9, 8]);
    const out = [];
    while (!q.empty()) out.push(q.getNowait());
    assert.deepEqual(out, [1, 2, 3, 5, 8, 9]);
    assert.equal(String(q), "<queue.PriorityQueue object>");
  });

  it("PriorityQueue orders [priority, data] tuples like Python", () => {
    const q = new PriorityQueue<[number, string]>();
    q.putNowait([2, "b"]);
    q.putNowait([1, "z"]);
    q.putNowait([2, "a"]);
    q.putNowait([1, "y"]);
    assert.deepEqual(
      [q.getNowait(), q.getNowait(), q.getNowait(), q.getNowait()],
      [[1, "y"], [1, "z"], [2, "a"], [2, "b"]],
    );
  });

  it("PriorityQueue mixes numbers, bigints and booleans", () => {
    const q = new PriorityQueue<number | bigint | boolean>();
    for (const x of [3n, 2.5, true, -1n, false, 2 ** 60]) q.putNowait(x);
    const out = [];
    while (!q.empty()) out.push(q.getNowait());
    assert.deepEqual(out, [-1n, false, true, 2.5, 3n, 2 ** 60]);
  });

  it("PriorityQueue.put() of incomparable items throws TypeError and changes nothing", async () => {
    const q = new PriorityQueue<unknown>();
    q.putNowait(1);
    q.putNowait(2);
    assert.throws(
      () => q.putNowait("x"),
      isError(TypeError, NOT_SUPPORTED("str", "int")),
    );
    await assert.rejects(
      q.put(null),
      isError(TypeError, NOT_SUPPORTED("NoneType", "int")),
    );
    assert.throws(
      () => q.putNowait({ a: 1 }),
      isError(TypeError, NOT_SUPPORTED("dict", "int")),
    );
    assert.equal(q.qsize(), 2);
    assert.equal(q.unfinishedTasks, 2);
    assert.deepEqual(q.queue, [1, 2]);
    assert.equal(q.getNowait(), 1);
  });

  it("PriorityQueue.get() whose comparison throws leaves the heap as it was", () => {
    const q = new PriorityQueue<unknown>();
    q.putNowait([1, "a"]);
    q.putNowait([2, 5]);
    q.putNowait([2, "b"]); // compares with [1, "a"] only
    const before = q.queue;
    // CPython raises the same error but loses [1, "a"] and breaks the heap.
    assert.throws(
      () => q.getNowait(),
      isError(TypeError, NOT_SUPPORTED("str", "int")),
    );
    assert.deepEqual(q.queue, before);
    assert.equal(q.qsize(), 3);
  });

  it("PriorityQueue.put() waiting for room gets TypeError when its item is incomparable", async () => {
    const q = new PriorityQueue<unknown>(2);
    q.putNowait(5);
    q.putNowait(7);
    const bad = q.put("x");
    const good = q.put(3);
    assert.equal(q.getNowait(), 5); // frees a place: "x" cannot go in, 3 can
    await assert.rejects(bad, isError(TypeError, NOT_SUPPORTED("str", "int")));
    await good;
    assert.deepEqual(q.queue, [3, 7]);
    assert.equal(q.unfinishedTasks, 3);
  });

  it("PriorityQueue({ compare }) uses a custom order", () => {
    const q = new PriorityQueue<{ name: string; due: number }>({
      compare: (a, b) => b.due - a.due,
      maxsize: 10,
    });
    assert.equal(q.maxsize, 10);
    for (const [name, due] of [["a", 1], ["b", 3], ["c", 2]] as const) {
      q.putNowait({ name, due });
    }
    assert.deepEqual(
      [q.getNowait().name, q.getNowait().name, q.getNowait().name],
      ["b", "c", "a"],
    );
  });

  it("PriorityQueue({ compare }) rejects a compare that is not a function", () => {
    assert.throws(() => new PriorityQueue({ compare: 5 as never }), TypeError);
  });

  it("PriorityQueue keeps many object items in heap order", () => {
    const q = new PriorityQueue<[number, { id: number }]>();
    const keys = Array.from({ length: 500 }, (_, i) => (i * 7919) % 500);
    for (const k of keys) q.putNowait([k, { id: k }]);
    for (let i = 0; i < 500; i++) {
      const [k, { id }] = q.getNowait();
      assert.equal(k, i);
      assert.equal(id, i);
    }
  });

  it("PriorityQueue.shutdown({ immediate: true }) drops incomparable items too", () => {
    const q = new PriorityQueue<unknown>();
    q.putNowait([1, {}]);
    q.putNowait([1, {}]);
    q.shutdown({ immediate: true });
    assert.equal(q.qsize(), 0);
  });
});

describe("pyLess", () => {
  it("pyLess() compares like Python's <", () => {
    assert.equal(pyLess(1, 2), true);
    assert.equal(pyLess(2n, 1.5), false);
    assert.equal(pyLess(1.5, 2n), true);
    assert.equal(pyLess(false, true), true);
    assert.equal(pyLess(true, 2), true);
    assert.equal(pyLess(NaN, 1), false);
    assert.equal(pyLess("a", "b"), true);
    assert.equal(pyLess("ab", "a"), false);
    assert.equal(pyLess("a", "ab"), true);
    // By code point: U+FFFF sorts before U+10000 (UTF-16 units say otherwise).
    assert.equal(pyLess("\uffff", "\u{10000}"), true);
    assert.equal(pyLess("\u{10000}", "\uffff"), false);
    assert.equal(pyLess(new Date(1), new Date(2)), true);
    assert.equal(pyLess([1, 2], [1, 3]), true);
    assert.equal(pyLess([1, 2], [1, 2, 0]), true);
    assert.equal(pyLess([1, "a"], [2, 0]), true); // decided by the first pair
    assert.equal(pyLess([1, [2, "x"]], [1, [2, "y"]]), true);
    assert.equal(pyLess([1, true], [1, 1]), false); // True == 1
    assert.equal(pyLess(new Uint8Array([1, 2]), new Uint8Array([1, 3])), true);
  });

  it("pyLess() throws TypeError with Python's type names", () => {
    const cases: [unknown, unknown, string, string][] = [
      ["a", 1, "str", "int"],
      [1.5, "a", "float", "str"],
      [null, 1, "NoneType", "int"],
      [undefined, null, "NoneType", "NoneType"],
      [{}, {}, "dict", "dict"],
      [new Map(), 1, "dict", "int"],
      [[1], 1, "tuple", "int"],
      [new Date(0), 1, "datetime.datetime", "int"],
      [new Uint8Array(1), "a", "bytes", "str"],
      [10n, "a", "int", "str"],
      [true, "a", "bool", "str"],
      [[1, "a"], [1, 2], "str", "int"],
      [new Set(), new Set(), "set", "set"],
    ];
    for (const [a, b, ta, tb] of cases) {
      assert.throws(
        () => pyLess(a, b),
        isError(TypeError, NOT_SUPPORTED(ta, tb)),
      );
    }
  });
});

describe("SimpleQueue", () => {
  it("SimpleQueue put and get work first in, first out", async () => {
    const q = new SimpleQueue<string>();
    assert.equal(q.empty(), true);
    await q.put("a", { block: true, timeout: -1 }); // ignored, as in Python
    q.putNowait("b");
    q.putSync("c");
    assert.equal(q.qsize(), 3);
    assert.deepEqual(q.queue, ["a", "b", "c"]);
    assert.equal(await q.get(), "a");
    assert.equal(q.getSync(), "b");
    assert.equal(q.getNowait(), "c");
    assert.throws(() => q.getNowait(), Empty);
    await assert.rejects(q.get({ timeout: 0.01 }), Empty);
    await assert.rejects(
      q.get({ timeout: -1 }),
      isError(ValueError, "'timeout' must be a non-negative number"),
    );
    assert.equal(String(q), "<queue.SimpleQueue object>");
  });

  it("SimpleQueue.get() waits for a put and rejects bad items", async () => {
    const q = new SimpleQueue<number>();
    setTimeout(() => q.putNowait(5), 20);
    assert.equal(await q.get({ timeout: 5 }), 5);
    await assert.rejects(q.put((() => 1) as never), TypeError);
  });
});

after(() => assertNoLeaks());
