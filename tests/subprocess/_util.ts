// Helpers shared by the subprocess tests.
import { readdirSync, readFileSync } from "node:fs";
import { pid } from "../../_internal/runtime/adapter.ts";

export const td = new TextDecoder();
export const te = new TextEncoder();

/** `["sh", "-c", script]`. */
export function sh(script: string): string[] {
  return ["sh", "-c", script];
}

function _stat(p: string): { state: string; ppid: number } | null {
  try {
    const s = readFileSync(`/proc/${p}/stat`, "latin1");
    const rest = s.slice(s.lastIndexOf(")") + 2).split(" ");
    return { state: rest[0], ppid: Number(rest[1]) };
  } catch {
    return null;
  }
}

/** Pids of this process's children that are zombies (exited, never reaped). */
export function zombieChildren(): number[] {
  const me = pid();
  const out: number[] = [];
  for (const p of readdirSync("/proc")) {
    if (!/^\d+$/.test(p)) continue;
    const st = _stat(p);
    if (st && st.ppid === me && st.state === "Z") out.push(Number(p));
  }
  return out;
}

/** Whether a process with this pid exists and is not a zombie. */
export function alive(p: number): boolean {
  const st = _stat(String(p));
  return st !== null && st.state !== "Z";
}

/** Waits up to `ms` for `cond` to hold, checking every 10 ms. */
export async function until(cond: () => boolean, ms = 2000): Promise<boolean> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) return false;
    await new Promise((r) => setTimeout(r, 10));
  }
  return true;
}

/** Asserts-friendly: true when no zombie child is left after a short grace. */
export async function noZombies(): Promise<boolean> {
  return await until(() => zombieChildren().length === 0, 2000);
}
