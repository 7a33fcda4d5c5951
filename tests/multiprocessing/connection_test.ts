import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  type Connection,
  EOFError,
  OSError,
  Pipe,
  Process,
} from "../../multiprocessing/mod.ts";
import { assertNoLeaks } from "../_leaks.ts";
import { sleep } from "./_util.ts";

describe("Pipe", () => {
  it("Pipe() ends send and receive both ways, in order", async () => {
    const [a, b] = Pipe<unknown>();
    await a.send(1);
    a.sendSync({ x: [2] });
    await b.send("back");
    assert.equal(await b.recv(), 1);
    assert.deepEqual(b.recvSync(), { x: [2] });
    assert.equal(await a.recv(), "back");
    assert.equal(await b.poll(), false);
    assert.equal(b.pollSync(0.01), false);
    const t0 = performance.now();
    assert.equal(await b.poll(0.1), false);
    assert.ok(performance.now() - t0 >= 90);
    const polled = b.poll(null);
    await a.send(3);
    assert.equal(await polled, true);
    assert.equal(await b.recv(), 3);
    assert.ok(a.readable && a.writable);
    a.close();
    b.close();
  });

  it("Connection.sendBytes() and recvBytes() carry slices of bytes", async () => {
    const [a, b] = Pipe();
    await a.sendBytes(new Uint8Array([1, 2, 3, 4, 5]), 1, 3);
    a.sendBytesSync(new Uint16Array([1]).buffer);
    assert.deepEqual([...await b.recvBytes()], [2, 3, 4]);
    assert.deepEqual([...b.recvBytesSync()], [1, 0]);
    await assert.rejects(a.sendBytes(new Uint8Array(2), 3), RangeError);
    await a.sendBytes(new Uint8Array(10));
    await assert.rejects(b.recvBytes(5), {
      name: "OSError",
      message: "bad message length",
    });
    a.close();
  });

  it("recv() throws EOFError once the other end is closed and drained", async () => {
    const [a, b] = Pipe();
    const waiting = b.recv();
    await a.send("last");
    assert.equal(await waiting, "last");
    const pending = b.recv();
    a.close();
    await assert.rejects(pending, EOFError);
    assert.equal(await b.poll(), true);
    assert.throws(() => b.recvSync(), EOFError);
    assert.throws(() => b.sendSync(1), {
      name: "OSError",
      message: /Broken pipe/,
    });
    assert.equal(a.closed, true);
    await assert.rejects(a.send(1), {
      name: "OSError",
      message: "handle is closed",
    });
    await assert.rejects(a.recv(), OSError);
    b.close();
  });

  it("Pipe(false) gives a reader and a writer", async () => {
    const [r, w] = Pipe(false);
    assert.ok(r.readable && !r.writable && w.writable && !w.readable);
    await assert.rejects(r.send(1), { message: "connection is read-only" });
    await assert.rejects(w.recv(), { message: "connection is write-only" });
    await w.send("one way");
    assert.equal(await r.recv(), "one way");
    r.close();
    w.close();
  });

  it("a Pipe carries 10 MB from a child, then EOF when the child exits", async () => {
    const [parentEnd, childEnd] = Pipe();
    const size = 10 * 1024 * 1024;
    const p = new Process({
      target: (c: Connection, size: number) => {
        const data = new Uint8Array(size);
        for (let i = 0; i < size; i += 4096) data[i] = (i / 4096) & 255;
        c.sendBytesSync(data);
        c.sendSync("done");
      },
      args: [childEnd, size],
    });
    await p.start();
    childEnd.close(); // as in Python: only the child holds it now
    const got = await parentEnd.recvBytes();
    assert.equal(got.length, size);
    for (let i = 0; i < size; i += 4096) {
      assert.equal(got[i], (i / 4096) & 255);
    }
    assert.equal(await parentEnd.recv(), "done");
    await p.join();
    // The child exited without closing: its end is released with it.
    await assert.rejects(parentEnd.recv(), EOFError);
    parentEnd.close();
  });

  it("a child replies over a duplex Pipe", async () => {
    const [here, there] = Pipe<number>();
    const p = new Process({
      target: (c: Connection<number>) => {
        for (;;) {
          let n: number;
          try {
            n = c.recvSync();
          } catch {
            return; // EOF
          }
          c.sendSync(n * n);
        }
      },
      args: [there],
    });
    await p.start();
    there.close();
    for (let i = 1; i <= 5; i++) {
      await here.send(i);
      assert.equal(await here.recv(), i * i);
    }
    here.close();
    await p.join();
    assert.equal(p.exitcode, 0);
    await sleep(0);
  });
});

after(() => assertNoLeaks());
