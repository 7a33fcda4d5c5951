import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  local,
  setExcepthook,
  Thread,
  TIMEOUT_MAX,
  Timer,
} from "../../threading/mod.ts";
import { RuntimeError, ValueError } from "../../mod.ts";
import { liveResources } from "../../_internal/runtime/resources.ts";
import { assertNoLeaks } from "../_leaks.ts";
import { sharedInts, sleep } from "./_util.ts";

describe("Timer", () => {
  it("Timer calls the function with its args after the interval", async () => {
    const calls: unknown[][] = [];
    const t = new Timer(0.03, (...a: unknown[]) => calls.push(a), [1, "two"]);
    const t0 = performance.now();
    t.start();
    assert.equal(t.isAlive(), true);
    await t.join();
    assert.ok(performance.now() - t0 >= 25);
    assert.deepEqual(calls, [[1, "two"]]);
    assert.equal(t.isAlive(), false);
    assert.equal(t.finished.isSet(), true);
  });

  it("Timer.cancel() before it fires stops it and frees its timer", async () => {
    let fired = false;
    const t = new Timer(0.05, () => fired = true);
    t.start();
    assert.equal(liveResources().filter((r) => r.kind === "timer").length, 1);
    t.cancel();
    assert.equal(liveResources().filter((r) => r.kind === "timer").length, 0);
    await t.join(1);
    await sleep(80);
    assert.equal(fired, false);
    assert.equal(t.isAlive(), false);
  });

  it("Timer errors go to excepthook", async () => {
    const seen: unknown[] = [];
    const prev = setExcepthook((a) => seen.push(a.excValue));
    try {
      const t = new Timer(0, () => {
        throw new ValueError("late");
      });
      t.start();
      await t.join();
    } finally {
      setExcepthook(prev);
    }
    assert.equal(seen.length, 1);
    assert.ok(seen[0] instanceof ValueError);
  });

  it("Timer rejects bad arguments and a second start", async () => {
    assert.throws(() => new Timer(-1, () => {}), ValueError);
    assert.throws(() => new Timer(1, 42 as never), TypeError);
    const t = new Timer(0, () => {});
    await assert.rejects(t.join(), RuntimeError);
    t.start();
    assert.throws(() => t.start(), RuntimeError);
    assert.throws(() => (t.daemon = true), RuntimeError);
    await t.join();
  });
});

describe("local", () => {
  it("local attributes are per thread: a thread sees a fresh local", async () => {
    const data = new local() as local & { x?: number };
    data.x = 1;
    const out = sharedInts(1);
    const t = new Thread({
      target: (d: { x?: number }, out: Int32Array) => {
        out[0] = d.x === undefined ? 1 : 2;
        d.x = 99;
      },
      args: [data, out],
    });
    t.start();
    await t.join();
    assert.equal(out[0], 1);
    assert.equal(data.x, 1);
  });
});

describe("TIMEOUT_MAX", () => {
  it("TIMEOUT_MAX matches CPython on 64-bit Linux and bounds timeouts", async () => {
    assert.equal(TIMEOUT_MAX, 9223372036.0);
    const { Event, OverflowError } = await import("../../threading/mod.ts");
    assert.throws(() => new Event().waitSync(TIMEOUT_MAX * 2), OverflowError);
  });
});

after(() => assertNoLeaks());
