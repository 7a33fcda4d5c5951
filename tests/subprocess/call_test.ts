import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  call,
  CalledProcessError,
  callSync,
  checkCall,
  checkCallSync,
  DEVNULL,
  TimeoutExpired,
} from "../../subprocess/mod.ts";
import { FileNotFoundError, ValueError } from "../../mod.ts";
import { assertNoLeaks } from "../_leaks.ts";
import { noZombies, sh } from "./_util.ts";

describe("call", () => {
  it("call() resolves to the returncode", async () => {
    assert.equal(await call(["true"]), 0);
    assert.equal(await call(sh("exit 5")), 5);
    assert.equal(await call(sh("kill -TERM $$")), -15);
    assert.equal(await call("exit 6", { shell: true }), 6);
    assert.equal(await call(["ls", "/"], { stdout: DEVNULL }), 0);
  });

  it("call() timeout kills the child and throws TimeoutExpired", async () => {
    await assert.rejects(
      call(["sleep", "10"], { timeout: 0.2 }),
      (e: Error) =>
        e instanceof TimeoutExpired &&
        e.message === "Command '['sleep', '10']' timed out after 0.2 seconds" &&
        e.output === null,
    );
    assert.ok(await noZombies());
    await assert.rejects(call(["true"], { timeout: -1 }), ValueError);
    await assert.rejects(call(["no-such-program-xyz"]), FileNotFoundError);
    await assert.rejects(call(["true"], { input: "x" } as never), TypeError);
  });

  it("callSync() returns the returncode and honours timeouts", () => {
    assert.equal(callSync(["true"]), 0);
    assert.equal(callSync(sh("exit 9")), 9);
    assert.throws(
      () => callSync(["sleep", "10"], { timeout: 0.2 }),
      (e: Error) =>
        e instanceof TimeoutExpired &&
        e.message === "Command '['sleep', '10']' timed out after 0.2 seconds",
    );
  });

  it("checkCall() resolves to 0 or throws CalledProcessError", async () => {
    assert.equal(await checkCall(["true"]), 0);
    await assert.rejects(checkCall(sh("exit 4")), (e: Error) => {
      assert.ok(e instanceof CalledProcessError);
      assert.equal(
        e.message,
        "Command '['sh', '-c', 'exit 4']' returned non-zero exit status 4.",
      );
      assert.equal(e.returncode, 4);
      assert.equal(e.output, null);
      return true;
    });
    await assert.rejects(
      checkCall(["sleep", "10"], { timeout: 0.1 }),
      TimeoutExpired,
    );
  });

  it("checkCallSync() returns 0 or throws CalledProcessError", () => {
    assert.equal(checkCallSync(["true"]), 0);
    assert.throws(
      () => checkCallSync(["false"]),
      (e: Error) =>
        e instanceof CalledProcessError &&
        e.message === "Command '['false']' returned non-zero exit status 1.",
    );
  });
});

after(() => assertNoLeaks());
