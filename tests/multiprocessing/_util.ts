// Helpers for the multiprocessing tests.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { liveResources } from "../../_internal/runtime/resources.ts";

const runtimeBin: string =
  (globalThis as { Deno?: { execPath(): string } }).Deno?.execPath() ??
    (globalThis as unknown as { process: { execPath: string } }).process
      .execPath;
const isDeno = "Deno" in globalThis;

/** The URL of the multiprocessing module, for scripts to import. */
export const mpUrl: string =
  new URL("../../multiprocessing/mod.ts", import.meta.url).href;
/** The URL of the module targets. */
export const targetsUrl: URL = new URL("./_targets.ts", import.meta.url);

/** Runs `source` as a script; returns its exit code, stdout, stderr and duration. */
export function runScript(
  source: string,
  timeoutMs = 30_000,
  options: { exposeGc?: boolean } = {},
): { code: number; out: string; err: string; ms: number } {
  const dir = mkdtempSync(`${tmpdir()}/pyconc-mp-`);
  const file = `${dir}/script.ts`;
  writeFileSync(file, source);
  const t0 = performance.now();
  const r = spawnSync(
    runtimeBin,
    isDeno
      ? [
        "run",
        "-A",
        ...(options.exposeGc ? ["--v8-flags=--expose-gc"] : []),
        file,
      ]
      : [file],
    {
      encoding: "utf8",
      timeout: timeoutMs,
    },
  );
  rmSync(dir, { recursive: true, force: true });
  return {
    code: r.status ?? -1,
    out: r.stdout ?? "",
    err: r.stderr ?? "",
    ms: performance.now() - t0,
  };
}

/** Child processes the library has running now. */
export const children = (): unknown[] =>
  liveResources().filter((r) => r.kind === "process");

/** Whether a process with this pid exists. */
export function alive(pid: number): boolean {
  try {
    // deno-lint-ignore no-explicit-any
    (globalThis as any).process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Resolves after `ms` milliseconds. */
export const sleep = (ms: number): Promise<void> =>
  new Promise((r) => setTimeout(r, ms));

/** The pid of this process. */
// deno-lint-ignore no-explicit-any
export const myPid = (): number => (globalThis as any).process.pid;

/** Script source defining `collect()`: runs the garbage collector and lets finalizers run (needs `exposeGc`). */
export const collectSource = `
  const collect = async () => {
    const gc = globalThis.Bun ? () => globalThis.Bun.gc(true) : globalThis.gc;
    for (let i = 0; i < 6; i++) {
      gc();
      await new Promise((r) => setTimeout(r, 20));
    }
  };
`;
