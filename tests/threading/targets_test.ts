// Targets written as if they ran where they were defined: a module that
// starts threads at its top level and is its own target, a function that
// uses its closure, relative module paths and imports.
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { Thread } from "../../threading/mod.ts";
import { ProcessPoolExecutor, ThreadPoolExecutor } from "../../futures/mod.ts";
import { Pool, Process } from "../../multiprocessing/mod.ts";
import { RuntimeError } from "../../mod.ts";
import { toTargetSpec } from "../../_internal/share/target.ts";
import { assertNoLeaks } from "../_leaks.ts";
import { runScript } from "../_script.ts";
import { captureThreadErrors, sharedInts } from "./_util.ts";

const selfThread = new URL("./_self_thread.ts", import.meta.url);
const selfPool = new URL("./_self_pool.ts", import.meta.url);
const selfProcess = new URL("./_self_process.ts", import.meta.url);
const guarded = new URL("./_guarded_target.ts", import.meta.url);
const threadingUrl = new URL("../../threading/mod.ts", import.meta.url).href;

/** Whether `err` is the bootstrapping RuntimeError for a `kind` started while importing `module`. */
function isBootstrapError(
  err: unknown,
  kind: "thread" | "process",
  current: "thread" | "process",
  module: URL,
): boolean {
  assert.ok(err instanceof RuntimeError, String(err));
  assert.ok(
    err.message.startsWith(
      `An attempt has been made to start a new ${kind} before the current ` +
        `${current} has finished importing its target module ${module.href}.`,
    ),
    err.message,
  );
  assert.match(
    err.message,
    /Guard the program's top level with `if \(import\.meta\.main\)`/,
  );
  assert.ok(err.message.includes("    if (import.meta.main) {\n"));
  return true;
}

async function rejection(p: PromiseLike<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  assert.fail("expected a rejection");
}

const HINT = (name: string) =>
  `${name} is not defined (function targets run from their source, without ` +
  `the variables around them: pass ${name} as an argument, or use a ` +
  "{ module, name } target)";

describe("a module that is its own target", () => {
  it("Thread.start() at its top level in the thread throws RuntimeError naming import.meta.main", async () => {
    const seen = await captureThreadErrors(async () => {
      const t = new Thread({ target: { module: selfThread, name: "work" } });
      t.start();
      await t.join();
    });
    assert.equal(seen.length, 1);
    assert.ok(
      isBootstrapError(seen[0].excValue, "thread", "thread", selfThread),
    );
  });

  it("ThreadPoolExecutor.submit() at its top level in a pool worker fails the task with RuntimeError", async () => {
    await using ex = new ThreadPoolExecutor({ maxWorkers: 1 });
    const err = await rejection(
      ex.submit({ module: selfPool, name: "double" }, 1),
    );
    assert.ok(isBootstrapError(err, "thread", "thread", selfPool));
    // The import is over: the same worker starts threads from a task.
    const out = sharedInts(1);
    await ex.submit({ module: guarded, name: "startNested" }, out);
    assert.equal(out[0], 7);
  });

  it("Process.start() at its top level in a pool child fails the task with RuntimeError", async () => {
    await using ex = new ProcessPoolExecutor({ maxWorkers: 1 });
    const err = await rejection(
      ex.submit({ module: selfProcess, name: "work" }),
    );
    assert.ok(isBootstrapError(err, "process", "process", selfProcess));
  });

  it("Process.start() at its top level in a Process child ends it with exit code 1", async () => {
    const p = new Process({ target: { module: selfProcess, name: "work" } });
    await p.start();
    await p.join();
    assert.equal(p.exitcode, 1);
  });

  it("a program that starts a thread on itself unguarded ends with the RuntimeError reported", () => {
    const r = runScript(`
      import { Thread } from "${threadingUrl}";
      export function work() {}
      const t = new Thread({ target: { module: import.meta.url, name: "work" } });
      t.start();
      await t.join();
      console.log("joined");
    `);
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /joined/);
    assert.match(
      r.out,
      /Exception in thread Thread-1 \(work\):\nRuntimeError: An attempt has been made to start a new thread before the current thread has finished importing its target module file:/,
    );
    assert.match(r.out, /if \(import\.meta\.main\) \{/);
  });

  it("import.meta.main is false where the library imports a target, so the guard works", async () => {
    await using tp = new ThreadPoolExecutor({ maxWorkers: 1 });
    assert.equal(await tp.submit({ module: guarded, name: "isMain" }), false);
    await using pp = new ProcessPoolExecutor({ maxWorkers: 1 });
    assert.equal(await pp.submit({ module: guarded, name: "isMain" }), false);
    const seen = await captureThreadErrors(async () => {
      const t = new Thread({ target: { module: guarded, name: "isMain" } });
      t.start();
      await t.join();
    });
    assert.deepEqual(seen, []);
  });
});

