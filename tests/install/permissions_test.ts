/**
 * On Deno, a program that lacks a permission the child machinery needs gets
 * Deno's own NotCapable error naming the flag, never a broken pool.
 *
 * @module
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { output } from "../../_internal/spawn/output.ts";
import { execPath, runtime } from "../../_internal/runtime/adapter.ts";
import { tempDir } from "../../_internal/runtime/temp_dir.ts";

describe("children on Deno", () => {
  it(
    "without --allow-net, a process pool, a Process and a Pool fail with NotCapable",
    {
      skip: runtime !== "deno" && "Deno's permissions only",
    },
    async () => {
      const script = new URL("./_no_net_parent.ts", import.meta.url).pathname;
      const root = new URL("../..", import.meta.url).pathname;
      const r = await output([
        execPath(),
        "run",
        "--no-check",
        "--no-prompt",
        `--allow-read=${root},${tempDir()}`,
        `--allow-write=${tempDir()}`,
        "--allow-run",
        script,
      ], { stdout: "pipe", stderr: "pipe", timeoutMs: 60_000 });
      const text = new TextDecoder().decode(r.stdout ?? undefined);
      const err = new TextDecoder().decode(r.stderr ?? undefined);
      assert.equal(r.status.code, 0, err);
      const need =
        'NotCapable: Requires net access to "unix:pyconc", run again with the --allow-net flag';
      assert.deepEqual(text.trimEnd().split("\n"), [
        `pool: ${need}`,
        `process: ${need}`,
        `mp pool: ${need}`,
      ]);
    },
  );
});
