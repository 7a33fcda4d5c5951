import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execPath, runtime } from "../../_internal/runtime/adapter.ts";
import { assertNoLeaks } from "../_leaks.ts";

const QUEUE = new URL("../../queue/mod.ts", import.meta.url).href;
const THREADING = new URL("../../threading/mod.ts", import.meta.url).href;

/** Runs `source` as a program of this runtime; returns its exit status, output and time. */
function runProgram(
  source: string,
): { status: number | null; out: string; ms: number } {
  const dir = mkdtempSync(join(tmpdir(), "pyconc-queue-"));
  const file = join(dir, "main.ts");
  writeFileSync(file, source);
  const args = runtime === "deno" ? ["run", "-A", file] : [file];
  const t0 = performance.now();
  try {
    const r = spawnSync(execPath(), args, {
      encoding: "utf8",
      timeout: 30_000,
    });
    return {
      status: r.status,
      out: (r.stdout ?? "") + (r.stderr ?? ""),
      ms: performance.now() - t0,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe("queue liveness", () => {
  it("Queue: a program with an idle queue and a daemon thread blocked in getSync() exits", () => {
    const r = runProgram(`
      import { Queue } from ${JSON.stringify(QUEUE)};
      import { Thread } from ${JSON.stringify(THREADING)};
      const q = new Queue();
      const idle = new Queue(3);
      idle.putNowait("left behind");
      const t = new Thread({
        target: (q) => { for (;;) q.getSync(); },
        args: [q],
        daemon: true,
      });
      t.start();
      await q.put(1);
      console.log("main done");
    `);
    assert.equal(r.status, 0, r.out);
    assert.match(r.out, /main done/);
    assert.ok(r.ms < 20_000, `took ${r.ms} ms`);
  });

  it("Queue.get() keeps the program alive until a worker's put arrives", () => {
    const r = runProgram(`
      import { Queue } from ${JSON.stringify(QUEUE)};
      import { Thread } from ${JSON.stringify(THREADING)};
      const q = new Queue();
      new Thread({
        target: async (q) => {
          await new Promise((r) => setTimeout(r, 300));
          q.putSync("late item");
        },
        args: [q],
        daemon: true,
      }).start();
      console.log(await q.get());
    `);
    assert.equal(r.status, 0, r.out);
    assert.match(r.out, /late item/);
  });
});

after(() => assertNoLeaks());
