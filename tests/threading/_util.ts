// Helpers for the threading tests: run targets in threads and collect errors.
import {
  setExcepthook,
  Thread,
  type ThreadOptions,
} from "../../threading/mod.ts";
import type { ExceptHookArgs } from "../../threading/mod.ts";

/** Starts a thread per options object and waits for all of them. */
export async function runThreads(...options: ThreadOptions[]): Promise<void> {
  const threads = options.map((o) => new Thread(o));
  for (const t of threads) t.start();
  for (const t of threads) await t.join();
}

/** Runs `fn` while capturing every thread error reported to excepthook. */
export async function captureThreadErrors(
  fn: () => Promise<void>,
): Promise<ExceptHookArgs[]> {
  const seen: ExceptHookArgs[] = [];
  const prev = setExcepthook((a) => seen.push(a));
  try {
    await fn();
  } finally {
    setExcepthook(prev);
  }
  return seen;
}

/** A shared Int32Array of `n` cells. */
export function sharedInts(n: number): Int32Array {
  return new Int32Array(new SharedArrayBuffer(n * 4));
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
