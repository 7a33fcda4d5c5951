import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  DataCloneError,
  futures,
  multiprocessing,
  queue,
  threading,
} from "../../mod.ts";
import { assertNoLeaks } from "../_leaks.ts";

const FN =
  "could not be cloned: a function cannot be sent to another thread; pass a { module, name } target or the data it needs";
const FN_PROCESS =
  "could not be cloned: a function cannot be sent to another process; pass a { module, name } target or the data it needs";

/** The one message both runtimes give, as a DataCloneError that is a TypeError. */
function cloneError(message: string) {
  return (err: unknown) => {
    assert.ok(err instanceof DataCloneError, `not a DataCloneError: ${err}`);
    assert.ok(err instanceof TypeError);
    assert.equal(err.name, "DataCloneError");
    assert.equal(err.message, message);
    return true;
  };
}

describe("uncloneable arguments", () => {
  after(() => assertNoLeaks());

  it("Thread.start() names the argument path of a function and a symbol", () => {
    const t = new threading.Thread({
      target: () => {},
      args: [1, { callbacks: [() => 1] }],
    });
    assert.throws(
      () => t.start(),
      cloneError(`args[1].callbacks[0] (anonymous function) ${FN}`),
    );
    function onDone() {}
    const named = new threading.Thread({
      target: () => {},
      args: [new Map([["k", { onDone }]])],
    });
    assert.throws(
      () => named.start(),
      cloneError(`args[0].get("k").onDone (function onDone) ${FN}`),
    );
    const sym = new threading.Thread({
      target: () => {},
      args: [{ tag: Symbol("t") }],
    });
    assert.throws(
      () => sym.start(),
      cloneError(
        "args[0].tag (Symbol(t)) could not be cloned: a symbol cannot be sent to another thread; send a string instead",
      ),
    );
    // Nothing was started: the thread can still be started with good args.
    assert.equal(t.isAlive(), false);
  });

  it("ThreadPoolExecutor.submit() throws at submit time, naming the argument", async () => {
    await using ex = new futures.ThreadPoolExecutor({ maxWorkers: 1 });
    assert.throws(
      () =>
        ex.submit((_a: unknown, b: unknown) => b, 1, { callbacks: [() => 1] }),
      cloneError(`args[1].callbacks[0] (anonymous function) ${FN}`),
    );
    assert.throws(
      () => ex.submit((a: unknown) => a, Symbol("s")),
      cloneError(
        "args[0] (Symbol(s)) could not be cloned: a symbol cannot be sent to another thread; send a string instead",
      ),
    );
    assert.throws(
      () => ex.submit((a: unknown) => a, [Promise.resolve(1)]),
      cloneError(
        "args[0][0] (Promise) could not be cloned: a Promise cannot be sent to another thread; await it and send its value",
      ),
    );
    class Holder {
      cb = () => 2;
    }
    assert.throws(
      () => ex.submit((a: unknown) => a, new Holder()),
      cloneError(`args[0].cb (function cb) ${FN}`),
    );
    // The pool still works.
    assert.equal(await ex.submit((a: number) => a + 1, 1), 2);
  });

  it("a pool task's result that cannot be cloned fails its future with DataCloneError", async () => {
    await using ex = new futures.ThreadPoolExecutor({ maxWorkers: 1 });
    const err = await ex.submit(() => ({ f: [() => 3] })).exception();
    cloneError(
      "result.f[0] (anonymous function) could not be cloned: a function cannot be sent to the caller; send the data it needs instead",
    )(err);
  });

  it("ProcessPoolExecutor.submit() and Process.start() say 'another process'", async () => {
    await using ex = new futures.ProcessPoolExecutor({ maxWorkers: 1 });
    assert.throws(
      () =>
        ex.submit((_a: unknown, b: unknown) => b, 1, { callbacks: [() => 1] }),
      cloneError(`args[1].callbacks[0] (anonymous function) ${FN_PROCESS}`),
    );
    const p = new multiprocessing.Process({
      target: () => {},
      args: [[1, 2, () => 1]],
    });
    assert.throws(
      () => p.start(),
      cloneError(`args[0][2] (anonymous function) ${FN_PROCESS}`),
    );
    await using pool = new multiprocessing.Pool(1);
    assert.throws(
      () => pool.applyAsync((a: unknown) => a, [{ x: Symbol("y") }]),
      cloneError(
        "args[0].x (Symbol(y)) could not be cloned: a symbol cannot be sent to another process; send a string instead",
      ),
    );
  });

  it("queue.Queue.put() names the path inside the item", async () => {
    const q = new queue.Queue<unknown>();
    const item =
      "could not be cloned: a function cannot be sent to another thread; send the data it needs instead";
    assert.throws(
      () => q.putNowait(() => 1),
      cloneError(`item (anonymous function) ${item}`),
    );
    assert.throws(
      () => q.putNowait({ a: [1, () => 1] }),
      cloneError(`item.a[1] (anonymous function) ${item}`),
    );
    await assert.rejects(
      q.put(new Set([Symbol("s")])),
      cloneError(
        "[...item][0] (Symbol(s)) could not be cloned: a symbol cannot be sent to another thread; send a string instead",
      ),
    );
    assert.equal(q.qsize(), 0);
  });

  it("multiprocessing Queue.put() and Connection.send() name the path inside the item", async () => {
    const q = new multiprocessing.Queue<unknown>();
    const [a, b] = multiprocessing.Pipe<unknown>();
    const item =
      "could not be cloned: a function cannot be sent to another process; send the data it needs instead";
    await assert.rejects(
      q.put({ jobs: [{ run: () => 1 }] }),
      cloneError(`item.jobs[0].run (function run) ${item}`),
    );
    await assert.rejects(
      a.send([() => 1]),
      cloneError(`message[0] (anonymous function) ${item}`),
    );
    assert.throws(
      () => a.sendSync(Symbol("s")),
      cloneError(
        "message (Symbol(s)) could not be cloned: a symbol cannot be sent to another process; send a string instead",
      ),
    );
    await a.send(1);
    assert.equal(await b.recv(), 1);
    a.close();
    b.close();
    q.close();
  });
});
