// Pipes in shared memory (mechanism (2)): a ring per direction that every
// process holding an end maps; the server serves the same rings to a
// process that cannot map them, and the whole pipe where nothing can.
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { deserialize } from "node:v8";
import {
  type Connection,
  connection,
  EOFError,
  Pipe,
  Process,
  Queue,
} from "../../multiprocessing/mod.ts";
import { assertNoLeaks } from "../_leaks.ts";
import { mpUrl, runScript, sleep } from "./_util.ts";

const isDeno = "Deno" in globalThis;
const shmFfiUrl = new URL("../../_internal/shm/ffi.ts", import.meta.url).href;

async function started(p: Process): Promise<Process> {
  await p.start();
  return p;
}

/** Whether an end uses a ring mapped here. */
const mapped = (c: Connection) =>
  (c as unknown as { _ref: { init: { s: { r?: unknown } } } })._ref.init.s
    .r !== undefined;

describe("Pipe in shared memory", () => {
  it("Pipe() ends are rings in shared memory here", () => {
    const [a, b] = Pipe();
    assert.ok(mapped(a) && mapped(b));
    a.close();
    b.close();
  });

  it("ping-pong with a child keeps order; many small messages and wrap-around", async () => {
    const [a, b] = Pipe<unknown>();
    const p = await started(
      new Process({
        target: (c: Connection) => {
          for (;;) {
            let m: unknown;
            try {
              m = c.recvSync();
            } catch {
              return;
            }
            c.sendSync(m);
          }
        },
        args: [b],
      }),
    );
    b.close();
    for (let i = 0; i < 300; i++) {
      // Sizes that do not divide the ring, so frames straddle its end.
      const msg = { i, s: "x".repeat((i * 997) % 5000) };
      if (i % 2) a.sendSync(msg);
      else await a.send(msg);
      const back = (i % 3 ? await a.recv() : a.recvSync()) as typeof msg;
      assert.equal(back.i, i);
      assert.equal(back.s.length, msg.s.length);
    }
    // A burst: far more than the ring holds, read back in order.
    const n = 20000;
    const sending = (async () => {
      for (let i = 0; i < n; i++) await a.send(i);
    })();
    for (let i = 0; i < n; i++) assert.equal(await a.recv(), i);
    await sending;
    a.close();
    await p.join();
    assert.equal(p.exitcode, 0);
  });

  it("messages of 10 MB go both ways through a smaller ring", async () => {
    const [a, b] = Pipe();
    const size = 10 * 1024 * 1024;
    const p = await started(
      new Process({
        target: (c: Connection) => {
          const got = c.recvBytesSync();
          let sum = 0;
          for (let i = 0; i < got.length; i += 1024) sum += got[i];
          c.sendBytesSync(got);
          c.sendSync({ sum, len: got.length });
        },
        args: [b],
      }),
    );
    b.close();
    const data = new Uint8Array(size);
    let sum = 0;
    for (let i = 0; i < size; i += 1024) sum += data[i] = (i >> 10) & 255;
    await a.sendBytes(data);
    const back = await a.recvBytes();
    assert.equal(back.length, size);
    for (let i = 0; i < size; i += 1024) assert.equal(back[i], data[i]);
    assert.deepEqual(await a.recv(), { sum, len: size });
    await p.join();
    a.close();
  });

  it("concurrent writers on one end never interleave their messages", async () => {
    const [r, w] = Pipe(false);
    const procs = [];
    for (let k = 0; k < 3; k++) {
      procs.push(
        await started(
          new Process({
            target: (w: Connection, k: number) => {
              for (let i = 0; i < 200; i++) {
                // Some larger than the ring, so they stream in pieces.
                const len = i % 50 === 0 ? 300_000 : 10 + i;
                w.sendSync({ k, i, s: String(k).repeat(len) });
              }
            },
            args: [w, k],
          }),
        ),
      );
    }
    w.close();
    const next = [0, 0, 0];
    for (;;) {
      let m: { k: number; i: number; s: string };
      try {
        m = await r.recv() as typeof m;
      } catch (err) {
        assert.ok(err instanceof EOFError);
        break;
      }
      assert.equal(m.i, next[m.k]++);
      assert.equal(
        m.s,
        String(m.k).repeat(m.i % 50 === 0 ? 300_000 : 10 + m.i),
      );
    }
    assert.deepEqual(next, [200, 200, 200]);
    for (const p of procs) await p.join();
    r.close();
  });

  it("a reader blocked in recvSync or in await recv gets EOFError when the writer dies (even mid-message)", async () => {
    for (const mode of ["sync", "async"]) {
      const [r, w] = Pipe(false);
      const q = new Queue<string>();
      const reader = await started(
        new Process({
          target: async (r: Connection, q: Queue<string>, mode: string) => {
            try {
              if (mode === "sync") r.recvSync();
              else await r.recv();
              await q.put("message");
            } catch (err) {
              await q.put((err as Error).name);
            }
          },
          args: [r, q, mode],
        }),
      );
      const writer = await started(
        new Process({
          target: async (w: Connection) => {
            // Part of a message far larger than the ring, then death: the
            // async send lets the timer run between its pieces.
            const proc = (globalThis as unknown as {
              process: { pid: number; kill(p: number, s: string): void };
            }).process;
            setTimeout(() => proc.kill(proc.pid, "SIGKILL"), 5);
            await w.sendBytes(new Uint8Array(100_000_000));
            await new Promise(() => {});
          },
          args: [w],
        }),
      );
      r.close();
      w.close();
      const t0 = performance.now();
      assert.equal(await q.get({ timeout: 20 }), "EOFError", mode);
      assert.ok(performance.now() - t0 < 10_000);
      await writer.join();
      await reader.join();
    }
  });

  it("poll() and pollSync() time out, then see a message or EOF", async () => {
    const [a, b] = Pipe();
    let t0 = performance.now();
    assert.equal(await b.poll(0.1), false);
    assert.ok(performance.now() - t0 >= 90);
    t0 = performance.now();
    assert.equal(b.pollSync(0.05), false);
    assert.ok(performance.now() - t0 >= 45);
    setTimeout(() => a.send("x"), 50);
    assert.equal(await b.poll(5), true);
    assert.equal(await b.recv(), "x");
    a.close();
    assert.equal(await b.poll(5), true);
    await assert.rejects(b.recv(), EOFError);
    b.close();
  });

  it("connection.wait() over ring connections and served ones together", async () => {
    const [r1, w1] = Pipe(false);
    // A pipe of a child: served by its maker, also in shared memory there.
    const q = new Queue<Connection>();
    const p = await started(
      new Process({
        target: async (q: Queue<Connection>, url: string) => {
          const { Pipe } = await import(url);
          const [r, w] = Pipe(false);
          await q.put(r);
          await new Promise((res) => setTimeout(res, 150));
          await w.send("from child");
          await q.get();
          w.close();
        },
        args: [q, mpUrl],
      }),
    );
    const r2 = await q.get();
    assert.deepEqual(await connection.wait([r1, r2], 0.05), []);
    const ready = await connection.wait([r1, r2], 10);
    assert.deepEqual(ready, [r2]);
    assert.equal(await r2.recv(), "from child");
    await w1.send(1);
    assert.deepEqual(connection.waitSync([r1, r2], 5), [r1]);
    await q.put(r1);
    await p.join();
    r1.close();
    w1.close();
    r2.close();
  });

  it("an end passed through another pipe stays live", async () => {
    const [a, b] = Pipe();
    const [c, d] = Pipe();
    await a.send(d);
    const d2 = await b.recv() as Connection;
    await c.send("over the passed end");
    assert.equal(await d2.recv(), "over the passed end");
    for (const x of [a, b, c, d, d2]) x.close();
  });

  it("numbers, strings, booleans, null and undefined keep their exact value, through a ring and through the server", async () => {
    const values: unknown[] = [
      0,
      -0,
      NaN,
      Infinity,
      -Infinity,
      1.5,
      2 ** 53 + 2,
      "",
      "héllo ☃",
      "\ud800x\udfff",
      "a".repeat(600),
      true,
      false,
      null,
      undefined,
      10n,
      { a: [1, "b"] },
    ];
    const same = (x: unknown, y: unknown) =>
      typeof x === "object" && x !== null
        ? assert.deepEqual(y, x)
        : assert.ok(Object.is(x, y), `${String(x)} came back as ${String(y)}`);
    for (const disable of [false, true]) {
      const [a, b] = Pipe<unknown>();
      const p = await started(
        new Process({
          target: async (url: string, disable: boolean, c: Connection) => {
            const { _setShmDisabled } = await import(url);
            if (disable) _setShmDisabled(true);
            for (;;) {
              let m: unknown;
              try {
                m = disable ? await c.recv() : c.recvSync();
              } catch {
                break;
              }
              c.sendSync(m);
            }
          },
          args: [shmFfiUrl, disable, b],
        }),
      );
      b.close();
      for (const v of values) {
        await a.send(v);
        same(v, await a.recv());
        a.sendSync(v);
        same(v, a.recvSync());
      }
      // recvBytes of a value gives its node:v8 serialization.
      await a.send(-0);
      assert.ok(Object.is(deserialize(await a.recvBytes()), -0));
      a.sendSync("\ud800");
      assert.equal(deserialize(a.recvBytesSync()), "\ud800");
      a.close();
      await p.join();
      assert.equal(p.exitcode, 0);
    }
  });

  it("a child that cannot map the memory uses the same rings through the server", async () => {
    const [a, b] = Pipe<unknown>();
    const p = await started(
      new Process({
        target: async (url: string, q: Queue<Connection>) => {
          const { _setShmDisabled } = await import(url);
          _setShmDisabled(true);
          const c = await q.get();
          for (;;) {
            let m: unknown;
            try {
              m = await c.recv();
            } catch {
              break;
            }
            if (m instanceof Uint8Array) c.sendBytesSync(m);
            else c.sendSync(m);
          }
          c.close();
        },
        args: [
          shmFfiUrl,
          await (async () => {
            const q = new Queue<Connection>();
            await q.put(b);
            return q;
          })(),
        ],
      }),
    );
    b.close();
    for (let i = 0; i < 50; i++) {
      await a.send({ i });
      assert.deepEqual(await a.recv(), { i });
    }
    const big = new Uint8Array(1_000_000).fill(7);
    await a.sendBytes(big);
    const back = await a.recvBytes();
    assert.equal(back.length, big.length);
    assert.equal(back[999_999], 7);
    a.close();
    await p.join();
    assert.equal(p.exitcode, 0);
  });

  it("a program without shared memory (Deno without --allow-ffi, or disabled) serves its pipes", () => {
    const prelude = isDeno ? "" : `
      import { _setShmDisabled } from "${shmFfiUrl}";
      _setShmDisabled(true);
    `;
    const source = `
      ${prelude}
      const { Pipe, Process } = await import("${mpUrl}");
      const [a, b] = Pipe();
      const p = new Process({
        target: (c) => { for (let i = 0; i < 3; i++) c.sendSync(c.recvSync() * 2); },
        args: [b],
      });
      await p.start();
      b.close();
      const out = [];
      for (let i = 1; i <= 3; i++) { await a.send(i); out.push(await a.recv()); }
      await p.join();
      let eof = false;
      try { await a.recv(); } catch (e) { eof = e.name === "EOFError"; }
      console.log(JSON.stringify({ rings: a._ref.init.s.r !== undefined, out, eof }));
    `;
    const flags = [
      "--allow-read",
      "--allow-run",
      "--allow-env",
      "--allow-write",
      "--allow-sys",
      "--allow-net",
    ];
    const r = isDeno ? runDeno(source, flags) : runScript(source);
    assert.equal(r.code, 0, r.err);
    assert.deepEqual(JSON.parse(r.out.trim().split("\n").pop()!), {
      rings: false,
      out: [2, 4, 6],
      eof: true,
    });
  });

  it("closed ends: EOF for the reader, Broken pipe for the writer, handle is closed", async () => {
    const [a, b] = Pipe();
    await a.send(1);
    a.close();
    await sleep(50);
    assert.equal(b.recvSync(), 1);
    assert.throws(() => b.recvSync(), EOFError);
    assert.throws(() => b.sendSync(1), {
      name: "OSError",
      message: /Broken pipe/,
    });
    await assert.rejects(b.send(1), {
      name: "OSError",
      message: /Broken pipe/,
    });
    assert.throws(() => a.sendSync(1), { message: "handle is closed" });
    b.close();
  });

  after(() => assertNoLeaks());
});

/** Runs a Deno script with exactly these permission flags. */
function runDeno(
  source: string,
  flags: string[],
): { code: number; out: string; err: string } {
  const dir = Deno.makeTempDirSync({ prefix: "pyconc-pipe-" });
  const file = `${dir}/script.ts`;
  Deno.writeTextFileSync(file, source);
  const r = runScriptRaw(file, flags);
  Deno.removeSync(dir, { recursive: true });
  return r;
}

function runScriptRaw(file: string, flags: string[]) {
  const out = new Deno.Command(Deno.execPath(), {
    args: ["run", ...flags, file],
    stdout: "piped",
    stderr: "piped",
  }).outputSync();
  const dec = new TextDecoder();
  return {
    code: out.code,
    out: dec.decode(out.stdout),
    err: dec.decode(out.stderr),
  };
}
