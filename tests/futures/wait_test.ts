import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  ALL_COMPLETED,
  asCompleted,
  FIRST_COMPLETED,
  FIRST_EXCEPTION,
  Future,
  TimeoutError,
  wait,
} from "../../futures/mod.ts";
import { ValueError } from "../../mod.ts";
import { assertNoLeaks } from "../_leaks.ts";

function later<T>(f: Future<T>, ms: number, v: T): void {
  setTimeout(() => f.setResult(v), ms);
}

describe("wait", () => {
  it("wait() with ALL_COMPLETED resolves when every future is done", async () => {
    const a = new Future<number>();
    const b = new Future<number>();
    later(a, 5, 1);
    later(b, 15, 2);
    const { done, notDone } = await wait([a, b]);
    assert.deepEqual([...done].sort(), [a, b].sort());
    assert.equal(notDone.size, 0);
    const r = await wait([a, b], { returnWhen: ALL_COMPLETED });
    assert.equal(r.done.size, 2);
  });

  it("wait() with FIRST_COMPLETED resolves at the first done future", async () => {
    const a = new Future<number>();
    const b = new Future<number>();
    later(a, 5, 1);
    const { done, notDone } = await wait([a, b], {
      returnWhen: FIRST_COMPLETED,
    });
    assert.deepEqual([...done], [a]);
    assert.deepEqual([...notDone], [b]);
  });

  it("wait() with FIRST_COMPLETED counts a cancelled future as done", async () => {
    const a = new Future<number>();
    const b = new Future<number>();
    setTimeout(() => a.cancel(), 5);
    const { done } = await wait([a, b], { returnWhen: FIRST_COMPLETED });
    assert.deepEqual([...done], [a]);
  });

  it("wait() with FIRST_EXCEPTION resolves at the first failure", async () => {
    const ok = new Future<number>();
    const bad = new Future<number>();
    const slow = new Future<number>();
    later(ok, 2, 1);
    setTimeout(() => bad.setException(new Error("x")), 10);
    const { done, notDone } = await wait([ok, bad, slow], {
      returnWhen: FIRST_EXCEPTION,
    });
    assert.ok(done.has(ok) && done.has(bad));
    assert.deepEqual([...notDone], [slow]);
  });

  it("wait() with FIRST_EXCEPTION and no failure waits for all", async () => {
    const a = new Future<number>();
    const b = new Future<number>();
    later(a, 2, 1);
    later(b, 10, 2);
    const { done, notDone } = await wait([a, b], {
      returnWhen: FIRST_EXCEPTION,
    });
    assert.equal(done.size, 2);
    assert.equal(notDone.size, 0);
  });

  it("wait() returns at once when the condition already holds", async () => {
    const a = new Future<number>();
    a.setException(new Error("x"));
    const b = new Future<number>();
    const r = await wait([a, b], { returnWhen: FIRST_EXCEPTION });
    assert.deepEqual([...r.done], [a]);
    const r2 = await wait([], {});
    assert.equal(r2.done.size + r2.notDone.size, 0);
  });

  it("wait() with a timeout returns what is done, without throwing", async () => {
    const a = new Future<number>();
    const b = new Future<number>();
    later(a, 1, 1);
    const t0 = performance.now();
    const { done, notDone } = await wait([a, b], { timeout: 0.05 });
    assert.ok(performance.now() - t0 >= 45);
    assert.deepEqual([...done], [a]);
    assert.deepEqual([...notDone], [b]);
    const z = await wait([b], { timeout: 0 });
    assert.deepEqual([...z.notDone], [b]);
  });

  it("wait() counts a duplicated future once", async () => {
    const a = new Future<number>();
    a.setResult(1);
    const { done } = await wait([a, a, a]);
    assert.equal(done.size, 1);
  });

  it("wait() rejects a bad returnWhen and a negative timeout with ValueError", async () => {
    await assert.rejects(
      wait([], { returnWhen: "SOMETIMES" as never }),
      (e: unknown) =>
        e instanceof ValueError &&
        e.message === "Invalid return condition: 'SOMETIMES'",
    );
    await assert.rejects(wait([], { timeout: -1 }), ValueError);
  });
});

describe("asCompleted", () => {
  it("asCompleted() yields the futures themselves, done ones first, then in finishing order", async () => {
    const a = new Future<string>();
    const b = new Future<string>();
    const c = new Future<string>();
    c.setResult("c");
    later(a, 20, "a");
    later(b, 5, "b");
    const seen: Future<string>[] = [];
    for await (const f of asCompleted([a, b, c, b])) {
      // TypeScript types f as the result; it is the future itself.
      assert.ok((f as unknown) instanceof Future);
      seen.push(f as unknown as Future<string>);
    }
    assert.deepEqual(seen, [c, b, a]);
  });

  it("asCompleted() yields cancelled futures", async () => {
    const a = new Future();
    setTimeout(() => a.cancel(), 5);
    const seen: Future<unknown>[] = [];
    for await (const f of asCompleted([a])) {
      seen.push(f as unknown as Future<unknown>);
    }
    assert.deepEqual(seen, [a]);
    assert.ok(seen[0].cancelled());
  });

  it("asCompleted() throws TimeoutError 'N (of M) futures unfinished'", async () => {
    const a = new Future<number>();
    const b = new Future<number>();
    const c = new Future<number>();
    a.setResult(1);
    const seen: Future<number>[] = [];
    const t0 = performance.now();
    await assert.rejects(
      async () => {
        for await (const f of asCompleted([a, b, c], 0.05)) {
          seen.push(f as unknown as Future<number>);
        }
      },
      (e: unknown) =>
        e instanceof TimeoutError &&
        e.message === "2 (of 3) futures unfinished",
    );
    assert.ok(performance.now() - t0 >= 45);
    assert.deepEqual(seen, [a]);
  });

  it("asCompleted() with timeout 0 yields only what is done", async () => {
    const a = new Future<number>();
    a.setResult(1);
    const it = asCompleted([a, new Future<number>()], 0);
    assert.equal((await it.next()).value, a);
    await assert.rejects(it.next(), /1 \(of 2\) futures unfinished/);
  });

  it("asCompleted() can stop early without cancelling the rest", async () => {
    const a = new Future<number>();
    const b = new Future<number>();
    a.setResult(1);
    for await (const f of asCompleted([a, b])) {
      assert.equal(f, a);
      break;
    }
    assert.equal(b.cancelled(), false);
    b.setResult(2);
  });

  it("asCompleted() rejects a negative timeout with ValueError", () => {
    assert.throws(() => asCompleted([], -1), ValueError);
  });

  it("asCompleted() of nothing ends at once", async () => {
    for await (const _ of asCompleted([])) assert.fail("nothing to yield");
  });
});

after(() => assertNoLeaks());
