// Shared by the test files: run a script in a fresh copy of the runtime
// under test and collect its exit code, output and duration.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";

const runtimeBin: string =
  (globalThis as { Deno?: { execPath(): string } }).Deno?.execPath() ??
    (globalThis as unknown as { process: { execPath: string } }).process
      .execPath;
const isDeno = "Deno" in globalThis;

/** Runs `source` as a TypeScript script; returns its exit code, output and duration. */
export function runScript(
  source: string,
  timeoutMs = 20_000,
  denoFlags: string[] = [],
): { code: number; out: string; ms: number } {
  const dir = mkdtempSync(`${tmpdir()}/pyconc-script-`);
  const file = `${dir}/script.ts`;
  writeFileSync(file, source);
  const t0 = performance.now();
  const r = spawnSync(
    runtimeBin,
    isDeno ? ["run", "-A", ...denoFlags, file] : [file],
    {
      encoding: "utf8",
      timeout: timeoutMs,
    },
  );
  rmSync(dir, { recursive: true, force: true });
  return {
    code: r.status ?? -1,
    out: (r.stdout ?? "") + (r.stderr ?? ""),
    ms: performance.now() - t0,
  };
}
