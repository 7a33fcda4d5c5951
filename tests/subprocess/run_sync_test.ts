import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  CalledProcessError,
  DEVNULL,
  PIPE,
  runSync,
  STDOUT,
  TimeoutExpired,
} from "../../subprocess/mod.ts";
import { FileNotFoundError, ValueError } from "../../mod.ts";
import { assertNoLeaks } from "../_leaks.ts";
import { liveResources } from "../../_internal/runtime/resources.ts";
import { alive, noZombies, sh, td, te, until } from "./_util.ts";

describe("runSync", () => {
  it("runSync() returns a CompletedProcess and captures output", () => {
    const cp = runSync(sh("echo out; echo err >&2; exit 2"), {
      captureOutput: true,
      text: true,
    });
    assert.equal(cp.returncode, 2);
    assert.equal(cp.stdout, "out\n");
    assert.equal(cp.stderr, "err\n");
    const b = runSync(["echo", "x"], { stdout: PIPE });
    assert.ok(b.stdout instanceof Uint8Array);
    assert.equal(td.decode(b.stdout), "x\n");
    assert.equal(b.stderr, null);
  });

  it("runSync() feeds input (bytes and text)", () => {
    assert.equal(
      runSync(["cat"], { input: "héllo", stdout: PIPE, text: true }).stdout,
      "héllo",
    );
    assert.equal(
      td.decode(
        runSync(["cat"], { input: te.encode("b"), stdout: PIPE }).stdout!,
      ),
      "b",
    );
    // stdin PIPE in a blocking call: the child sees EOF at once.
    assert.equal(
      runSync(["cat"], { stdin: PIPE, stdout: PIPE }).stdout!.length,
      0,
    );
  });

  it("runSync() timeout kills and reaps the child and keeps the output so far", async () => {
    const t0 = performance.now();
    assert.throws(
      () =>
        runSync(sh("echo partial; exec sleep 10"), {
          timeout: 0.5,
          stdout: PIPE,
        }),
      (e: Error) => {
        assert.ok(e instanceof TimeoutExpired);
        assert.equal(
          e.message,
          "Command '['sh', '-c', 'echo partial; exec sleep 10']' timed out after 0.5 seconds",
        );
        assert.equal(td.decode(e.output as Uint8Array), "partial\n");
        assert.equal(e.stderr, null);
        return true;
      },
    );
    const took = performance.now() - t0;
    assert.ok(took >= 450 && took < 3000, `took ${took} ms`);
    assert.ok(await noZombies());
  });

  it("runSync() with a timeout beyond 2^31 ms does not fire at once", () => {
    const cp = runSync(["echo", "ok"], { timeout: 30 * 86400, stdout: PIPE });
    assert.equal(td.decode(cp.stdout!), "ok\n");
  });

  it("runSync() timeout with input works (Deno's helper path)", () => {
    assert.throws(
      () => runSync(["sleep", "10"], { timeout: 0.2, input: "x" }),
      TimeoutExpired,
    );
    const ok = runSync(["cat"], {
      timeout: 5,
      input: "fine",
      stdout: PIPE,
      text: true,
    });
    assert.equal(ok.stdout, "fine");
  });

  it("runSync() with timeouts in a loop reuses one helper and ends it when idle", async () => {
    for (let i = 0; i < 10; i++) {
      const cp = runSync(["echo", String(i)], {
        timeout: 5,
        stdout: PIPE,
        text: true,
      });
      assert.equal(cp.stdout, `${i}\n`);
    }
    const workers = () =>
      liveResources().filter((r) => r.kind === "worker").length;
    assert.ok(workers() <= 1); // Deno: one helper; Bun: none
    assert.ok(await until(() => workers() === 0, 2000));
  });

  it("runSync() timeout with startNewSession kills the process group", async () => {
    let grandchild = 0;
    assert.throws(
      () =>
        runSync(sh("sleep 30 & echo $!; wait"), {
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

  it("runSync() with check throws CalledProcessError", () => {
    assert.throws(
      () => runSync(["false"], { check: true }),
      (e: Error) =>
        e instanceof CalledProcessError && e.returncode === 1 &&
        e.message === "Command '['false']' returned non-zero exit status 1.",
    );
    assert.equal(runSync(sh("kill -KILL $$")).returncode, -9);
  });

  it("runSync() rejects conflicts, bad timeouts and missing programs", () => {
    assert.throws(
      () => runSync(["cat"], { input: "x", stdin: DEVNULL }),
      (e: Error) =>
        e instanceof ValueError &&
        e.message === "stdin and input arguments may not both be used.",
    );
    assert.throws(
      () => runSync(["true"], { captureOutput: true, stderr: PIPE }),
      (e: Error) =>
        e instanceof ValueError &&
        e.message ===
          "stdout and stderr arguments may not be used with capture_output.",
    );
    assert.throws(() => runSync(["true"], { timeout: -0.5 }), ValueError);
    assert.throws(
      () => runSync(["no-such-program-xyz"]),
      (e: Error) =>
        e instanceof FileNotFoundError &&
        e.message ===
          "[Errno 2] No such file or directory: 'no-such-program-xyz'",
    );
    assert.throws(
      () => runSync(["no-such-program-xyz"], { timeout: 1 }),
      (e: Error) =>
        e instanceof FileNotFoundError &&
        e.message ===
          "[Errno 2] No such file or directory: 'no-such-program-xyz'",
    );
    assert.throws(
      () => runSync(["true"], { cwd: "/no/such/dir", timeout: 1 }),
      (e: Error) =>
        e instanceof FileNotFoundError &&
        e.message === "[Errno 2] No such file or directory: '/no/such/dir'",
    );
  });

  it("runSync() honours cwd, env and shell", () => {
    assert.equal(
      runSync(["pwd"], { cwd: "/tmp", stdout: PIPE, text: true }).stdout,
      "/tmp\n",
    );
    assert.equal(
      runSync("echo $GREETING", {
        shell: true,
        env: { GREETING: "hey" },
        stdout: PIPE,
        text: true,
      }).stdout,
      "hey\n",
    );
  });

  it("runSync() merges stderr into stdout in order", () => {
    const cp = runSync(sh("echo 1; echo 2 >&2; echo 3; echo 4 >&2"), {
      stdout: PIPE,
      stderr: STDOUT,
      text: true,
      timeout: 5,
    });
    assert.equal(cp.stdout, "1\n2\n3\n4\n");
    const noTimeout = runSync(sh("echo 1; echo 2 >&2"), {
      stdout: PIPE,
      stderr: STDOUT,
      text: true,
    });
    assert.equal(noTimeout.stdout, "1\n2\n");
  });

  it("runSync() moves 10 MB through a pipe, with and without a timeout", () => {
    for (const timeout of [null, 30]) {
      const cp = runSync(["head", "-c", "10000000", "/dev/zero"], {
        stdout: PIPE,
        timeout,
      });
      assert.equal(cp.stdout!.length, 10_000_000);
    }
  });

  it("runSync() handles large input and output at once", () => {
    const big = new Uint8Array(8 * 1024 * 1024).fill(7);
    const cp = runSync(sh("head -c 8388608 /dev/zero >&2 & cat; wait"), {
      input: big,
      captureOutput: true,
    });
    assert.equal(cp.stdout!.length, big.length);
    assert.equal(cp.stderr!.length, big.length);
    assert.equal(cp.stdout![12345], 7);
  });
});

after(() => assertNoLeaks());
