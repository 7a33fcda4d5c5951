import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  DEVNULL,
  PIPE,
  Popen,
  STDOUT,
  TimeoutExpired,
} from "../../subprocess/mod.ts";
import { FileNotFoundError, ValueError } from "../../mod.ts";
import { assertNoLeaks } from "../_leaks.ts";
import { alive, noZombies, sh, td, te } from "./_util.ts";

describe("Popen", () => {
  it("Popen() exposes pid and args, and poll()/wait() see the exit", async () => {
    const p = new Popen(sh("sleep 0.2; exit 3"));
    assert.ok(Number.isInteger(p.pid) && p.pid > 0);
    assert.deepEqual(p.args, ["sh", "-c", "sleep 0.2; exit 3"]);
    assert.equal(p.returncode, null);
    assert.equal(p.poll(), null);
    assert.equal(p.stdin, null);
    assert.equal(p.stdout, null);
    assert.equal(p.stderr, null);
    assert.equal(await p.wait(), 3);
    assert.equal(p.returncode, 3);
    assert.equal(p.poll(), 3);
    assert.equal(await p.wait(0), 3);
    const q = new Popen(["true"], { stdout: PIPE });
    assert.equal(await q.wait(30 * 86400), 0); // beyond setTimeout's range
    assert.deepEqual(await q.communicate(null, 30 * 86400), [
      new Uint8Array(0),
      null,
    ]);
  });

  it("Popen.wait() with a timeout throws TimeoutExpired and leaves the child running", async () => {
    const p = new Popen(["sleep", "10"]);
    await assert.rejects(
      p.wait(0.1),
      (e: Error) =>
        e instanceof TimeoutExpired &&
        e.message === "Command '['sleep', '10']' timed out after 0.1 seconds",
    );
    assert.equal(p.poll(), null);
    assert.ok(alive(p.pid));
    p.kill();
    assert.equal(await p.wait(), -9);
    await assert.rejects(p.wait(-1), ValueError);
  });

  it("Popen.communicate() sends input and reads both pipes", async () => {
    const p = new Popen(sh("cat; echo err >&2"), {
      stdin: PIPE,
      stdout: PIPE,
      stderr: PIPE,
    });
    const [out, err] = await p.communicate(te.encode("data"));
    assert.equal(td.decode(out!), "data");
    assert.equal(td.decode(err!), "err\n");
    assert.equal(p.returncode, 0);
    // A second call returns the same (everything was read already).
    const [out2] = await p.communicate();
    assert.equal(td.decode(out2!), "data");
  });

  it("Popen.communicate() in text mode returns strings; null for non-pipes", async () => {
    const p = new Popen<string>(["cat"], {
      stdin: PIPE,
      stdout: PIPE,
      text: true,
    });
    assert.deepEqual(await p.communicate("héllo\r\n"), ["héllo\n", null]);
  });

  it("Popen.communicate() moves large input and output at once", async () => {
    const big = new Uint8Array(6 * 1024 * 1024).fill(1);
    const p = new Popen(sh("head -c 6291456 /dev/zero >&2 & cat; wait"), {
      stdin: PIPE,
      stdout: PIPE,
      stderr: PIPE,
    });
    const [out, err] = await p.communicate(big);
    assert.equal(out!.length, big.length);
    assert.equal(err!.length, big.length);
    assert.equal(out![100], 1);
  });

  it("Popen.communicate() timeout keeps output and can be resumed", async () => {
    const p = new Popen(sh("echo first; sleep 0.6; echo second"), {
      stdout: PIPE,
    });
    await assert.rejects(p.communicate(null, 0.2), (e: Error) => {
      assert.ok(e instanceof TimeoutExpired);
      assert.equal(td.decode(e.output as Uint8Array), "first\n");
      return true;
    });
    assert.equal(p.returncode, null);
    const [out] = await p.communicate();
    assert.equal(td.decode(out!), "first\nsecond\n");
    assert.equal(p.returncode, 0);
  });

  it("Popen.communicate() refuses input twice or without a stdin pipe", async () => {
    const p = new Popen(["cat"], { stdin: PIPE, stdout: PIPE });
    await p.communicate("x");
    await assert.rejects(
      p.communicate("y"),
      (e: Error) =>
        e instanceof ValueError &&
        e.message === "Cannot send input after starting communication",
    );
    const q = new Popen(["true"], { stdout: PIPE });
    await assert.rejects(q.communicate("x"), ValueError);
    await q.wait();
  });

  it("Popen streams: write stdin, read stdout as bytes", async () => {
    await using p = new Popen(["cat"], { stdin: PIPE, stdout: PIPE });
    const w = p.stdin!.getWriter();
    await w.write(te.encode("abc"));
    await w.close();
    let all = "";
    for await (const chunk of p.stdout!) {
      assert.ok(chunk instanceof Uint8Array);
      all += td.decode(chunk);
    }
    assert.equal(all, "abc");
    assert.equal(await p.wait(), 0);
  });

  it("Popen streams in text mode carry strings with universal newlines", async () => {
    await using p = new Popen<string>(["cat"], {
      stdin: PIPE,
      stdout: PIPE,
      text: true,
    });
    const w = p.stdin!.getWriter();
    await w.write("one\r");
    await w.write("\ntwo\rthree ✓");
    await w.close();
    let all = "";
    for await (const chunk of p.stdout!) all += chunk;
    assert.equal(all, "one\ntwo\nthree ✓");
  });

  it("Popen stderr STDOUT merges into the stdout stream", async () => {
    await using p = new Popen<string>(sh("echo a; echo b >&2; echo c"), {
      stdout: PIPE,
      stderr: STDOUT,
      text: true,
    });
    assert.equal(p.stderr, null);
    const [out, err] = await p.communicate();
    assert.equal(out, "a\nb\nc\n");
    assert.equal(err, null);
  });

  it("Popen.sendSignal() takes names and numbers; terminate() and kill()", async () => {
    const a = new Popen(["sleep", "10"]);
    a.sendSignal("SIGUSR1");
    assert.equal(await a.wait(), -10);
    const b = new Popen(["sleep", "10"]);
    b.sendSignal(2);
    assert.equal(await b.wait(), -2);
    const c = new Popen(["sleep", "10"]);
    c.terminate();
    assert.equal(await c.wait(), -15);
    const d = new Popen(["sleep", "10"]);
    d.kill();
    assert.equal(await d.wait(), -9);
    // Signalling a finished child does nothing.
    d.kill();
    assert.equal(d.returncode, -9);
    const e = new Popen(["sleep", "10"]);
    assert.throws(() => e.sendSignal("SIGNOPE"), ValueError);
    assert.throws(() => e.sendSignal(999), ValueError);
    e.kill();
    await e.wait();
  });

  it("Popen with await using closes pipes and reaps the child", async () => {
    let pid = 0;
    {
      await using p = new Popen(["yes"], { stdout: PIPE });
      pid = p.pid;
      const r = p.stdout!.getReader();
      assert.ok((await r.read()).value!.length > 0);
      r.releaseLock();
    } // closing stdout makes `yes` die of SIGPIPE; dispose waits for it
    assert.ok(!alive(pid));
    assert.ok(await noZombies());
  });

  it("Popen with await using also works while a reader holds the stream", async () => {
    let p!: Popen;
    {
      await using q = new Popen(["yes"], { stdout: PIPE });
      p = q;
      q.stdout!.getReader(); // locked, never released
    }
    // SIGPIPE; Bun's pipes are socket pairs, where a close with unread data
    // resets the connection instead, and `yes` exits 1 on ECONNRESET.
    assert.ok(p.returncode === -13 || p.returncode === 1, `${p.returncode}`);
  });

  it("Popen() throws FileNotFoundError and TypeError synchronously", () => {
    assert.throws(
      () => new Popen(["no-such-program-xyz"]),
      (e: Error) =>
        e instanceof FileNotFoundError &&
        e.message ===
          "[Errno 2] No such file or directory: 'no-such-program-xyz'",
    );
    assert.throws(
      () =>
        new Popen(["no-such-program-xyz"], { stdout: PIPE, stderr: STDOUT }),
      FileNotFoundError,
    );
    assert.throws(
      () => new Popen(["true"], { timeout: 1 } as never),
      TypeError,
    );
    assert.throws(() => new Popen(["true"], { stdin: -7 }), ValueError);
  });

  it("Popen with DEVNULL and cwd/env", async () => {
    const p = new Popen<string>(sh("pwd; echo $X"), {
      stdin: DEVNULL,
      stdout: PIPE,
      cwd: "/tmp",
      env: { X: "42" },
      text: true,
    });
    assert.deepEqual(await p.communicate(), ["/tmp\n42\n", null]);
  });
});

after(() => assertNoLeaks());
