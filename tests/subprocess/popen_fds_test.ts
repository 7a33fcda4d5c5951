// Issue 19: a Popen whose pipes are never read must not leak descriptors.
// Deno keeps a child's pipe open until it is read to the end or closed, so
// the pipes are closed by `await using` and, as CPython does, once the Popen
// (and any stream over the pipe) has been garbage collected.
import { execFileSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { env } from "node:process";
import { fileURLToPath } from "node:url";
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { PIPE, Popen } from "../../subprocess/mod.ts";
import { execPath, runtime } from "../../_internal/runtime/adapter.ts";
import { assertNoLeaks } from "../_leaks.ts";

const MARGIN = 6;

function fds(): number {
  return readdirSync("/proc/self/fd").length;
}

/** Runs the fixture on this runtime, with a way to force collections. */
function fdProgram(n: number): Record<string, number | string | boolean> {
  const script = fileURLToPath(new URL("./_fd_program.ts", import.meta.url));
  const args = runtime === "deno"
    ? ["run", "-A", "--no-check", "--v8-flags=--expose-gc", script, String(n)]
    : [script, String(n)];
  const out = execFileSync(execPath(), args, {
    encoding: "utf8",
    timeout: 120_000,
    env: { ...env, NO_COLOR: "1" },
  });
  return JSON.parse(out.trim().split("\n").at(-1)!);
}

describe("Popen file descriptors", () => {
  it("200 `await using` Popens with unread pipes close them all", async () => {
    const start = fds();
    for (let i = 0; i < 200; i++) {
      await using p = new Popen(["echo", "x"], { stdout: PIPE, stderr: PIPE });
      assert.equal(await p.wait(), 0);
    }
    assert.ok(fds() <= start + MARGIN, `${start} -> ${fds()} descriptors`);
  });

  it("collected Popens close unread pipes; a kept stream stays open", () => {
    const r = fdProgram(200);
    const { start } = r as Record<string, number>;
    const msg = JSON.stringify(r);
    assert.equal(r.n, 200);
    assert.ok((r.afterUsing as number) <= start + MARGIN, msg);
    assert.ok((r.afterPlain as number) <= start + MARGIN, msg);
    assert.ok((r.afterText as number) <= start + MARGIN, msg);
    // The Popen was collected, but the stream kept over its stdout still
    // reads the child's output to the end.
    assert.equal(r.keptCollected, true, msg);
    assert.equal(r.kept, "kept\n", msg);
  });
});

after(() => assertNoLeaks());
