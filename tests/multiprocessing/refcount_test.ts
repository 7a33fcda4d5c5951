// A server frees an object's state once no process holds a handle to it.
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { assertNoLeaks } from "../_leaks.ts";
import { collectSource, mpUrl, runScript } from "./_util.ts";

const clientUrl = new URL("../../_internal/mp/client.ts", import.meta.url).href;

describe("reference counting", () => {
  it("thousands of short-lived objects are freed: the server's count returns to a few", () => {
    const r = runScript(
      `
      import { Condition, Event, JoinableQueue, Lock, Pipe, Queue, RLock, Semaphore, Value, Array as SArray } from "${mpUrl}";
      import { serverStats } from "${clientUrl}";
      ${collectSource}
      const keep = new Lock();
      await keep.acquire();
      keep.release();
      let peak = 0;
      for (let i = 0; i < 600; i++) {
        const l = new Lock(); await l.acquire(); l.release();
        const rl = new RLock(); rl.acquireSync(); rl.release();
        const e = new Event(); e.set();
        const s = new Semaphore(2); await s.acquire(); s.release();
        const v = new Value("i", i); v.value += 1;
        const arr = new SArray("d", [1, 2]); arr.set(0, 3);
        const c = new Condition(); await c.acquire(); c.notify(); c.release();
        const [a, b] = Pipe(); await a.send(i); await b.recv(); a.close(); b.close();
        if (i % 3 === 0) {
          const q = new Queue(); await q.put(i); await q.get();
          const jq = new JoinableQueue(); jq.putSync(i); jq.getSync(); jq.taskDone();
        }
        if (i % 100 === 99) peak = Math.max(peak, (await serverStats()).objects);
      }
      await collect();
      await new Promise((r) => setTimeout(r, 100));
      const after = (await serverStats()).objects;
      // The kept lock still works.
      console.log(JSON.stringify({ peak, after, kept: await keep.acquire() }));
      keep.release();
    `,
      60_000,
      { exposeGc: true },
    );
    assert.equal(r.code, 0, r.err);
    const { peak, after, kept } = JSON.parse(r.out.trim());
    // (A conservative collector may keep the last few alive.)
    assert.ok(after <= 30, `${after} objects left (peak ${peak})`);
    assert.ok(kept);
  });

  it("a handle held by a child keeps the object alive after the parent dropped its own; the child's exit frees it", () => {
    const r = runScript(
      `
      import { Event, Process, Queue, Value } from "${mpUrl}";
      import { serverStats } from "${clientUrl}";
      ${collectSource}
      const q = new Queue();
      const go = new Event();
      go.clear();
      let p;
      let during;
      {
        let v = new Value("i", 5);
        v.value = 6;
        p = new Process({
          target: async (v, q, go) => {
            await go.wait();
            v.value += 1;
            await q.put(v.value);
          },
          args: [v, q, go],
        });
        await p.start();
        v = null;
      }
      // The queue, the event, the value and its lock (the last three live
      // in shared memory, and the server learns of them as they are
      // passed to the child, a moment after start() returns).
      for (let i = 0; i < 500; i++) {
        during = (await serverStats()).objects;
        if (during >= 4) break;
        await new Promise((r) => setTimeout(r, 10));
      }
      await new Promise((r) => setTimeout(r, 200));
      await collect();
      await new Promise((r) => setTimeout(r, 100));
      go.set();
      const got = await q.get();
      await p.join();
      await new Promise((r) => setTimeout(r, 100));
      await collect();
      const end = (await serverStats()).objects;
      console.log(JSON.stringify({ got, code: p.exitcode, during, end }));
    `,
      30_000,
      { exposeGc: true },
    );
    assert.equal(r.code, 0, r.err);
    const { got, code, during, end } = JSON.parse(r.out.trim());
    assert.equal(got, 7);
    assert.equal(code, 0);
    // The Value (and its lock) are gone; the queue and event remain.
    assert.ok(during >= 4, `${during} objects while the child ran`);
    assert.ok(end <= during - 2, `${end} objects at the end, ${during} before`);
  });

  after(() => assertNoLeaks());
});
