import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { assertNoLeaks } from "../_leaks.ts";
import { noZombies } from "./_util.ts";

describe("subprocess in a worker", () => {
  it("runSync() and checkOutputSync() work inside a worker, timeouts included", async () => {
    const w = new Worker(new URL("./_sync_worker.ts", import.meta.url), {
      type: "module",
    });
    try {
      const result = await new Promise<{ out: string; timedOut: string }>(
        (resolve, reject) => {
          w.onmessage = (e) => resolve(e.data);
          w.onerror = (e) => {
            e.preventDefault?.();
            reject(new Error(e.message));
          };
          w.postMessage("go");
        },
      );
      assert.equal(result.out, "from worker\n");
      assert.equal(
        result.timedOut,
        "Command '['sleep', '10']' timed out after 0.2 seconds",
      );
    } finally {
      w.terminate();
    }
    assert.ok(await noZombies());
  });
});

after(() => assertNoLeaks());
