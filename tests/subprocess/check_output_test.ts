import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  CalledProcessError,
  checkOutput,
  checkOutputSync,
  PIPE,
  STDOUT,
  TimeoutExpired,
} from "../../subprocess/mod.ts";
import { FileNotFoundError, ValueError } from "../../mod.ts";
import { assertNoLeaks } from "../_leaks.ts";
import { sh, td } from "./_util.ts";

describe("checkOutput", () => {
  it("checkOutput() resolves to stdout as bytes or text", async () => {
    const b = await checkOutput(["echo", "hi"]);
    assert.ok(b instanceof Uint8Array);
    assert.equal(td.decode(b), "hi\n");
    assert.equal(await checkOutput(["echo", "hi"], { text: true }), "hi\n");
    assert.equal(
      await checkOutput(["cat"], { input: "piped", text: true }),
      "piped",
    );
    assert.equal(
      await checkOutput(sh("echo a; echo b >&2"), {
        stderr: STDOUT,
        text: true,
      }),
      "a\nb\n",
    );
  });

  it("checkOutput() throws CalledProcessError carrying the output", async () => {
    await assert.rejects(
      checkOutput(sh("echo partial; exit 2"), { text: true }),
      (e: Error) => {
        assert.ok(e instanceof CalledProcessError);
        assert.equal(e.returncode, 2);
        assert.equal(e.output, "partial\n");
        assert.equal(e.stdout, "partial\n");
        assert.equal(e.stderr, null);
        return true;
      },
    );
  });

  it("checkOutput() refuses a stdout option, as Python does", async () => {
    await assert.rejects(
      checkOutput(["true"], { stdout: PIPE } as never),
      (e: Error) =>
        e instanceof ValueError &&
        e.message === "stdout argument not allowed, it will be overridden.",
    );
    await assert.rejects(
      checkOutput(["true"], { check: false } as never),
      TypeError,
    );
  });

  it("checkOutput() times out and reports missing programs", async () => {
    await assert.rejects(
      checkOutput(sh("echo so-far; exec sleep 10"), { timeout: 0.3 }),
      (e: Error) =>
        e instanceof TimeoutExpired &&
        td.decode(e.output as Uint8Array) === "so-far\n",
    );
    await assert.rejects(
      checkOutput(["no-such-program-xyz"]),
      FileNotFoundError,
    );
  });

  it("checkOutputSync() returns stdout and throws like checkOutput()", () => {
    assert.equal(checkOutputSync(["echo", "hi"], { text: true }), "hi\n");
    assert.equal(td.decode(checkOutputSync(["printf", "x"])), "x");
    assert.throws(
      () => checkOutputSync(["false"]),
      (e: Error) =>
        e instanceof CalledProcessError &&
        e.message === "Command '['false']' returned non-zero exit status 1.",
    );
    assert.throws(
      () => checkOutputSync(["sleep", "10"], { timeout: 0.2 }),
      TimeoutExpired,
    );
  });
});

after(() => assertNoLeaks());
