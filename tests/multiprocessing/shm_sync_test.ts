// Mechanism (2): Lock, RLock, Semaphore, Event, Value and Array in memory
// that every process maps, with futexes to sleep; the fallback to the
// serving process where a thread cannot map it.
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import {
  Array as SharedArray,
  BoundedSemaphore,
  Event,
  Lock,
  Process,
  Queue,
  RLock,
  Semaphore,
  Value,
} from "../../multiprocessing/mod.ts";
import { shmAlloc, shmCell } from "../../_internal/shm/arena.ts";
import {
  lockAcquire,
  lockAcquireSync,
  LockWord,
  SLICE_MS,
} from "../../_internal/shm/sync.ts";
import { assertNoLeaks } from "../_leaks.ts";
import { collectSource, mpUrl, runScript } from "./_util.ts";

const isDeno = "Deno" in globalThis;
const shmFfiUrl = new URL("../../_internal/shm/ffi.ts", import.meta.url).href;
const arenaUrl = new URL("../../_internal/shm/arena.ts", import.meta.url).href;

async function run(
  target: (...a: never[]) => unknown,
  args: unknown[],
  n = 1,
): Promise<Process[]> {
  const ps = Array.from({ length: n }, () => new Process({ target, args }));
  for (const p of ps) await p.start();
  return ps;
}

async function joinAll(ps: Process[]): Promise<number[]> {
  for (const p of ps) await p.join();
  return ps.map((p) => p.exitcode!);
}

/** The pid of a process that has exited (and been reaped). */
function deadPid(): number {
  const r = spawnSync("sh", ["-c", "echo $$"], { encoding: "utf8" });
  return Number(r.stdout.trim());
}

