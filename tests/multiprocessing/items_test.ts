// Shared objects inside queue items and pipe messages arrive as live handles.
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  Event,
  Lock,
  Pipe,
  Process,
  Queue,
  SimpleQueue,
  Value,
} from "../../multiprocessing/mod.ts";
import type { Connection } from "../../multiprocessing/mod.ts";
import { Lock as ThreadLock } from "../../threading/mod.ts";
import { assertNoLeaks } from "../_leaks.ts";

describe("shared objects in items", () => {
  it("a Lock, a Value and an Event in a Queue item work in the child that gets them", async () => {
    const q = new Queue();
    const done = new SimpleQueue();
    const p = new Process({
      target: async (q: Queue, done: SimpleQueue) => {
        const first = q.getSync() as { lock: Lock; v: Value; ev: Event };
        first.lock.acquireSync();
        first.v.value += 10;
        first.lock.release();
        first.ev.set();
        const [again] = await q.get() as [Value];
        await done.put(again === first.v && again.value);
      },
      args: [q, done],
    });
    await p.start();
    const lock = new Lock();
    const v = new Value("i", 1);
    const ev = new Event();
    await q.put({ lock, v, ev });
    assert.equal(await ev.wait(10), true);
    assert.equal(v.value, 11);
    assert.equal(await lock.acquire({ timeout: 5 }), true);
    lock.release();
    q.putSync([v]);
    assert.equal(await done.get(), 11);
    await p.join();
    assert.equal(p.exitcode, 0);
  });

  it("a Connection sent through a Connection and a Queue made by a child arrive usable", async () => {
    const [parentEnd, childEnd] = Pipe();
    const p = new Process({
      target: async (c: Connection, url: string) => {
        const { Queue } = await import(url);
        const [mine, theirs] = await c.recv() as [Connection, Connection];
        const q = new Queue();
        await q.put("from the child's queue");
        await mine.send({ q, note: "queue enclosed" });
        await theirs.recv(); // the parent's go-ahead: the queue was read
        mine.close();
      },
      args: [
        childEnd,
        new URL("../../multiprocessing/mod.ts", import.meta.url).href,
      ],
    });
    await p.start();
    childEnd.close();
    const [a, b] = Pipe();
    await parentEnd.send([a, b]);
    const msg = await b.recv() as { q: Queue; note: string };
    assert.equal(msg.note, "queue enclosed");
    assert.ok(msg.q instanceof Queue);
    assert.equal(await msg.q.get({ timeout: 10 }), "from the child's queue");
    await a.send("go");
    a.close();
    await assert.rejects(b.recv(), { name: "EOFError" });
    b.close();
    parentEnd.close();
    await p.join();
    assert.equal(p.exitcode, 0);
  });

  it("a handle that comes back to its own thread is the same object; plain items are unchanged", async () => {
    const q = new Queue();
    const lock = new Lock();
    const [a, b] = Pipe();
    await q.put({ lock, list: [lock], conn: a });
    const got = await q.get() as { lock: Lock; list: Lock[]; conn: Connection };
    assert.equal(got.lock, lock);
    assert.equal(got.list[0], lock);
    assert.equal(got.conn, a);
    const item = { m: new Map([[1, new Date(3)]]), u: new Uint8Array([1, 2]) };
    q.putSync(item);
    const back = q.getSync() as typeof item;
    assert.notEqual(back, item);
    assert.deepEqual(back, item);
    await a.send({ nested: { deep: [b] } });
    const m = await b.recv() as { nested: { deep: Connection[] } };
    assert.equal(m.nested.deep[0], b);
    a.close();
    b.close();
  });

  it("a threading Lock in an item is a TypeError, as Python cannot pickle one", async () => {
    const q = new Queue();
    await assert.rejects(q.put({ l: new ThreadLock() }), TypeError);
    assert.throws(() => q.putSync([new ThreadLock()]), TypeError);
    const [a, b] = Pipe();
    await assert.rejects(a.send(new ThreadLock()), TypeError);
    a.close();
    b.close();
  });

  after(() => assertNoLeaks());
});
