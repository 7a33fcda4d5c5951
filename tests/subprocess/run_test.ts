import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  CalledProcessError,
  CompletedProcess,
  DEVNULL,
  PIPE,
  run,
  STDOUT,
  TimeoutExpired,
} from "../../subprocess/mod.ts";
import {
  FileNotFoundError,
  OSError,
  PermissionError,
  ValueError,
} from "../../mod.ts";
import { assertNoLeaks } from "../_leaks.ts";
import { alive, noZombies, sh, td, te, until } from "./_util.ts";

describe("run", () => {
  it("run() returns a CompletedProcess with args and returncode", async () => {
    const cp = await run(["true"]);
    assert.ok(cp instanceof CompletedProcess);
    assert.deepEqual(cp.args, ["true"]);
    assert.equal(cp.returncode, 0);
    assert.equal(cp.stdout, null);
    assert.equal(cp.stderr, null);
    assert.equal((await run(sh("exit 7"))).returncode, 7);
  });

  it("run() captures bytes by default and strings with text", async () => {
    const cp = await run(sh("echo out; echo err >&2"), { captureOutput: true });
    assert.ok(cp.stdout instanceof Uint8Array);
    assert.equal(td.decode(cp.stdout!), "out\n");
    assert.equal(td.decode(cp.stderr!), "err\n");
    const t = await run(sh("echo out; echo err >&2"), {
      captureOutput: true,
      text: true,
    });
    assert.equal(t.stdout, "out\n");
    assert.equal(t.stderr, "err\n");
    assert.equal(
      String(t),
      "CompletedProcess(args=['sh', '-c', 'echo out; echo err >&2'], returncode=0, stdout='out\\n', stderr='err\\n')",
    );
  });

  it("run() with stdout PIPE only leaves stderr uncaptured", async () => {
    const cp = await run(["echo", "x"], { stdout: PIPE });
    assert.equal(td.decode(cp.stdout!), "x\n");
    assert.equal(cp.stderr, null);
  });

  it("run() text mode translates newlines and honours encoding", async () => {
    const cp = await run(["printf", "a\\r\\nb\\rc\\n"], {
      stdout: PIPE,
      text: true,
    });
    assert.equal(cp.stdout, "a\nb\nc\n");
    const l1 = await run(["printf", "\\351t\\351"], {
      stdout: PIPE,
      encoding: "latin-1",
    });
    assert.equal(l1.stdout, "été");
    const u = await run(["cat"], {
      input: "héllo ✓",
      stdout: PIPE,
      text: true,
    });
    assert.equal(u.stdout, "héllo ✓");
  });

  it("run() text mode rejects undecodable output unless errors is replace", async () => {
    await assert.rejects(
      run(["printf", "\\377"], { stdout: PIPE, text: true }),
      (e: Error) =>
        e instanceof ValueError && e.message.includes("codec can't decode"),
    );
    const r = await run(["printf", "a\\377"], {
      stdout: PIPE,
      text: true,
      errors: "replace",
    });
    assert.equal(r.stdout, "a\ufffd");
    await assert.rejects(
      run(["true"], { encoding: "no-such-codec" }),
      (e: Error) =>
        e instanceof ValueError &&
        e.message === "unknown encoding: no-such-codec",
    );
  });

  it("run() feeds input as bytes or text", async () => {
    const b = await run(["cat"], { input: te.encode("bytes"), stdout: PIPE });
    assert.equal(td.decode(b.stdout!), "bytes");
    const s = await run(["wc", "-c"], {
      input: "12345",
      stdout: PIPE,
      text: true,
    });
    assert.equal(s.stdout!.trim(), "5");
    const empty = await run(["cat"], { input: "", stdout: PIPE, text: true });
    assert.equal(empty.stdout, "");
  });

  it("run() with stdin PIPE and no input gives the child EOF", async () => {
    const cp = await run(["cat"], { stdin: PIPE, stdout: PIPE });
    assert.equal(cp.stdout!.length, 0);
  });

  it("run() rejects conflicting options with Python's messages", async () => {
    await assert.rejects(
      run(["cat"], { input: "x", stdin: PIPE }),
      (e: Error) =>
        e instanceof ValueError &&
        e.message === "stdin and input arguments may not both be used.",
    );
    await assert.rejects(
      run(["true"], { captureOutput: true, stdout: PIPE }),
      (e: Error) =>
        e instanceof ValueError &&
        e.message ===
          "stdout and stderr arguments may not be used with capture_output.",
    );
    await assert.rejects(
      run(["true"], { captureOutput: true, stderr: DEVNULL }),
      ValueError,
    );
    await assert.rejects(
      run(["true"], { timeout: -1 }),
      (e: Error) =>
        e instanceof ValueError &&
        e.message === "timeout value must be a non-negative number",
    );
    await assert.rejects(
      run(["true"], { stdout: STDOUT }),
      (e: Error) =>
        e instanceof ValueError &&
        e.message === "STDOUT can only be used for stderr",
    );
  });

  it("run() rejects bad argument types with TypeError", async () => {
    await assert.rejects(run([1 as unknown as string]), TypeError);
    await assert.rejects(run(null as unknown as string[]), TypeError);
    await assert.rejects(run([]), ValueError);
    await assert.rejects(
      run(["true"], { captureOuput: true } as never),
      (e: Error) =>
        e instanceof TypeError &&
        e.message === "run() got an unexpected option 'captureOuput'",
    );
    await assert.rejects(
      run(["true"], { env: { A: 1 as unknown as string } }),
      TypeError,
    );
  });

  it("run() with check throws CalledProcessError carrying the output", async () => {
    await assert.rejects(run(["false"], { check: true }), (e: Error) => {
      assert.ok(e instanceof CalledProcessError);
      assert.equal(
        e.message,
        "Command '['false']' returned non-zero exit status 1.",
      );
      assert.equal(e.returncode, 1);
      assert.deepEqual(e.cmd, ["false"]);
      assert.equal(e.output, null);
      return true;
    });
    await assert.rejects(
      run(sh("echo o; echo e >&2; exit 3"), {
        check: true,
        captureOutput: true,
        text: true,
      }),
      (e: Error) => {
        assert.ok(e instanceof CalledProcessError);
        assert.equal(e.returncode, 3);
        assert.equal(e.output, "o\n");
        assert.equal(e.stdout, "o\n");
        assert.equal(e.stderr, "e\n");
        return true;
      },
    );
    const ok = await run(["true"], { check: true });
    assert.equal(ok.returncode, 0);
  });

  it("run() reports a signal as returncode -N and 'died with'", async () => {
    const cp = await run(sh("kill -9 $$"));
    assert.equal(cp.returncode, -9);
    await assert.rejects(
      run(sh("kill -TERM $$"), { check: true }),
      (e: Error) =>
        e instanceof CalledProcessError &&
        e.message ===
          "Command '['sh', '-c', 'kill -TERM $$']' died with <Signals.SIGTERM: 15>.",
    );
  });

  it("run() timeout kills and reaps the child and keeps the output so far", async () => {
    const t0 = performance.now();
    await assert.rejects(
      run(sh("echo partial; echo e >&2; exec sleep 10"), {
        timeout: 0.5,
        captureOutput: true,
        text: true,
      }),
      (e: Error) => {
        assert.ok(e instanceof TimeoutExpired);
        assert.equal(
          e.message,
          "Command '['sh', '-c', 'echo partial; echo e >&2; exec sleep 10']' timed out after 0.5 seconds",
        );
        assert.equal(e.timeout, 0.5);
        // Bytes even in text mode, as in Python.
        assert.equal(td.decode(e.output as Uint8Array), "partial\n");
        assert.equal(td.decode(e.stdout as Uint8Array), "partial\n");
        assert.equal(td.decode(e.stderr as Uint8Array), "e\n");
        return true;
      },
    );
    assert.ok(performance.now() - t0 < 3000);
    assert.ok(await noZombies());
  });

  it("run() with a timeout beyond 2^31 ms does not fire at once", async () => {
    const month = 30 * 86400;
    const cp = await run(["echo", "ok"], { timeout: month, stdout: PIPE });
    assert.equal(td.decode(cp.stdout!), "ok\n");
  });

  it("run() timeout without capture carries null output", async () => {
    await assert.rejects(run(["sleep", "10"], { timeout: 0.1 }), (e: Error) => {
      assert.ok(e instanceof TimeoutExpired);
      assert.equal(e.output, null);
      assert.equal(e.stderr, null);
      return true;
    });
  });

  it("run() timeout with startNewSession kills the whole process group", async () => {
    let grandchild = 0;
    await assert.rejects(
      run(sh("sleep 30 & echo $!; wait"), {
        timeout: 0.5,
        stdout: PIPE,
        startNewSession: true,
      }),
      (e: Error) => {
        assert.ok(e instanceof TimeoutExpired);
        grandchild = Number(td.decode(e.output as Uint8Array).trim());
        return true;
      },
    );
    assert.ok(grandchild > 0);
    assert.ok(await until(() => !alive(grandchild)), "grandchild survived");
  });

  it("run() of a missing program throws FileNotFoundError naming it", async () => {
    await assert.rejects(run(["no-such-program-xyz"]), (e: Error) => {
      assert.ok(e instanceof FileNotFoundError);
      assert.ok(e instanceof OSError);
      assert.equal(
        e.message,
        "[Errno 2] No such file or directory: 'no-such-program-xyz'",
      );
      assert.equal((e as FileNotFoundError).errno, 2);
      assert.equal((e as FileNotFoundError).filename, "no-such-program-xyz");
      return true;
    });
    await assert.rejects(
      run(["no-such-program-xyz"], { captureOutput: true, stderr: undefined }),
      FileNotFoundError,
    );
    await assert.rejects(
      run(["true"], { cwd: "/no/such/dir" }),
      (e: Error) =>
        e instanceof FileNotFoundError &&
        e.message === "[Errno 2] No such file or directory: '/no/such/dir'",
    );
    await assert.rejects(
      run(["/etc/passwd"]),
      (e: Error) =>
        e instanceof PermissionError && e instanceof OSError &&
        (e as OSError).errno === 13 &&
        e.message === "[Errno 13] Permission denied: '/etc/passwd'",
    );
  });

  it("run() honours cwd and env", async () => {
    const cwd = await run(["pwd"], { cwd: "/tmp", stdout: PIPE, text: true });
    assert.equal(cwd.stdout, "/tmp\n");
    const url = await run(["pwd"], {
      cwd: new URL("file:///usr/"),
      stdout: PIPE,
      text: true,
    });
    assert.equal(url.stdout, "/usr\n");
    const env = await run(["env"], {
      env: { ONLY: "this", PATH: "/usr/bin:/bin" },
      stdout: PIPE,
      text: true,
    });
    const lines = env.stdout!.trim().split("\n").sort();
    assert.ok(lines.includes("ONLY=this"));
    assert.ok(!lines.some((l) => l.startsWith("HOME=")));
  });

  it("run() with shell runs a string through /bin/sh -c", async () => {
    const cp = await run("echo $((6 * 7)) | tr 4 X", {
      shell: true,
      stdout: PIPE,
      text: true,
    });
    assert.equal(cp.stdout, "X2\n");
    assert.equal(cp.args, "echo $((6 * 7)) | tr 4 X");
    const list = await run(["echo $0 $1", "zero", "one"], {
      shell: true,
      stdout: PIPE,
      text: true,
    });
    assert.equal(list.stdout, "zero one\n");
    await assert.rejects(
      run("exit 3", { shell: true, check: true }),
      (e: Error) =>
        e.message === "Command 'exit 3' returned non-zero exit status 3.",
    );
  });

  it("run() with stderr STDOUT merges the streams in order", async () => {
    const script = "for i in 1 2 3 4 5; do echo out$i; echo err$i >&2; done";
    const cp = await run(sh(script), {
      stdout: PIPE,
      stderr: STDOUT,
      text: true,
    });
    assert.equal(
      cp.stdout,
      "out1\nerr1\nout2\nerr2\nout3\nerr3\nout4\nerr4\nout5\nerr5\n",
    );
    assert.equal(cp.stderr, null);
    const dn = await run(sh("echo a; echo b >&2"), {
      stdout: DEVNULL,
      stderr: STDOUT,
    });
    assert.equal(dn.returncode, 0);
  });

  it("run() with stderr STDOUT keeps the program's pid, argv and status", async () => {
    const cp = await run(sh('echo "$0"; exit 4'), {
      stdout: PIPE,
      stderr: STDOUT,
      text: true,
    });
    assert.equal(cp.stdout, "sh\n");
    assert.equal(cp.returncode, 4);
  });

  it("run() with DEVNULL discards output and gives empty stdin", async () => {
    const cp = await run(["cat"], { stdin: DEVNULL, stdout: DEVNULL });
    assert.equal(cp.returncode, 0);
    assert.equal(cp.stdout, null);
  });

  it("run() moves 10 MB through a pipe", async () => {
    const cp = await run(["head", "-c", "10000000", "/dev/zero"], {
      stdout: PIPE,
    });
    assert.equal(cp.stdout!.length, 10_000_000);
  });

  it("run() handles large input and output at once without deadlock", async () => {
    const big = new Uint8Array(8 * 1024 * 1024);
    for (let i = 0; i < big.length; i++) big[i] = i % 251;
    // The child writes 8 MB to stderr while it echoes stdin to stdout.
    const cp = await run(sh("head -c 8388608 /dev/zero >&2 & cat; wait"), {
      input: big,
      captureOutput: true,
    });
    assert.equal(cp.stdout!.length, big.length);
    assert.equal(cp.stderr!.length, big.length);
    assert.deepEqual(cp.stdout!.subarray(0, 1000), big.subarray(0, 1000));
    assert.equal(cp.stderr!.reduce((a, b) => a + b, 0), 0);
    assert.equal(cp.stdout![big.length - 1], big[big.length - 1]);
  });

  it("run() ignores a child that exits without reading its input", async () => {
    const cp = await run(["true"], { input: new Uint8Array(4 * 1024 * 1024) });
    assert.equal(cp.returncode, 0);
  });

  it("run() leaves no zombie behind", async () => {
    await Promise.all(Array.from({ length: 10 }, () => run(["true"])));
    assert.ok(await noZombies());
  });
});

after(() => assertNoLeaks());