describe("shared memory", () => {
  it("Lock, RLock, Semaphore, Event, Value and Array live in shared memory here", () => {
    for (
      const o of [
        new Lock(),
        new RLock(),
        new Semaphore(1),
        new Event(),
        new Value("i", 1),
        new SharedArray("b", 3),
      ]
    ) {
      assert.ok(o._cell !== null, `${o.constructor.name} has no block`);
    }
  });

  it("a Lock and a Value counter, incremented by 4 processes and the parent", async () => {
    const lock = new Lock();
    const counter = new Value("q", 0, { lock: false });
    const ps = await run(
      ((lock: Lock, c: Value, n: number) => {
        for (let i = 0; i < n; i++) {
          lock.acquireSync();
          c.value = c.value + 1;
          lock.release();
        }
      }) as never,
      [lock, counter, 5000],
      4,
    );
    for (let i = 0; i < 2000; i++) {
      await lock.acquire();
      counter.value = counter.value + 1;
      lock.release();
    }
    assert.deepEqual(await joinAll(ps), [0, 0, 0, 0]);
    assert.equal(counter.value, 22_000);
    assert.equal(lock.locked(), false);
  });

  it("a Value's own RLock guards += across processes, and Array slots are shared", async () => {
    const v = new Value("d", 0);
    const slots = new SharedArray("i", 4);
    const ps = [0, 1, 2, 3].map((k) =>
      new Process({
        target: ((v: Value, slots: SharedArray, k: number) => {
          for (let i = 0; i < 1000; i++) {
            v.acquireSync();
            v.value += 0.5;
            v.release();
          }
          slots.setSync(k, k * 10 + 1);
        }) as never,
        args: [v, slots, k],
      })
    );
    for (const p of ps) await p.start();
    assert.deepEqual(await joinAll(ps), [0, 0, 0, 0]);
    assert.equal(v.value, 2000);
    assert.deepEqual(slots.toArraySync(), [1, 11, 21, 31]);
  });

  it("a Lock held by a child that is killed goes to a waiter blocked in acquireSync", async () => {
    const lock = new Lock();
    const got = new Event();
    const [p] = await run(
      ((lock: Lock, got: Event) => {
        lock.acquireSync();
        got.set();
        for (;;) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
      }) as never,
      [lock, got],
    );
    assert.ok(await got.wait(20));
    assert.equal(lock.acquireSync({ timeout: 0.05 }), false);
    // Another process kills the child while this thread blocks, so the
    // child stays a zombie (this event loop does not reap it).
    const killer = spawn("sh", ["-c", `sleep 0.1; kill -9 ${p.pid}`]);
    const killed = new Promise((r) => killer.on("exit", r));
    const t0 = performance.now();
    assert.equal(lock.acquireSync({ timeout: 10 }), true);
    assert.ok(performance.now() - t0 < 5000);
    lock.release();
    await killed;
    await p.join();
    assert.equal(p.exitcode, -9);
  });

  it("lockAcquireSync() and lockAcquire() take over a lock whose owner process is gone", async () => {
    const dead = deadPid();
    for (const sync of [true, false]) {
      const cell = shmCell(shmAlloc(16))!;
      Atomics.store(cell.i32, cell.w + LockWord.Owner, dead);
      Atomics.store(cell.i32, cell.w + LockWord.Tid, 1);
      const t0 = performance.now();
      const ok = sync
        ? lockAcquireSync(cell, 4242, 7, false, 5000)
        : await lockAcquire(cell, 4242, 7, false, 5000);
      const ms = performance.now() - t0;
      assert.ok(ok);
      assert.ok(ms >= SLICE_MS * 0.9 && ms < 2000, `took ${ms} ms`);
      assert.equal(cell.i32[cell.w + LockWord.Owner], 4242);
      assert.equal(cell.i32[cell.w + LockWord.Tid], 7);
    }
  });

  it("timeouts end on time: Lock, Semaphore, Event, sync and async", async () => {
    const lock = new Lock();
    lock.acquireSync();
    const sem = new Semaphore(0);
    const ev = new Event();
    const cases: [string, () => boolean | Promise<boolean>][] = [
      ["lock sync", () => lock.acquireSync({ timeout: 0.15 })],
      ["lock async", () => lock.acquire({ timeout: 0.15 })],
      ["sem sync", () => sem.acquireSync({ timeout: 0.15 })],
      ["sem async", () => sem.acquire({ timeout: 0.15 })],
      ["event sync", () => ev.waitSync(0.15)],
      ["event async", () => ev.wait(0.15)],
    ];
    for (const [name, f] of cases) {
      const t0 = performance.now();
      assert.equal(await f(), false, name);
      const ms = performance.now() - t0;
      assert.ok(ms >= 145 && ms < 600, `${name}: ${ms} ms`);
    }
    assert.equal(lock.acquireSync(false), false);
    assert.equal(await lock.acquire({ timeout: 0 }), false);
    lock.release();
  });

  it("an async acquire does not block the event loop", async () => {
    const lock = new Lock();
    lock.acquireSync();
    let ticks = 0;
    const iv = setInterval(() => ticks++, 10);
    const waiting = lock.acquire({ timeout: 2 });
    await new Promise((r) => setTimeout(r, 150));
    lock.release();
    assert.equal(await waiting, true);
    clearInterval(iv);
    assert.ok(ticks >= 5, `${ticks} ticks`);
    lock.release();
  });

  it("an RLock's levels count across processes", async () => {
    const r = new RLock();
    const held = new Event();
    const once = new Event();
    const step = new Event();
    const done = new Event();
    const [p] = await run(
      ((r: RLock, held: Event, once: Event, step: Event, done: Event) => {
        r.acquireSync();
        r.acquireSync();
        held.set();
        step.waitSync();
        r.release();
        once.set();
        done.waitSync();
        r.release();
      }) as never,
      [r, held, once, step, done],
    );
    assert.ok(await held.wait(20));
    assert.ok(r.locked());
    assert.match(String(r), /RLock\(SomeOtherThread, 2\)/);
    assert.throws(() => r.release(), { name: "RuntimeError" });
    assert.equal(await r.acquire({ timeout: 0.02 }), false);
    step.set();
    assert.ok(await once.wait(20));
    assert.match(String(r), /RLock\(SomeOtherThread, 1\)/);
    assert.equal(r.acquireSync({ timeout: 0.02 }), false);
    done.set();
    assert.equal(await r.acquire({ timeout: 10 }), true);
    assert.match(String(r), /RLock\(MainThread, 1\)/);
    r.release();
    assert.deepEqual(await joinAll([p]), [0]);
  });

  it("Semaphore slots given and taken by several processes", async () => {
    const sem = new Semaphore(0);
    const bounded = new BoundedSemaphore(1);
    const ps = await run(
      ((sem: Semaphore, b: BoundedSemaphore) => {
        sem.release(2);
        try {
          b.release();
        } catch (err) {
          if ((err as Error).name !== "ValueError") throw err;
          return;
        }
        throw new Error("a BoundedSemaphore went above its value");
      }) as never,
      [sem, bounded],
      3,
    );
    for (let i = 0; i < 6; i++) {
      assert.equal(await sem.acquire({ timeout: 20 }), true, `slot ${i}`);
    }
    assert.deepEqual(await joinAll(ps), [0, 0, 0]);
    assert.equal(sem.getValue(), 0);
    assert.equal(sem.acquireSync({ timeout: 0.01 }), false);
    assert.equal(bounded.getValue(), 1);
  });

  it("Event.set() wakes sync and async waiters in children, even when clear() follows at once", async () => {
    const ev = new Event();
    const ready = new Semaphore(0);
    const results = new SharedArray("i", 4);
    const ps = [0, 1, 2, 3].map((k) =>
      new Process({
        target: (async (
          ev: Event,
          ready: Semaphore,
          results: SharedArray,
          k: number,
        ) => {
          ready.release();
          const ok = k % 2 === 0 ? ev.waitSync(20) : await ev.wait(20);
          results.setSync(k, ok ? 1 : 2);
        }) as never,
        args: [ev, ready, results, k],
      })
    );
    for (const p of ps) await p.start();
    for (let i = 0; i < 4; i++) assert.ok(await ready.acquire({ timeout: 20 }));
    await new Promise((r) => setTimeout(r, 100));
    ev.set();
    ev.clear();
    assert.deepEqual(await joinAll(ps), [0, 0, 0, 0]);
    assert.deepEqual(results.toArraySync(), [1, 1, 1, 1]);
    assert.equal(ev.isSet(), false);
  });

  it("a child that cannot map the memory works through the server on the same state", async () => {
    const q = new Queue<unknown>();
    const lock = new Lock();
    const rl = new RLock();
    const counter = new Value("i", 0, { lock: false });
    const ev = new Event();
    const sem = new Semaphore(0);
    const [p] = await run(
      (async (q: Queue<unknown>, shmFfiUrl: string) => {
        const { _setShmDisabled } = await import(shmFfiUrl);
        _setShmDisabled(true);
        const [lock, rl, counter, ev, sem] = await q.get() as unknown as [
          Lock,
          RLock,
          Value,
          Event,
          Semaphore,
        ];
        if (lock._cell !== null) throw new Error("expected the server path");
        for (let i = 0; i < 300; i++) {
          await lock.acquire();
          counter.value = counter.value + 1;
          lock.release();
        }
        rl.acquireSync();
        rl.acquireSync();
        sem.release();
        // The parent sets the event once it saw the RLock held twice.
        if (!(await ev.wait(20))) throw new Error("event not seen");
        rl.release();
        rl.release();
        // Waits (in the server) for the parent's lock.
        if (!lock.acquireSync({ timeout: 20 })) throw new Error("no lock");
        lock.release();
        sem.release();
      }) as never,
      [q, shmFfiUrl],
    );
    await q.put([lock, rl, counter, ev, sem]);
    for (let i = 0; i < 300; i++) {
      lock.acquireSync();
      counter.value = counter.value + 1;
      lock.release();
    }
    assert.ok(await sem.acquire({ timeout: 20 }));
    assert.match(String(rl), /RLock\(SomeOtherThread, 2\)/);
    assert.equal(rl.acquireSync({ timeout: 0.02 }), false);
    lock.acquireSync();
    ev.set();
    assert.ok(await rl.acquire({ timeout: 20 }));
    rl.release();
    await new Promise((r) => setTimeout(r, 50));
    lock.release();
    assert.ok(await sem.acquire({ timeout: 20 }));
    assert.deepEqual(await joinAll([p]), [0]);
    assert.equal(counter.value, 600);
  });

  it("a program without shared memory (Deno without --allow-ffi, or disabled) falls back to the server", () => {
    const prelude = isDeno ? "" : `
      import { _setShmDisabled } from "${shmFfiUrl}";
      _setShmDisabled(true);
    `;
    const source = `
      ${prelude}
      const { Event, Lock, Process, Value } = await import("${mpUrl}");
      const lock = new Lock();
      const v = new Value("i", 0, { lock: false });
      const ev = new Event();
      const ps = [0, 1].map(() => new Process({
        target: (lock, v, ev) => {
          for (let i = 0; i < 100; i++) {
            lock.acquireSync();
            v.value = v.value + 1;
            lock.release();
          }
          ev.set();
        },
        args: [lock, v, ev],
      }));
      for (const p of ps) await p.start();
      for (const p of ps) await p.join();
      console.log(JSON.stringify({
        cell: lock._cell !== null,
        value: v.value,
        set: ev.isSet(),
        codes: ps.map((p) => p.exitcode),
      }));
    `;
    const r = isDeno
      ? runDeno(source, [
        "--allow-read",
        "--allow-run",
        "--allow-env",
        "--allow-write",
        "--allow-sys",
        "--allow-net",
      ])
      : runScript(source);
    assert.equal(r.code, 0, r.err);
    assert.deepEqual(JSON.parse(r.out.trim()), {
      cell: false,
      value: 200,
      set: true,
      codes: [0, 0],
    });
  });

  it("100,000 Locks made in a loop reuse a few blocks; freed shared objects come back", () => {
    const r = runScript(
      `
      import { Lock, Queue, Value } from "${mpUrl}";
      import { shmArenaStats } from "${arenaUrl}";
      ${collectSource}
      for (let i = 0; i < 100_000; i++) {
        const l = new Lock();
        l.acquireSync();
        l.release();
        if (i % 5000 === 4999) await collect();
      }
      await collect();
      const afterLocks = shmArenaStats();
      // Objects that went through a queue are known to the server, which
      // frees them and gives their blocks back.
      const q = new Queue();
      for (let i = 0; i < 3000; i++) {
        const v = new Value("i", i);
        await q.put(v);
        const back = await q.get();
        back.value += 1;
        if (i % 500 === 499) await collect();
      }
      await collect();
      await new Promise((r) => setTimeout(r, 200));
      console.log(JSON.stringify({ afterLocks, end: shmArenaStats() }));
    `,
      120_000,
      { exposeGc: true },
    );
    assert.equal(r.code, 0, r.err);
    const { afterLocks, end } = JSON.parse(r.out.trim());
    // 100,000 locks of 16 bytes would be 1.6 MB, 25 chunks of 64 KiB.
    assert.ok(afterLocks.chunks <= 3, JSON.stringify(afterLocks));
    assert.ok(end.chunks <= 4, JSON.stringify(end));
  });

  after(() => assertNoLeaks());
});

/** Runs a Deno script with exactly these permission flags. */
function runDeno(
  source: string,
  flags: string[],
): { code: number; out: string; err: string } {
  const dir = Deno.makeTempDirSync({ prefix: "pyconc-shm-" });
  const file = `${dir}/script.ts`;
  Deno.writeTextFileSync(file, source);
  const r = spawnSync(Deno.execPath(), ["run", ...flags, file], {
    encoding: "utf8",
    timeout: 60_000,
  });
  Deno.removeSync(dir, { recursive: true });
  return { code: r.status ?? -1, out: r.stdout ?? "", err: r.stderr ?? "" };
}
