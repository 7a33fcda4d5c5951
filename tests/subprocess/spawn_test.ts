// The process half of the runtime adapter, which other modules reuse.
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { output } from "../../_internal/spawn/output.ts";
import { outputSync } from "../../_internal/spawn/output_sync.ts";
import { selfCommand } from "../../_internal/spawn/self_command.ts";
import { signalName, signalNumber } from "../../_internal/spawn/signals.ts";
import { spawn } from "../../_internal/spawn/spawn.ts";
import { liveResources } from "../../_internal/runtime/resources.ts";
import { FileNotFoundError } from "../../mod.ts";
import { assertNoLeaks } from "../_leaks.ts";
import { alive, sh, td, te, until } from "./_util.ts";

describe("_internal/spawn", () => {
  it("signalNumber() and signalName() map Linux signals", () => {
    assert.equal(signalNumber("SIGKILL"), 9);
    assert.equal(signalNumber("term"), 15);
    assert.equal(signalNumber("SIGUSR1"), 10);
    assert.equal(signalNumber(2), 2);
    assert.throws(() => signalNumber("SIGNOPE"), TypeError);
    assert.throws(() => signalNumber(-1), TypeError);
    assert.equal(signalName(9), "SIGKILL");
    assert.equal(signalName(29), "SIGIO");
    assert.equal(signalName(40), undefined);
  });

  it("spawn() tracks the child until it is reaped", async () => {
    const child = spawn(["sleep", "0.1"]);
    assert.ok(
      liveResources().some((r) =>
        r.kind === "process" && r.label.startsWith(`pid ${child.pid}:`)
      ),
    );
    assert.equal(child.status, null);
    const st = await child.exited;
    assert.deepEqual(st, { returncode: 0, code: 0, signal: null });
    assert.deepEqual(child.status, st);
    assert.ok(
      !liveResources().some((r) => r.label.startsWith(`pid ${child.pid}:`)),
    );
  });

  it("spawn() gives web streams for piped stdio", async () => {
    const child = spawn(["cat"], { stdin: "pipe", stdout: "pipe" });
    const w = child.stdin!.getWriter();
    await w.write(te.encode("ping"));
    await w.close();
    assert.equal(await new Response(child.stdout).text(), "ping");
    assert.equal((await child.exited).returncode, 0);
    assert.equal(child.kill(), false); // already exited
  });

  it("spawn() kill() sends to the child or to its process group", async () => {
    const child = spawn(sh("sleep 30 & echo $!; wait"), {
      stdout: "pipe",
      newSession: true,
    });
    const reader = child.stdout!.getReader();
    const grandchild = Number(td.decode((await reader.read()).value!).trim());
    assert.ok(alive(grandchild));
    assert.equal(child.kill("SIGKILL", true), true);
    assert.deepEqual(await child.exited, {
      returncode: -9,
      code: null,
      signal: 9,
    });
    assert.ok(await until(() => !alive(grandchild)));
    await reader.cancel();
  });

  it("spawn() throws FileNotFoundError for a missing program", () => {
    assert.throws(() => spawn(["no-such-program-xyz"]), FileNotFoundError);
    assert.throws(() => spawn([]), TypeError);
  });

  it("output() and outputSync() agree", async () => {
    const a = await output(sh("echo o; echo e >&2; exit 2"), {
      stdout: "pipe",
      stderr: "pipe",
    });
    const b = outputSync(sh("echo o; echo e >&2; exit 2"), {
      stdout: "pipe",
      stderr: "pipe",
      timeoutMs: 10_000,
    });
    for (const r of [a, b]) {
      assert.equal(r.status.returncode, 2);
      assert.equal(td.decode(r.stdout!), "o\n");
      assert.equal(td.decode(r.stderr!), "e\n");
      assert.equal(r.timedOut, false);
    }
    assert.throws(
      () => outputSync(["cat"], { stdin: "pipe" as never }),
      TypeError,
    );
  });

  it("selfCommand() starts this runtime on a module with piped stdio", async () => {
    const mod = new URL("./_echo_child.ts", import.meta.url);
    const r = await output(selfCommand(mod, ["arg1"]), {
      stdin: te.encode("from parent"),
      stdout: "pipe",
      timeoutMs: 30_000,
    });
    assert.equal(r.status.returncode, 0);
    assert.equal(td.decode(r.stdout!), "arg1:from parent");
  });
});

after(() => assertNoLeaks());
