// Pipelines: a Popen's stdout or stderr as another Popen's stdin (issue 14,
// item 6), as Python's "Replacing shell pipeline" recipe does.
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { PIPE, Popen, run, runSync } from "../../subprocess/mod.ts";
import { FileNotFoundError, ValueError } from "../../mod.ts";
import { assertNoLeaks } from "../_leaks.ts";
import { noZombies, sh, td, te } from "./_util.ts";

describe("Popen pipelines", () => {
  it("Popen(stdin: p1.stdout) runs printf 'b\\na\\n' | sort, with p1.stdout.close()", async () => {
    const p1 = new Popen(["printf", "b\\na\\n"], { stdout: PIPE });
    const p2 = new Popen(["sort"], { stdin: p1.stdout, stdout: PIPE });
    p1.stdout!.close(); // Allow p1 to receive a SIGPIPE if p2 exits.
    const [out, err] = await p2.communicate();
    assert.equal(td.decode(out!), "a\nb\n");
    assert.equal(err, null);
    assert.equal(p2.returncode, 0);
    assert.equal(await p1.wait(), 0);
  });

  it("Popen(stdin: p1.stdout) takes the bytes of a text-mode p1", async () => {
    const p1 = new Popen<string>(sh("printf 'caf\\303\\251\\r\\n'"), {
      stdout: PIPE,
      text: true,
    });
    const p2 = new Popen(["od", "-An", "-tx1"], {
      stdin: p1.stdout,
      stdout: PIPE,
    });
    p1.stdout!.close();
    const [out] = await p2.communicate();
    // the raw bytes, not text decoded with universal newlines
    assert.equal(
      td.decode(out!).trim().split(/\s+/).join(" "),
      "63 61 66 c3 a9 0d 0a",
    );
    assert.equal(await p1.wait(), 0);
  });

  it("Popen(stdin: p1.stdout): p1 stops once p2 exits early (yes | head -n 1)", async () => {
    const p1 = new Popen(["yes"], { stdout: PIPE, stderr: PIPE });
    const p2 = new Popen(["head", "-n", "1"], {
      stdin: p1.stdout,
      stdout: PIPE,
    });
    p1.stdout!.close();
    const [out] = await p2.communicate();
    assert.equal(td.decode(out!), "y\n");
    // Deno: SIGPIPE (-13) as in Python; Bun's socket pairs give yes
    // ECONNRESET instead, so it exits with status 1.
    const rc = await p1.wait(10);
    assert.ok(rc === -13 || rc === 1, `returncode ${rc}`);
    await p1.communicate();
  });

  it("Popen(stdin: p1.stderr) reads p1's stderr", async () => {
    const p1 = new Popen(sh("echo out; echo err >&2"), {
      stdout: PIPE,
      stderr: PIPE,
    });
    const p2 = new Popen(["tr", "a-z", "A-Z"], {
      stdin: p1.stderr,
      stdout: PIPE,
    });
    p1.stderr!.close();
    const [o2] = await p2.communicate();
    const [o1, e1] = await p1.communicate();
    assert.equal(td.decode(o2!), "ERR\n");
    assert.equal(td.decode(o1!), "out\n");
    assert.deepEqual(e1, new Uint8Array(0)); // handed on: nothing left here
  });

  it("Popen(stdin: p.stdout) chains three stages and carries 5 MB", async () => {
    const p1 = new Popen(["head", "-c", "5000000", "/dev/zero"], {
      stdout: PIPE,
    });
    const p2 = new Popen(["cat"], { stdin: p1.stdout, stdout: PIPE });
    const p3 = new Popen<string>(["wc", "-c"], {
      stdin: p2.stdout,
      stdout: PIPE,
      text: true,
    });
    p1.stdout!.close();
    p2.stdout!.close();
    const [out] = await p3.communicate();
    assert.equal(out!.trim(), "5000000");
    assert.equal(await p1.wait(), 0);
    assert.equal(await p2.wait(), 0);
  });

  it("Popen(stdin: p1.stdout) after reading part of it passes on the rest", async () => {
    const p1 = new Popen(sh("echo a; sleep 0.3; echo b"), { stdout: PIPE });
    const reader = p1.stdout!.getReader();
    const first = await reader.read();
    assert.equal(td.decode(first.value), "a\n");
    reader.releaseLock();
    const p2 = new Popen(["cat"], { stdin: p1.stdout, stdout: PIPE });
    p1.stdout!.close();
    const [out] = await p2.communicate();
    assert.equal(td.decode(out!), "b\n");
    assert.equal(await p1.wait(), 0);
  });

  it("run(stdin: p1.stdout) reads the pipe too", async () => {
    const p1 = new Popen(["printf", "3\\n1\\n2\\n"], { stdout: PIPE });
    const cp = await run(["sort"], {
      stdin: p1.stdout,
      captureOutput: true,
      text: true,
    });
    assert.equal(cp.stdout, "1\n2\n3\n");
    assert.equal(await p1.wait(), 0);
  });

  it("Popen() that fails to start leaves p1.stdout to its parent", async () => {
    const p1 = new Popen(["echo", "still here"], { stdout: PIPE });
    assert.throws(
      () => new Popen(["no-such-program-pyconc"], { stdin: p1.stdout }),
      FileNotFoundError,
    );
    await assert.rejects(
      run(["no-such-program-pyconc"], { stdin: p1.stdout }),
      FileNotFoundError,
    );
    const [out] = await p1.communicate();
    assert.equal(td.decode(out!), "still here\n");
  });

  it("Popen(stdin: closed or already given p1.stdout) throws ValueError", async () => {
    const p1 = new Popen(["true"], { stdout: PIPE });
    p1.stdout!.close();
    assert.throws(
      () => new Popen(["cat"], { stdin: p1.stdout }),
      (e: Error) =>
        e instanceof ValueError &&
        e.message === "I/O operation on closed file",
    );
    const p2 = new Popen(["echo", "x"], { stdout: PIPE });
    const p3 = new Popen(["cat"], { stdin: p2.stdout, stdout: PIPE });
    assert.throws(
      () => new Popen(["cat"], { stdin: p2.stdout }),
      (e: Error) =>
        e instanceof ValueError && /already given to another process/.test(
          e.message,
        ),
    );
    assert.equal(td.decode((await p3.communicate())[0]!), "x\n");
    await p1.wait();
    await p2.wait();
  });

  it("Popen(stdin: ReadableStream) forwards bytes and encodes strings", async () => {
    const bytes = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(te.encode("one\n"));
        c.enqueue(te.encode("two\n"));
        c.close();
      },
    });
    const p = new Popen(["cat"], { stdin: bytes, stdout: PIPE });
    assert.equal(td.decode((await p.communicate())[0]!), "one\ntwo\n");

    const strings = new ReadableStream<string>({
      start(c) {
        c.enqueue("é\n");
        c.close();
      },
    });
    const q = new Popen<string>(["cat"], {
      stdin: strings,
      stdout: PIPE,
      encoding: "latin-1",
    });
    assert.equal((await q.communicate())[0], "é\n");

    // a file-like with only a `readable` stream
    const file = {
      readable: new ReadableStream<Uint8Array>({
        start(c) {
          c.enqueue(te.encode("file\n"));
          c.close();
        },
      }),
    };
    const r = await run(["cat"], { stdin: file, captureOutput: true });
    assert.equal(td.decode(r.stdout!), "file\n");
  });

  it("Popen(stdin: bad stream or object) throws TypeError", () => {
    const locked = new ReadableStream<Uint8Array>();
    locked.getReader();
    assert.throws(
      () => new Popen(["cat"], { stdin: locked }),
      (e: Error) => e instanceof TypeError && /locked/.test(e.message),
    );
    assert.throws(
      // deno-lint-ignore no-explicit-any
      () => new Popen(["cat"], { stdin: {} as any }),
      (e: Error) => e instanceof TypeError && /stdin must be/.test(e.message),
    );
  });

  it("runSync(stdin: p1.stdout) throws TypeError (a stream reads only async)", async () => {
    const p1 = new Popen(["echo", "x"], { stdout: PIPE });
    assert.throws(
      () => runSync(["cat"], { stdin: p1.stdout }),
      (e: Error) => e instanceof TypeError && /readSync/.test(e.message),
    );
    assert.equal(td.decode((await p1.communicate())[0]!), "x\n");
  });

  it("leaves no zombie behind", async () => {
    assert.ok(await noZombies());
  });
});

after(() => assertNoLeaks());
