import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { assertNoLeaks } from "../_leaks.ts";
import { mpUrl, runScript } from "./_util.ts";

describe("liveness", () => {
  it("a program that made shared objects and an idle pool exits when its work is done", () => {
    const r = runScript(`
      import { Lock, Pipe, Pool, Queue, Value, Manager } from "${mpUrl}";
      const q = new Queue(); const l = new Lock(); const v = new Value("i", 1);
      const [a, b] = Pipe(); const m = Manager(); const d = m.dict();
      await q.put(1); await q.get(); await l.acquire(); l.release(); v.value = 2;
      await a.send(1); await b.recv(); l.acquireSync(); l.release();
      const pool = new Pool(1);
      console.log(await pool.apply((x) => x + 1, [1]));
    `);
    assert.equal(r.code, 0, r.err);
    assert.equal(r.out.trim(), "2");
    assert.ok(r.ms < 10_000, `took ${r.ms} ms`);
  });

  it("a program waits while it awaits an item a child will put", () => {
    const r = runScript(`
      import { Process, Queue } from "${mpUrl}";
      const q = new Queue();
      const p = new Process({
        target: async (q) => { await new Promise((r) => setTimeout(r, 300)); await q.put("late"); },
        args: [q], daemon: true,
      });
      await p.start();
      console.log(await q.get());
    `);
    assert.equal(r.code, 0, r.err);
    assert.equal(r.out.trim(), "late");
  });

  // The child must have connected to its parent first: on Deno a child
  // spawned while its parent's child-process socket listens inherits that
  // listening descriptor, so a child whose parent dies before it connects
  // would wait forever (reported for child_main.ts).
  it("a killed parent takes its children with it", () => {
    const r = runScript(`
      import { Event, Process } from "${mpUrl}";
      const running = new Event();
      const p = new Process({
        target: (e) => { e.set(); return new Promise(() => setInterval(() => {}, 1000)); },
        args: [running],
      });
      await p.start();
      await running.wait(20);
      console.log(p.pid);
      (globalThis as any).process.kill((globalThis as any).process.pid, "SIGKILL");
    `);
    const pid = Number(r.out.trim());
    assert.ok(pid > 0, r.err);
    const end = Date.now() + 5000;
    let alive = true;
    while (alive && Date.now() < end) {
      try {
        // deno-lint-ignore no-explicit-any
        (globalThis as any).process.kill(pid, 0);
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
      } catch {
        alive = false;
      }
    }
    assert.ok(!alive, "the child outlived its killed parent");
  });
});

after(() => assertNoLeaks());
