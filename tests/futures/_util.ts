// Helpers for the futures tests: run a script in a fresh copy of the runtime.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";

const runtimeBin: string =
  (globalThis as { Deno?: { execPath(): string } }).Deno?.execPath() ??
    (globalThis as unknown as { process: { execPath: string } }).process
      .execPath;
const isDeno = "Deno" in globalThis;

/** The URL of the futures module, for scripts and targets to import. */
export const futuresUrl: string =
  new URL("../../futures/mod.ts", import.meta.url).href;
/** The URL of the threading module. */
export const threadingUrl: string =
  new URL("../../threading/mod.ts", import.meta.url).href;
/** The URL of the module targets. */
export const targetsUrl: URL = new URL("./_targets.ts", import.meta.url);

/** Runs `source` as a script; returns its exit code, output and duration. */
export function runScript(
  source: string,
): { code: number; out: string; ms: number } {
  const dir = mkdtempSync(`${tmpdir()}/pyconc-futures-`);
  const file = `${dir}/script.ts`;
  writeFileSync(file, source);
  const t0 = performance.now();
  const r = spawnSync(runtimeBin, isDeno ? ["run", "-A", file] : [file], {
    encoding: "utf8",
    timeout: 20_000,
  });
  rmSync(dir, { recursive: true, force: true });
  return {
    code: r.status ?? -1,
    out: (r.stdout ?? "") + (r.stderr ?? ""),
    ms: performance.now() - t0,
  };
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Runs `fn` with console.error silenced; returns what it would have printed. */
export async function quietly<T>(
  fn: () => Promise<T>,
): Promise<{ value: T; logged: unknown[][] }> {
  const logged: unknown[][] = [];
  const prev = console.error;
  console.error = (...a: unknown[]) => logged.push(a);
  try {
    return { value: await fn(), logged };
  } finally {
    console.error = prev;
  }
}
