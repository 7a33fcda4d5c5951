import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  decode,
  encode,
  errorToRecord,
  recordToError,
} from "../../_internal/share/codec.ts";
import {
  Condition,
  Event,
  Lock,
  RLock,
  Semaphore,
} from "../../threading/mod.ts";
import { FileNotFoundError, RuntimeError, ValueError } from "../../mod.ts";
import { toTargetSpec } from "../../_internal/share/target.ts";
import { assertNoLeaks } from "../_leaks.ts";
import { runScript } from "../_script.ts";

describe("codec", () => {
  it("encode() leaves values without shareables untouched", () => {
    const value = { a: [1, 2], m: new Map([[1, { b: 2 }]]) };
    const e = encode(value);
    assert.equal(e.shared, false);
    assert.equal(e.value, value);
  });

  it("shareables round-trip at any depth in arrays, objects, Maps and Sets", async () => {
    const lock = new Lock();
    const ev = new Event();
    const value = [
      { deep: { lock } },
      new Map([["e", ev]]),
      new Set([lock]),
      5,
    ];
    const e = encode(value);
    assert.equal(e.shared, true);
    const back = await decode(structuredClone(e)) as [
      { deep: { lock: Lock } },
      Map<string, Event>,
      Set<Lock>,
      number,
    ];
    // In the same thread the original handle comes back.
    assert.equal(back[0].deep.lock, lock);
    assert.equal(back[1].get("e"), ev);
    assert.equal([...back[2]][0], lock);
    assert.equal(back[3], 5);
  });

  it("a Condition carries its lock along", async () => {
    const rlock = new RLock();
    const cond = new Condition(rlock);
    const sem = new Semaphore(3);
    const back = await decode(structuredClone(encode([cond, sem]))) as [
      Condition,
      Semaphore,
    ];
    assert.equal(back[0], cond);
    assert.equal(back[1].value, 3);
  });

  it("errors keep class, message, stack, cause and properties", () => {
    const err = new FileNotFoundError(
      "[Errno 2] No such file or directory: 'x'",
      { cause: new RangeError("inner") },
    );
    err.filename = "x";
    const back = recordToError(
      structuredClone(errorToRecord(err)),
    ) as FileNotFoundError;
    assert.ok(back instanceof FileNotFoundError);
    assert.equal(back.name, "FileNotFoundError");
    assert.equal(back.message, err.message);
    assert.equal(back.stack, err.stack);
    assert.equal(back.filename, "x");
    assert.equal(back.errno, 2);
    assert.ok(back.cause instanceof RangeError);
    for (const cls of [ValueError, RuntimeError, TypeError, Error]) {
      assert.ok(recordToError(errorToRecord(new cls("m"))) instanceof cls);
    }
  });

  it("non-Error throws survive as values", () => {
    assert.equal(recordToError(errorToRecord(42)), 42);
    assert.deepEqual(recordToError(errorToRecord({ a: 1 })), { a: 1 });
    assert.equal(typeof recordToError(errorToRecord(() => 1)), "string");
  });

  it("handles that were garbage-collected are forgotten", () => {
    const url = new URL("../../threading/mod.ts", import.meta.url).href;
    const codec =
      new URL("../../_internal/share/codec.ts", import.meta.url).href;
    const r = runScript(
      `
      import { Lock } from "${url}";
      import { _rememberedHandles } from "${codec}";
      const gc = globalThis.Bun ? () => globalThis.Bun.gc(true) : globalThis.gc;
      const before = _rememberedHandles();
      (() => { for (let i = 0; i < 5000; i++) new Lock(); })();
      const made = _rememberedHandles() - before;
      for (let i = 0; i < 10 && _rememberedHandles() - before > 100; i++) {
        gc();
        await new Promise((r) => setTimeout(r, 20));
      }
      console.log("made", made, "left", _rememberedHandles() - before);
    `,
      20_000,
      ["--v8-flags=--expose-gc"],
    );
    assert.equal(r.code, 0, r.out);
    const [, made, left] = r.out.match(/made (\d+) left (\d+)/)!.map(Number);
    assert.equal(made, 5000);
    assert.ok(left <= 100, `${left} dead handles still remembered`);
  });

  it("toTargetSpec() accepts functions, methods and module references", () => {
    assert.equal(toTargetSpec(function f() {}).kind, "fn");
    const obj = {
      run(x: number) {
        return x;
      },
    };
    assert.equal(toTargetSpec(obj.run).kind, "fn");
    const spec = toTargetSpec({ module: "/x.ts" });
    assert.equal(spec.kind, "module");
    assert.ok(
      spec.kind === "module" && spec.url === "file:///x.ts" &&
        spec.name === "default",
    );
    // A relative specifier is refused: a worker cannot resolve it as the caller would.
    assert.throws(
      () => toTargetSpec({ module: "./x.ts" }),
      { name: "TypeError", message: /import\.meta\.resolve\("\.\/x\.ts"\)/ },
    );
    assert.throws(() => toTargetSpec(null), TypeError);
  });
});

after(() => assertNoLeaks());
