import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  type DictProxy,
  type ListProxy,
  Lock,
  Manager,
  type Namespace,
  Process,
  Queue,
  SyncManager,
} from "../../multiprocessing/mod.ts";
import { assertNoLeaks } from "../_leaks.ts";

describe("Manager", () => {
  it("Manager().dict() works like a dict", async () => {
    await using m = Manager();
    assert.ok(m instanceof SyncManager);
    const d = m.dict<string, unknown>({ a: 1 });
    await d.set("b", [2]);
    d.setSync("c", new Map([[1, 2]]));
    assert.equal(await d.get("a"), 1);
    assert.deepEqual(d.getSync("b"), [2]);
    assert.equal(await d.get("zz", null), null);
    await assert.rejects(d.get("zz"), { name: "KeyError" });
    assert.throws(() => d.getSync("zz"), { name: "KeyError" });
    assert.equal(await d.has("a"), true);
    assert.equal(d.hasSync("q"), false);
    assert.equal(await d.len(), 3);
    assert.deepEqual(await d.keys(), ["a", "b", "c"]);
    assert.equal((await d.values()).length, 3);
    assert.equal((await d.items())[0][0], "a");
    assert.equal(await d.delete("c"), true);
    assert.equal(d.deleteSync("c"), false);
    await d.update({ x: 9 });
    await d.update(new Map([["y", 8]]));
    assert.equal(await d.pop("x"), 9);
    assert.equal(await d.pop("x", 0), 0);
    assert.equal(await d.setdefault("s", 5), 5);
    assert.equal(await d.setdefault("s", 6), 5);
    assert.equal((await d.copy()).get("y"), 8);
    assert.equal(d.copySync().size, d.lenSync());
    await d.clear();
    assert.equal(await d.len(), 0);
    m.shutdown();
    assert.throws(() => m.dict(), /shut down/);
  });

  it("Manager().list() works like a list", async () => {
    await using m = Manager();
    const l = m.list([3, 1, 2]);
    await l.append(4);
    l.appendSync(5);
    await l.extend([6]);
    await l.insert(0, 0);
    assert.deepEqual(await l.toArray(), [0, 3, 1, 2, 4, 5, 6]);
    assert.equal(await l.get(-1), 6);
    assert.equal(l.getSync(1), 3);
    await l.set(1, 30);
    assert.equal(await l.pop(), 6);
    assert.equal(await l.pop(0), 0);
    await l.remove(30);
    await assert.rejects(l.remove(99), { name: "ValueError" });
    assert.equal(await l.index(2), 1);
    assert.equal(await l.count(2), 1);
    await l.sort();
    assert.deepEqual(l.toArraySync(), [1, 2, 4, 5]);
    await l.sort({ reverse: true });
    await l.reverse();
    assert.deepEqual(await l.toArray(1, 3), [2, 4]);
    assert.equal(await l.len(), 4);
    assert.equal(l.lenSync(), 4);
    await assert.rejects(l.get(10), RangeError);
    await l.clear();
    await assert.rejects(l.pop(), RangeError);
  });

  it("Manager().Namespace() reads and writes properties", async () => {
    await using m = Manager();
    const ns = m.Namespace({ x: 1 });
    ns.y = "two";
    assert.equal(ns.x, 1);
    assert.equal(ns.y, "two");
    assert.equal(ns.missing, undefined);
    assert.ok("x" in ns);
    delete ns.x;
    assert.ok(!("x" in ns));
    assert.equal(String(ns), 'Namespace(y="two")');
  });

  it("manager objects are shared with children", async () => {
    await using m = Manager();
    const d = m.dict<number, number>();
    const l = m.list<number>();
    const ns = m.Namespace();
    const lock = m.Lock();
    const ev = m.Event();
    const v = m.Value("i", 0);
    const q = m.Queue<string>();
    const ps = [1, 2, 3].map((k) =>
      new Process({
        target: (
          k: number,
          d: DictProxy<number, number>,
          l: ListProxy<number>,
          ns: Namespace,
          lock: { acquireSync(): boolean; release(): void },
          v: { value: number },
        ) => {
          d.setSync(k, k * k);
          l.appendSync(k);
          lock.acquireSync();
          v.value += k;
          ns[`p${k}`] = true;
          lock.release();
        },
        args: [k, d, l, ns, lock, v],
      })
    );
    for (const p of ps) await p.start();
    for (const p of ps) await p.join();
    assert.deepEqual([...(await d.copy())].sort(), [[1, 1], [2, 4], [3, 9]]);
    assert.deepEqual((await l.toArray()).sort(), [1, 2, 3]);
    assert.equal(v.value, 6);
    assert.equal(ns.p1 && ns.p2 && ns.p3, true);
    ev.set();
    assert.ok(await ev.wait(0));
    await q.put("x");
    assert.equal(await q.get(), "x");
    const others = [
      m.RLock(),
      m.Semaphore(2),
      m.BoundedSemaphore(),
      m.Condition(),
      m.Barrier(1),
      m.JoinableQueue(),
      m.Array("i", [1, 2]),
    ];
    assert.equal(others.length, 7);
    assert.equal(await (others[4] as { wait(): Promise<number> }).wait(), 0);
    m.start();
  });

  it("containers refuse shared objects, whose copies would be lifeless, and keep what they had", async () => {
    const m = Manager();
    const d = m.dict<string, unknown>({ a: 1 });
    const l = m.list<unknown>([1]);
    const ns = m.Namespace({ x: 1 });
    const lock = new Lock();
    const q = new Queue<number>();
    const refused = (name: string, where: string) => ({
      name: "TypeError",
      message: new RegExp(`^a ${name} cannot be stored in a Manager ${where}:`),
    });
    await assert.rejects(d.set("k", lock), refused("Lock", "dict"));
    assert.throws(
      () => d.setSync("k", { nested: [q] }),
      refused("Queue", "dict"),
    );
    await assert.rejects(
      d.update([["k", new Map([[1, q]])]]),
      refused("Queue", "dict"),
    );
    await assert.rejects(d.setdefault("k", lock), refused("Lock", "dict"));
    await assert.rejects(d.set("k", d), refused("DictProxy", "dict"));
    await assert.rejects(l.append(lock), refused("Lock", "list"));
    assert.throws(() => l.appendSync(new Set([q])), refused("Queue", "list"));
    await assert.rejects(l.extend([1, lock]), refused("Lock", "list"));
    await assert.rejects(l.insert(0, q), refused("Queue", "list"));
    await assert.rejects(l.set(0, lock), refused("Lock", "list"));
    assert.throws(() => {
      ns.y = lock;
    }, refused("Lock", "Namespace"));
    assert.throws(() => m.dict({ lock }), refused("Lock", "dict"));
    assert.throws(() => m.list([q]), refused("Queue", "list"));
    assert.throws(() => m.Namespace({ q }), refused("Queue", "Namespace"));
    assert.deepEqual([...(await d.items())], [["a", 1]]);
    assert.deepEqual(await l.toArray(), [1]);
    assert.equal(ns.y, undefined);
    // Plain data nested anywhere still goes in.
    await d.set("k", { deep: [new Map([[1, new Set([2])]])] });
    assert.deepEqual(await d.get("k"), {
      deep: [new Map([[1, new Set([2])]])],
    });
  });
});

after(() => assertNoLeaks());
