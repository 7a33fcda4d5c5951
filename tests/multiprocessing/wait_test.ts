// multiprocessing.connection.wait and Process.sentinel.
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  connection,
  Pipe,
  Process,
  ValueError,
} from "../../multiprocessing/mod.ts";
import type { Connection } from "../../multiprocessing/mod.ts";
import { assertNoLeaks } from "../_leaks.ts";
import { mpUrl, runScript } from "./_util.ts";

describe("connection.wait", () => {
  it("wait() returns the connections that children wrote to, then their EOF", async () => {
    const ends: [Connection, Connection][] = [
      Pipe(false),
      Pipe(false),
      Pipe(false),
    ];
    const procs = ends.map(([, w], i) =>
      new Process({
        target: async (w: Connection, i: number) => {
          await new Promise((r) => setTimeout(r, 100 + 150 * i));
          w.sendSync(i);
          w.close();
        },
        args: [w, i],
      })
    );
    for (const p of procs) await p.start();
    for (const [, w] of ends) w.close();
    const readers = ends.map(([r]) => r);
    const got: number[] = [];
    let open = [...readers];
    const t0 = performance.now();
    while (open.length > 0) {
      for (const r of await connection.wait(open, 10) as Connection[]) {
        try {
          got.push(await r.recv() as number);
        } catch (err) {
          assert.equal((err as Error).name, "EOFError");
          open = open.filter((x) => x !== r);
          r.close();
        }
      }
    }
    assert.deepEqual(got.sort(), [0, 1, 2]);
    assert.ok(performance.now() - t0 < 5000);
    for (const p of procs) await p.join();
  });

  it("wait() with a timeout resolves to [] when nothing is ready; 0 only looks; a negative timeout is a ValueError", async () => {
    const [a, b] = Pipe();
    const t0 = performance.now();
    assert.deepEqual(await connection.wait([a, b], 0.2), []);
    const took = performance.now() - t0;
    assert.ok(took >= 180 && took < 2000, `took ${took} ms`);
    assert.deepEqual(await connection.wait([a], 0), []);
    await a.send("x");
    assert.deepEqual(await connection.wait([a, b], 0), [b]);
    assert.deepEqual(await connection.wait([b]), [b]);
    await assert.rejects(connection.wait([a], -1), ValueError);
    await assert.rejects(connection.wait([{}] as never), {
      name: "TypeError",
      message: "wait() watches Connections and Process sentinels, not Object",
    });
    await assert.rejects(connection.wait([null] as never), {
      name: "TypeError",
      message: "wait() watches Connections and Process sentinels, not null",
    });
    await assert.rejects(connection.wait(["b"] as never), {
      name: "TypeError",
      message: "wait() watches Connections and Process sentinels, not string",
    });
    await assert.rejects(connection.wait([12345] as never), TypeError);
    assert.deepEqual(await connection.wait([], 0.01), []);
    a.close();
    // The other end closed: b is ready (recv would throw EOFError after the message).
    assert.deepEqual(await connection.wait([b], 1), [b]);
    b.close();
    await assert.rejects(connection.wait([b], 0), { name: "OSError" });
  });

  it("a Process sentinel is ready once the process has ended; sentinel before start is a ValueError", async () => {
    const p = new Process({
      target: async () => await new Promise((r) => setTimeout(r, 300)),
    });
    assert.throws(() => p.sentinel, ValueError);
    await p.start();
    const s = p.sentinel;
    assert.equal(typeof s, "number");
    assert.equal(p.sentinel, s);
    const [a, b] = Pipe();
    assert.deepEqual(await connection.wait([b, s], 0.05), []);
    const t0 = performance.now();
    assert.deepEqual(await connection.wait([b, s], 10), [s]);
    assert.ok(performance.now() - t0 >= 100);
    assert.equal(p.exitcode, 0);
    await p.join();
    a.close();
    b.close();
    p.close();
    assert.throws(() => p.sentinel, ValueError);
  });

  it("waitSync() blocks for one connection or for several objects", async () => {
    const [a, b] = Pipe();
    assert.deepEqual(connection.waitSync([b], 0), []);
    a.sendSync(1);
    assert.deepEqual(connection.waitSync([b], 5), [b]);
    assert.deepEqual(connection.waitSync([a, b], 5), [b]);
    await b.recv();
    // The child runs without help from this thread's event loop, which
    // stays blocked from start() on.
    const [up, childUp] = Pipe();
    const p = new Process({
      target: (c: Connection) => c.sendSync("up"),
      args: [childUp],
    });
    await p.start();
    assert.deepEqual(connection.waitSync([a, up], 10), [up]);
    assert.deepEqual(connection.waitSync([a, b, p.sentinel], 10), [p.sentinel]);
    assert.equal(up.recvSync(), "up");
    up.close();
    childUp.close();
    assert.deepEqual(connection.waitSync([a, b], 0.05), []);
    await p.join();
    a.close();
    b.close();
  });

  it("a finished wait() leaves nothing waiting: the program exits at once", () => {
    const r = runScript(`
      import { connection, Pipe } from "${mpUrl}";
      const [a, b] = Pipe();
      const [c, d] = Pipe();
      setTimeout(() => a.send(1), 100);
      const ready = await connection.wait([b, d, c]);
      console.log(ready.length === 1 && ready[0] === b);
    `);
    assert.equal(r.code, 0, r.err);
    assert.equal(r.out.trim(), "true");
    assert.ok(r.ms < 4000, `took ${r.ms} ms`);
  });

  after(() => assertNoLeaks());
});
