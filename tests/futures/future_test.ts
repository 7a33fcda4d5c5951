import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  CancelledError,
  Future,
  InvalidStateError,
  TimeoutError,
} from "../../futures/mod.ts";
import { RuntimeError, ValueError } from "../../mod.ts";
import { assertNoLeaks } from "../_leaks.ts";

function states(f: Future<unknown>): string {
  return [
    f.cancelled() ? "cancelled" : "",
    f.running() ? "running" : "",
    f.done() ? "done" : "",
  ].filter(Boolean).join(",");
}

describe("Future", () => {
  it("Future starts pending: not cancelled, not running, not done", () => {
    const f = new Future();
    assert.equal(states(f), "");
    assert.match(String(f), /^<Future at 0x[0-9a-f]+ state=pending>$/);
  });

  it("Future.setRunningOrNotifyCancel() moves pending to running", () => {
    const f = new Future();
    assert.equal(f.setRunningOrNotifyCancel(), true);
    assert.equal(states(f), "running");
    assert.match(String(f), /state=running>$/);
  });

  it("Future.setRunningOrNotifyCancel() returns false for a cancelled future", () => {
    const f = new Future();
    assert.equal(f.cancel(), true);
    assert.equal(f.setRunningOrNotifyCancel(), false);
    assert.equal(states(f), "cancelled,done");
  });

  it("Future.setRunningOrNotifyCancel() throws RuntimeError when running or finished", () => {
    const f = new Future();
    f.setRunningOrNotifyCancel();
    const log = console.error;
    console.error = () => {};
    try {
      assert.throws(() => f.setRunningOrNotifyCancel(), (e: unknown) => {
        assert.ok(e instanceof RuntimeError);
        assert.equal((e as Error).message, "Future in unexpected state");
        return true;
      });
      f.setResult(1);
      assert.throws(() => f.setRunningOrNotifyCancel(), RuntimeError);
    } finally {
      console.error = log;
    }
  });

  it("Future.setResult() finishes the future; result() resolves to it", async () => {
    const f = new Future<number>();
    f.setRunningOrNotifyCancel();
    f.setResult(42);
    assert.equal(states(f), "done");
    assert.equal(await f.result(), 42);
    assert.equal(await f.result(0), 42);
    assert.equal(await f.exception(), null);
    assert.equal(f.resultSync(), 42);
    assert.equal(f.exceptionSync(), null);
    assert.match(String(f), /state=finished returned number>$/);
  });

  it("Future.setResult() works on a pending future too", async () => {
    const f = new Future<string>();
    f.setResult("x");
    assert.equal(await f, "x");
  });

  it("Future.setException() finishes the future; result() throws it", async () => {
    const f = new Future<number>();
    const err = new ValueError("bad");
    f.setException(err);
    assert.equal(states(f), "done");
    await assert.rejects(f.result(), (e) => e === err);
    assert.equal(await f.exception(), err);
    assert.throws(() => f.resultSync(), (e) => e === err);
    assert.match(String(f), /state=finished raised ValueError>$/);
  });

  it("Future.setException() keeps non-Error values, even falsy ones", async () => {
    const f = new Future();
    f.setException(0);
    await assert.rejects(f.result(), (e) => e === 0);
    assert.equal(await f.exception(), 0);
  });

  it("Future.setResult() and setException() throw InvalidStateError once finished", () => {
    const f = new Future<number>();
    f.setResult(1);
    assert.throws(() => f.setResult(2), (e: unknown) => {
      assert.ok(e instanceof InvalidStateError);
      assert.match(
        (e as Error).message,
        /^FINISHED: <Future at 0x[0-9a-f]+ state=finished returned number>$/,
      );
      return true;
    });
    assert.throws(() => f.setException(new Error()), InvalidStateError);
  });

  it("Future.setResult() throws InvalidStateError once cancelled", () => {
    const f = new Future<number>();
    f.cancel();
    assert.throws(() => f.setResult(1), (e: unknown) => {
      assert.ok(e instanceof InvalidStateError);
      assert.match(
        (e as Error).message,
        /^CANCELLED: <Future .*state=cancelled>$/,
      );
      return true;
    });
    f.setRunningOrNotifyCancel();
    assert.throws(
      () => f.setException(new Error()),
      /^InvalidStateError: CANCELLED_AND_NOTIFIED: /,
    );
  });

  it("Future.cancel() cancels a pending future, once", async () => {
    const f = new Future();
    let calls = 0;
    f.addDoneCallback(() => calls++);
    assert.equal(f.cancel(), true);
    assert.equal(f.cancel(), true);
    assert.equal(calls, 1);
    assert.equal(states(f), "cancelled,done");
    await assert.rejects(f.result(), CancelledError);
    await assert.rejects(f.exception(), CancelledError);
    assert.throws(() => f.resultSync(), CancelledError);
    assert.throws(() => f.exceptionSync(), CancelledError);
    await assert.rejects(Promise.resolve(f), CancelledError);
  });

  it("Future.cancel() returns false when running or finished", () => {
    const running = new Future();
    running.setRunningOrNotifyCancel();
    assert.equal(running.cancel(), false);
    assert.equal(running.cancelled(), false);
    const finished = new Future();
    finished.setResult(1);
    assert.equal(finished.cancel(), false);
  });

  it("Future.result(timeout) throws TimeoutError when not done in time", async () => {
    const f = new Future();
    const t0 = performance.now();
    await assert.rejects(f.result(0.05), TimeoutError);
    assert.ok(performance.now() - t0 >= 45);
    await assert.rejects(f.exception(0), TimeoutError);
    await assert.rejects(f.result(0), TimeoutError);
  });

  it("Future.result() waits for a result set later", async () => {
    const f = new Future<string>();
    setTimeout(() => f.setResult("late"), 20);
    assert.equal(await f.result(5), "late");
  });

  it("Future.exception() waits for an exception set later", async () => {
    const f = new Future<string>();
    const err = new TypeError("t");
    setTimeout(() => f.setException(err), 10);
    assert.equal(await f.exception(), err);
  });

  it("Future.result() rejects a negative timeout with ValueError", async () => {
    const f = new Future();
    await assert.rejects(f.result(-1), ValueError);
    await assert.rejects(f.exception(-1), ValueError);
    assert.throws(() => f.resultSync(-1), ValueError);
  });

  it("Future.result() of a future cancelled while waiting throws CancelledError", async () => {
    const f = new Future();
    setTimeout(() => f.cancel(), 10);
    await assert.rejects(f.result(), CancelledError);
  });

  it("Future.resultSync() throws RuntimeError for a future that is not done", () => {
    const f = new Future();
    assert.throws(() => f.resultSync(1), RuntimeError);
  });

  it("Future.addDoneCallback() runs callbacks once, in order, with the future", () => {
    const f = new Future<number>();
    const seen: string[] = [];
    f.addDoneCallback((x) => seen.push(`a${x === f}`));
    f.addDoneCallback(() => seen.push("b"));
    assert.equal(seen.length, 0);
    f.setResult(1);
    assert.deepEqual(seen, ["atrue", "b"]);
    f.addDoneCallback(() => seen.push("c"));
    assert.deepEqual(seen, ["atrue", "b", "c"]);
  });

  it("Future.addDoneCallback() logs a throwing callback and runs the rest", () => {
    const f = new Future();
    const logged: unknown[][] = [];
    const log = console.error;
    console.error = (...a: unknown[]) => logged.push(a);
    let ran = false;
    try {
      f.addDoneCallback(() => {
        throw new Error("cb failed");
      });
      f.addDoneCallback(() => ran = true);
      f.setException(new Error("x"));
      f.addDoneCallback(() => {
        throw new Error("late cb failed");
      });
    } finally {
      console.error = log;
    }
    assert.equal(ran, true);
    assert.equal(logged.length, 2);
    assert.match(
      String(logged[0][0]),
      /^exception calling callback for <Future/,
    );
  });

  it("Future.addDoneCallback() needs a function", () => {
    assert.throws(
      () => new Future().addDoneCallback(1 as never),
      TypeError,
    );
  });

  it("Future.then() makes the future awaitable", async () => {
    const ok = new Future<number>();
    const bad = new Future<number>();
    setTimeout(() => {
      ok.setResult(7);
      bad.setException(new RangeError("r"));
    }, 5);
    assert.equal(await ok, 7);
    await assert.rejects(async () => await bad, RangeError);
    assert.equal(await ok.then((v) => v * 2), 14);
    assert.equal(await bad.then(null, (e) => (e as Error).message), "r");
    assert.deepEqual(await Promise.all([ok, ok]), [7, 7]);
  });
});

after(() => assertNoLeaks());