describe("function targets", () => {
  it("ThreadPoolExecutor.submit() of a closure fails with a ReferenceError that says why", async () => {
    // Not a literal: Bun's transpiler would inline a constant one.
    const factor = Math.round(3.2);
    const scale = (n: number) => n * factor;
    await using ex = new ThreadPoolExecutor({ maxWorkers: 1 });
    const err = await rejection(ex.submit(scale, 2));
    assert.ok(err instanceof ReferenceError, String(err));
    assert.equal(err.message, HINT("factor"));
    // The stack names the function and this file, not the library's eval.
    const frame = err.stack!.split("\n")[1];
    assert.match(frame, /^\s+at scale \(/);
    assert.ok(frame.includes(`${import.meta.url}:`), frame);
    assert.ok(frame.includes("#target=scale"), frame);
    assert.doesNotMatch(err.stack!, /evaluateFunction|_internal\/share/);
    assert.ok(err.stack!.startsWith(`ReferenceError: ${HINT("factor")}\n`));
  });

  it("Thread with a closure reports a ReferenceError that says why", async () => {
    const offset = Math.round(1.2);
    const seen = await captureThreadErrors(async () => {
      const t = new Thread({ target: (n: number) => n + offset, args: [1] });
      t.start();
      await t.join();
    });
    assert.equal(seen.length, 1);
    const err = seen[0].excValue as Error;
    assert.ok(err instanceof ReferenceError);
    assert.equal(err.message, HINT("offset"));
    assert.ok(err.stack!.split("\n")[1].includes(import.meta.url), err.stack!);
  });

  it("ProcessPoolExecutor.submit() of a closure fails with a ReferenceError that says why", async () => {
    const limit = Math.round(10.2);
    await using ex = new ProcessPoolExecutor({ maxWorkers: 1 });
    const err = await rejection(
      ex.submit(function capped(n: number) {
        return Math.min(n, limit);
      }, 20),
    );
    assert.ok(err instanceof ReferenceError, String(err));
    assert.equal(err.message, HINT("limit"));
    assert.match(err.stack!.split("\n")[1], /^\s+at capped \(/);
  });

  it("Process with a closure prints a ReferenceError that says why", () => {
    const r = runScript(`
      import { Process } from "${
      new URL("../../multiprocessing/mod.ts", import.meta.url).href
    }";
      const base = Math.round(2.2);
      const p = new Process({ target: (n: number) => n ** base, args: [3] });
      await p.start();
      await p.join();
      console.log("exitcode", p.exitcode);
    `);
    assert.match(r.out, /exitcode 1/);
    assert.ok(r.out.includes(`ReferenceError: ${HINT("base")}`), r.out);
  });

  it("a ReferenceError a module target throws itself is left as it is", async () => {
    await using ex = new ThreadPoolExecutor({ maxWorkers: 1 });
    const err = await rejection(
      ex.submit({ module: guarded, name: "ownReferenceError" }),
    );
    assert.ok(err instanceof ReferenceError);
    assert.equal((err as Error).message, "missing is not defined");
  });
});

describe("relative module targets and imports", () => {
  const relative =
    'target.module "./_self_thread.ts" is a relative specifier, which a ' +
    "worker cannot resolve as your module would: pass " +
    'import.meta.resolve("./_self_thread.ts") (or a URL, or an absolute ' +
    "path) instead";

  it("toTargetSpec() refuses a relative module specifier and takes an absolute path", () => {
    assert.throws(
      () => toTargetSpec({ module: "./_self_thread.ts", name: "work" }),
      { name: "TypeError", message: relative },
    );
    assert.throws(() => toTargetSpec({ module: "../x.ts" }), TypeError);
    assert.throws(() => toTargetSpec({ module: "lib/x.ts" }), TypeError);
    const spec = toTargetSpec({ module: "/abs/x.ts" });
    assert.ok(spec.kind === "module" && spec.url === "file:///abs/x.ts");
  });

  it("Thread, submit() and Process refuse a relative module at once, in the caller", async () => {
    const target = { module: "./_self_thread.ts", name: "work" };
    assert.throws(() => new Thread({ target }), { message: relative });
    await using ex = new ThreadPoolExecutor({ maxWorkers: 1 });
    assert.throws(() => ex.submit(target), { message: relative });
    assert.throws(() => new Process({ target }), { message: relative });
    await using pool = new Pool(1);
    await assert.rejects(pool.apply(target), { message: /relative specifier/ });
    // The resolved form works.
    await ex.submit({
      module: import.meta.resolve("./_self_thread.ts"),
      name: "work",
    }).then(
      () => assert.fail("the module starts a thread at its top level"),
      (err) => assert.ok(err instanceof RuntimeError),
    );
  });

  it("a function target that imports a relative path is refused in the caller", async () => {
    const f = async () => await import("./_guarded_target.ts");
    const message = "target is a function with a relative import, " +
      'import("./_guarded_target.ts"), which cannot work: a function ' +
      "target runs from its source inside the library, not in your " +
      "module. Resolve the path in the caller with " +
      'import.meta.resolve("./_guarded_target.ts") and pass the URL as an ' +
      "argument, or use a { module, name } target";
    assert.throws(() => new Thread({ target: f }), {
      name: "TypeError",
      message,
    });
    await using ex = new ThreadPoolExecutor({ maxWorkers: 1 });
    assert.throws(() => ex.submit(f), { name: "TypeError", message });
    assert.throws(
      () => new Thread({ target: () => import.meta.url }),
      { name: "TypeError", message: /uses import\.meta/ },
    );
  });

  it("a computed relative import() in a function target fails saying why", async () => {
    await using ex = new ThreadPoolExecutor({ maxWorkers: 1 });
    const err = await rejection(
      ex.submit(async (path: string) => await import(path), "./no_such.ts"),
    );
    assert.match(
      (err as Error).message,
      /\(a function target runs from its source inside the library, so a relative import\(\) in it cannot find your module: resolve the path in the caller with import\.meta\.resolve\("\.\/no_such\.ts"\) and pass the URL as an argument, or use a \{ module, name \} target\)$/,
    );
    // What the message proposes works.
    const url = import.meta.resolve("./_guarded_target.ts");
    assert.equal(
      await ex.submit(
        async (u: string) => typeof (await import(u)).isMain,
        url,
      ),
      "function",
    );
  });
});

after(() => assertNoLeaks());
