/**
 * The flags a Deno child process gets: the parent's permissions and loading
 * flags, never more.
 *
 * @module
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { flagsFromArgv } from "../../_internal/spawn/deno_flags.ts";
import { output } from "../../_internal/spawn/output.ts";
import { execPath, runtime } from "../../_internal/runtime/adapter.ts";

describe("flagsFromArgv()", () => {
  it("keeps permissions with their lists and loading flags, up to the script", () => {
    assert.deepEqual(
      flagsFromArgv([
        "deno",
        "run",
        "--allow-env=PATH,TMPDIR",
        "-R",
        "--config",
        "deno.json",
        "--no-check",
        "--inspect=127.0.0.1:9229",
        "--v8-flags=--max-old-space-size=100",
        "--unstable-ffi",
        "--deny-net=example.com",
        "--cached-only",
        "app.ts",
        "--allow-all",
      ]),
      [
        "--allow-env=PATH,TMPDIR",
        "-R",
        "--config",
        "deno.json",
        "--no-check",
        "--v8-flags=--max-old-space-size=100",
        "--unstable-ffi",
        "--deny-net=example.com",
        "--cached-only",
      ],
    );
  });

  it("reads flags among the files of `deno test` and skips the values of others", () => {
    assert.deepEqual(
      flagsFromArgv([
        "deno",
        "test",
        "--filter",
        "--allow-all",
        "-A",
        "a_test.ts",
        "--no-check",
        "b_test.ts",
        "--",
        "--allow-write",
      ]),
      ["-A", "--no-check"],
    );
  });

  it("treats `deno file.ts` as run and stops at the file", () => {
    assert.deepEqual(flagsFromArgv(["deno", "app.ts", "-A"]), []);
    assert.deepEqual(
      flagsFromArgv(["deno", "--allow-read", "app.ts", "--allow-net"]),
      ["--allow-read"],
    );
  });
});

describe("denoChildFlags()", () => {
  const script = new URL("./_child_flags.ts", import.meta.url).pathname;
  const cases: [string[], string[]][] = [
    [["--allow-read=/tmp", "--allow-write=/tmp"], [
      "--allow-read=/tmp",
      "--allow-write=/tmp",
      "--no-prompt",
    ]],
    [["--allow-env", "--allow-run=deno", "--allow-import=127.0.0.1:1"], [
      "--allow-env",
      "--allow-import=127.0.0.1:1",
      "--no-prompt",
    ]],
    [["-A", "--cached-only"], [
      "--no-check",
      "-A",
      "--cached-only",
      "--no-prompt",
    ]],
  ];
  for (const [parent, child] of cases) {
    it(`gives a child of \`deno run ${parent.join(" ")}\` ${child.join(" ")}`, {
      skip: runtime !== "deno",
    }, async () => {
      const r = await output(
        [execPath(), "run", "--no-check", ...parent, script],
        { stdout: "pipe", stderr: "pipe" },
      );
      const err = new TextDecoder().decode(r.stderr ?? undefined);
      assert.equal(r.status.code, 0, err);
      assert.deepEqual(
        JSON.parse(new TextDecoder().decode(r.stdout ?? undefined)),
        child,
      );
    });
  }
});
