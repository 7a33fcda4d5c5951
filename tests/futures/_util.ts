// Helpers for the futures tests: run a script in a fresh copy of the runtime.
export { runScript } from "../_script.ts";

/** The URL of the futures module, for scripts and targets to import. */
export const futuresUrl: string =
  new URL("../../futures/mod.ts", import.meta.url).href;
/** The URL of the threading module. */
export const threadingUrl: string =
  new URL("../../threading/mod.ts", import.meta.url).href;
/** The URL of the module targets. */
export const targetsUrl: URL = new URL("./_targets.ts", import.meta.url);

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
