import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  activeChildren,
  cpuCount,
  currentProcess,
  getAllStartMethods,
  getContext,
  getStartMethod,
  parentProcess,
  Process,
  Queue,
  RuntimeError,
  setStartMethod,
  ValueError,
} from "../../multiprocessing/mod.ts";
import { Lock as ThreadLock } from "../../threading/mod.ts";
import { assertNoLeaks } from "../_leaks.ts";
import {
  alive,
  children,
  mpUrl,
  myPid,
  runScript,
  sleep,
  targetsUrl,
} from "./_util.ts";

const forever = () => new Promise(() => setInterval(() => {}, 1000));

describe("Process", () => {
  it("Process.start() runs the target in a child with its own pid, and join() reaps it", async () => {
    const q = new Queue<number>();
    const p = new Process({
      target: (q: Queue<number>, x: number) =>
        // deno-lint-ignore no-explicit-any
        q.putSync((globalThis as any).process.pid * 0 + x * 2),
      args: [q, 21],
    });
    assert.equal(p.pid, null);
    assert.equal(p.exitcode, null);
    assert.equal(p.isAlive(), false);
    assert.match(String(p), /initial/);
    await p.start();
    assert.ok(typeof p.pid === "number" && p.pid !== myPid());
    assert.equal(p.ident, p.pid);
    assert.equal(await q.get({ timeout: 20 }), 42);
    await p.join();
    assert.equal(p.exitcode, 0);
    assert.equal(p.isAlive(), false);
    assert.match(String(p), /stopped/);
    assert.equal(children().length, 0);
  });

  it("Process runs a { module, name } target", async () => {
    const q = new Queue<number>();
    const p = new Process({
      target: { module: targetsUrl, name: "putSum" },
      args: [q, 2, 3],
    });
    await p.start();
    assert.equal(await q.get({ timeout: 20 }), 5);
    await p.join();
    assert.equal(p.exitcode, 0);
  });

  it("Process.exitcode is 1 after an uncaught error, and the code the target exits with", async () => {
    const fails = new Process({
      target: { module: targetsUrl, name: "fail" },
      name: "Failing",
    });
    const exits = new Process({
      // deno-lint-ignore no-explicit-any
      target: () => (globalThis as any).process.exit(7),
    });
    const noTarget = new Process();
    // The child's stderr is ours: silence the expected traceback.
    await fails.start();
    await exits.start();
    await noTarget.start();
    await Promise.all([fails.join(), exits.join(), noTarget.join()]);
    assert.equal(fails.exitcode, 1);
    assert.equal(exits.exitcode, 7);
    assert.equal(noTarget.exitcode, 0);
  });

  it("an uncaught error in the child is printed to its stderr as Python does", () => {
    const r = runScript(`
      import { Process } from "${mpUrl}";
      const p = new Process({ target: () => { throw new RangeError("boom"); }, name: "Worker-7" });
      await p.start();
      await p.join();
      console.log("exitcode", p.exitcode);
    `);
    assert.match(r.out, /exitcode 1/);
    assert.match(r.err, /^Process Worker-7:\n/m);
    assert.match(r.err, /RangeError: boom/);
  });

  it("Process.terminate() and kill() end the child with -15 and -9", async () => {
    const t = new Process({ target: forever });
    const k = new Process({ target: forever });
    await t.start();
    await k.start();
    assert.ok(t.isAlive() && alive(t.pid!));
    t.terminate();
    k.kill();
    await t.join();
    await k.join();
    assert.equal(t.exitcode, -15);
    assert.equal(k.exitcode, -9);
    assert.ok(!alive(t.pid!) && !alive(k.pid!));
  });

  it("Process.join(timeout) returns while the child still runs; joinSync waits", async () => {
    const p = new Process({ target: forever });
    await p.start();
    const t0 = performance.now();
    await p.join(0.1);
    assert.ok(performance.now() - t0 >= 90);
    assert.ok(p.isAlive());
    assert.equal(p.exitcode, null);
    p.joinSync(0.05);
    assert.ok(p.isAlive());
    p.kill();
    p.joinSync();
    assert.equal(p.exitcode, -9);
    await p.join();
    assert.equal(p.exitcode, -9);
  });

  it("start() spawns at once: joinSync() right after it sees the child run and exit while this thread stays blocked", async () => {
    const q = new Queue<number>();
    const p = new Process({
      target: (q: Queue<number>, n: number) => {
        q.putSync(n);
        // deno-lint-ignore no-explicit-any
        (globalThis as any).process.exit(n);
      },
      args: [q, 3],
    });
    const started = p.start();
    assert.equal(typeof p.pid, "number");
    p.joinSync(20);
    assert.equal(p.exitcode, 3);
    assert.equal(await started, undefined);
    assert.equal(q.getSync({ timeout: 5 }), 3);
  });

  it("Process checks its state: start twice, join before start, close while running, use after close", async () => {
    const p = new Process({ target: forever });
    await assert.rejects(p.join(), RuntimeError);
    assert.throws(() => p.joinSync(), RuntimeError);
    await p.start();
    assert.throws(() => p.start(), {
      name: "RuntimeError",
      message: "cannot start a process twice",
    });
    assert.throws(() => p.close(), {
      name: "ValueError",
      message:
        "Cannot close a process while it is still running. You should first call join() or terminate().",
    });
    assert.throws(() => (p.daemon = true), RuntimeError);
    await assert.rejects(p.join(-1), ValueError);
    p.terminate();
    await p.join();
    p.close();
    p.close();
    assert.throws(() => p.exitcode, {
      name: "ValueError",
      message: "process object is closed",
    });
    assert.throws(() => p.isAlive(), ValueError);
    assert.throws(
      () => new Process({ target: 5 as never }),
      TypeError,
    );
    assert.throws(
      () => new Process({ target: () => {}, args: 3 as never }),
      TypeError,
    );
  });

  it("Process refuses the threading module's objects as arguments", () => {
    const p = new Process({
      target: () => {},
      args: [{ l: new ThreadLock() }],
    });
    assert.throws(() => p.start(), TypeError);
  });

  it("Process names: Process-N by default, the given name, and the child's view of itself", async () => {
    const named = new Process({ name: "Custom" });
    assert.equal(named.name, "Custom");
    const p = new Process();
    assert.match(p.name, /^Process-\d+$/);
    const q = new Queue<unknown>();
    const child = new Process({
      target: async (q: Queue<unknown>, url: string) => {
        const mp = await import(url);
        const me = mp.currentProcess();
        const parent = mp.parentProcess();
        await q.put([
          me.name,
          me.daemon,
          // deno-lint-ignore no-explicit-any
          me.pid === (globalThis as any).process.pid,
          parent.name,
          parent.pid,
          parent.isAlive(),
          new mp.Process().name,
        ]);
      },
      args: [q, mpUrl],
      name: "Kid",
      daemon: true,
    });
    await child.start();
    const got = await q.get({ timeout: 20 }) as unknown[];
    await child.join();
    assert.deepEqual(got.slice(0, 6), [
      "Kid",
      true,
      true,
      "MainProcess",
      myPid(),
      true,
    ]);
    assert.match(got[6] as string, /^Process-\d+:1$/);
  });

  it("currentProcess, parentProcess, activeChildren, cpuCount and the start methods in the main process", async () => {
    assert.equal(currentProcess().name, "MainProcess");
    assert.equal(currentProcess().pid, myPid());
    assert.equal(currentProcess().isAlive(), true);
    assert.equal(currentProcess(), currentProcess());
    assert.equal(parentProcess(), null);
    assert.ok(cpuCount() >= 1);
    assert.equal(getStartMethod(), "spawn");
    assert.deepEqual(getAllStartMethods(), ["spawn"]);
    setStartMethod("spawn");
    assert.throws(() => setStartMethod("fork"), {
      name: "ValueError",
      message: "cannot find context for 'fork'",
    });
    const ctx = getContext();
    assert.equal(ctx.Process, Process);
    assert.throws(() => getContext("forkserver"), ValueError);
    const p = new Process({ target: forever });
    await p.start();
    assert.deepEqual(activeChildren(), [p]);
    p.kill();
    await p.join();
    assert.deepEqual(activeChildren(), []);
  });

  it("a non-daemon child keeps the program alive; a daemon child is stopped when the parent exits", () => {
    const r = runScript(`
      import { Process } from "${mpUrl}";
      const d = new Process({ target: () => new Promise(() => setInterval(() => {}, 1000)), daemon: true });
      const n = new Process({ target: async () => { await new Promise((r) => setTimeout(r, 300)); console.log("child done"); } });
      await d.start();
      await n.start();
      console.log("daemon", d.pid);
    `);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /child done/);
    const pid = Number(/daemon (\d+)/.exec(r.out)![1]);
    // The daemon sees its parent's socket close and exits at once.
    const end = Date.now() + 3000;
    while (alive(pid) && Date.now() < end) {
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
    }
    assert.ok(!alive(pid), "daemon child outlived its parent");
  });

  it("a child waits for its own non-daemon children before it exits", async () => {
    const q = new Queue<string>();
    const p = new Process({
      target: async (q: Queue<string>, url: string) => {
        const mp = await import(url);
        const grandchild = new mp.Process({
          target: async (q: Queue<string>) => {
            await new Promise((r) => setTimeout(r, 200));
            q.putSync("grandchild");
          },
          args: [q],
        });
        await grandchild.start();
        q.putSync("child");
      },
      args: [q, mpUrl],
    });
    await p.start();
    await p.join();
    assert.equal(p.exitcode, 0);
    assert.deepEqual(
      [await q.get({ timeout: 5 }), await q.get({ timeout: 5 })],
      ["child", "grandchild"],
    );
  });

  it("await using joins and closes a Process", async () => {
    let p: Process;
    {
      await using proc = new Process({ target: () => {} });
      p = proc;
      await proc.start();
    }
    assert.throws(() => p.exitcode, ValueError);
    await sleep(0);
  });
});

after(() => assertNoLeaks());
