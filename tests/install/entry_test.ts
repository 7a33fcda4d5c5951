/**
 * Finding and starting the library's entry modules wherever it was loaded
 * from (see docs/design/install.md); the whole paths are run by
 * scripts/consumer.mjs.
 *
 * @module
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import {
  compiled,
  entryUrl,
  importEntry,
  startWorker,
} from "../../_internal/runtime/entry.ts";
import { runtime } from "../../_internal/runtime/adapter.ts";
import { freezeSupport, RuntimeError } from "../../mod.ts";

describe("entryUrl()", () => {
  it("names a library file from the library's root, as .ts from the sources", () => {
    assert.equal(compiled, false);
    assert.equal(
      entryUrl("_internal/thread/entry.ts").href,
      new URL("../../_internal/thread/entry.ts", import.meta.url).href,
    );
  });
});

describe("importEntry()", () => {
  it("imports a module by URL", async () => {
    const mod = await importEntry(
      new URL("../../core_marker_missing.ts", import.meta.url).href,
    ).catch((err) => err);
    assert.ok(mod instanceof Error, "a missing module rejects");
    const real = await importEntry(
      new URL("../../_internal/core/repr.ts", import.meta.url).href,
    ) as { reprStr(s: string): string };
    assert.equal(real.reprStr("a"), "'a'");
  });

  it("rejects a compiled program's entry without freezeSupport() with the fix", async () => {
    await assert.rejects(
      () => importEntry("pyconc-entry:_internal/thread/entry.ts"),
      (err: unknown) =>
        err instanceof RuntimeError &&
        /call `await freezeSupport\(\)`/.test(err.message),
    );
  });
});

describe("freezeSupport()", () => {
  it("resolves at once in a program that is not compiled", async () => {
    const settled = await Promise.race([
      freezeSupport().then(() => "resolved"),
      new Promise((r) => setTimeout(() => r("pending"), 1000)),
    ]);
    assert.equal(settled, "resolved");
  });
});

describe("startWorker()", () => {
  it("starts a worker on a module served over http, keeping its URL", {
    skip: runtime !== "deno" && "only Deno imports modules over http",
  }, async () => {
    const root = fileURLToPath(new URL("../..", import.meta.url));
    const server = createServer((req, res) => {
      try {
        const body = readFileSync(
          root + new URL(req.url!, "http://x").pathname,
        );
        res.writeHead(200, { "content-type": "application/typescript" });
        res.end(body);
      } catch {
        res.writeHead(404).end();
      }
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    try {
      const { port } = server.address() as { port: number };
      const url = new URL(
        `http://127.0.0.1:${port}/tests/install/_echo_entry.ts`,
      );
      const worker = startWorker(url, { workerData: { n: 7 } });
      const msg = await new Promise((resolve, reject) => {
        worker.once("message", resolve);
        worker.once("error", reject);
      });
      await worker.terminate();
      assert.deepEqual(msg, { url: url.href, data: { n: 7 } });
    } finally {
      server.close();
    }
  });

  it("starts a worker on a file: URL", async () => {
    const url = new URL("./_echo_entry.ts", import.meta.url);
    const worker = startWorker(url, { workerData: "x" });
    const msg = await new Promise((resolve, reject) => {
      worker.once("message", resolve);
      worker.once("error", reject);
    });
    await worker.terminate();
    assert.deepEqual(msg, { url: url.href, data: "x" });
  });
});
