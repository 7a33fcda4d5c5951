import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  CalledProcessError,
  CompletedProcess,
  SubprocessError,
  TimeoutExpired,
} from "../../subprocess/mod.ts";
import { lookupError } from "../../_internal/core/errors.ts";
import { errorToRecord, recordToError } from "../../_internal/share/codec.ts";
import { assertNoLeaks } from "../_leaks.ts";
import { te } from "./_util.ts";

describe("errors", () => {
  it("CalledProcessError formats the command as Python does", () => {
    const e = new CalledProcessError(1, ["false"]);
    assert.ok(e instanceof SubprocessError && e instanceof Error);
    assert.equal(e.name, "CalledProcessError");
    assert.equal(
      e.message,
      "Command '['false']' returned non-zero exit status 1.",
    );
    assert.equal(
      new CalledProcessError(3, "exit 3").message,
      "Command 'exit 3' returned non-zero exit status 3.",
    );
    // Python's repr picks quotes and escapes per item.
    assert.equal(
      new CalledProcessError(2, ['a"b', "it's", "x\ny\\", "é\u0001\u200b"])
        .message,
      `Command '['a"b', "it's", 'x\\ny\\\\', 'é\\x01\\u200b']' returned non-zero exit status 2.`,
    );
  });

  it("CalledProcessError names the signal that killed the child", () => {
    assert.equal(
      new CalledProcessError(-9, ["sleep", "1"]).message,
      "Command '['sleep', '1']' died with <Signals.SIGKILL: 9>.",
    );
    assert.equal(
      new CalledProcessError(-64, "x").message,
      "Command 'x' died with <Signals.SIGRTMAX: 64>.",
    );
    assert.equal(
      new CalledProcessError(-40, "x").message,
      "Command 'x' died with unknown signal 40.",
    );
  });

  it("CalledProcessError carries output, stdout alias and stderr", () => {
    const e = new CalledProcessError(1, ["x"], "out", "err");
    assert.equal(e.output, "out");
    assert.equal(e.stdout, "out");
    e.stdout = "new";
    assert.equal(e.output, "new");
    assert.equal(e.stderr, "err");
  });

  it("TimeoutExpired formats seconds and carries partial output", () => {
    const e = new TimeoutExpired(["sleep", "1"], 0.5, te.encode("so far"));
    assert.ok(e instanceof SubprocessError);
    assert.equal(e.name, "TimeoutExpired");
    assert.equal(
      e.message,
      "Command '['sleep', '1']' timed out after 0.5 seconds",
    );
    assert.equal(e.timeout, 0.5);
    assert.deepEqual(e.stdout, te.encode("so far"));
    assert.equal(e.stderr, null);
    assert.equal(
      new TimeoutExpired("x", 2).message,
      "Command 'x' timed out after 2 seconds",
    );
  });

  it("the module's errors are registered to cross workers", () => {
    assert.equal(lookupError("SubprocessError"), SubprocessError);
    assert.equal(lookupError("CalledProcessError"), CalledProcessError);
    assert.equal(lookupError("TimeoutExpired"), TimeoutExpired);
  });

  it("CalledProcessError and TimeoutExpired survive the worker codec", () => {
    const e = new CalledProcessError(-9, ["sleep", "1"], "out", "err");
    const back = recordToError(
      structuredClone(errorToRecord(e)),
    ) as CalledProcessError;
    assert.ok(back instanceof CalledProcessError);
    assert.equal(back.message, e.message);
    assert.equal(back.returncode, -9);
    assert.deepEqual(back.cmd, ["sleep", "1"]);
    assert.equal(back.stdout, "out");
    assert.equal(back.stderr, "err");
    const t = recordToError(
      structuredClone(
        errorToRecord(new TimeoutExpired("x", 2, te.encode("o"))),
      ),
    ) as TimeoutExpired;
    assert.ok(t instanceof TimeoutExpired && t instanceof SubprocessError);
    assert.equal(t.timeout, 2);
    assert.deepEqual(t.output, te.encode("o"));
  });

  it("CompletedProcess.checkReturncode() and its Python repr", () => {
    const ok = new CompletedProcess(["a"], 0, te.encode("x"));
    ok.checkReturncode();
    assert.equal(
      String(ok),
      "CompletedProcess(args=['a'], returncode=0, stdout=b'x')",
    );
    assert.equal(
      String(new CompletedProcess("a b", 0)),
      "CompletedProcess(args='a b', returncode=0)",
    );
    assert.equal(
      String(
        new CompletedProcess<string | Uint8Array>(
          ["a"],
          0,
          te.encode("it's\n\x00"),
          "e",
        ),
      ),
      `CompletedProcess(args=['a'], returncode=0, stdout=b"it's\\n\\x00", stderr='e')`,
    );
    const bad = new CompletedProcess(["a"], 2, "o", "e");
    assert.throws(() => bad.checkReturncode(), (e: Error) => {
      assert.ok(e instanceof CalledProcessError);
      assert.equal(
        e.message,
        "Command '['a']' returned non-zero exit status 2.",
      );
      assert.equal(e.output, "o");
      assert.equal(e.stderr, "e");
      return true;
    });
  });
});

after(() => assertNoLeaks());
