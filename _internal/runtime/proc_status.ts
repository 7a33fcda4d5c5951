/**
 * Reading a child's state from `/proc` without the event loop, for the
 * blocking `Process.joinSync()`: the runtime reaps children on its event
 * loop, which a blocked thread is not running, so the child is seen as a
 * zombie (state `Z`, with its wait status in field 52 of
 * `/proc/PID/stat`) or, where the runtime reaps on another thread, as gone.
 *
 * @module
 */
import { readFileSync } from "node:fs";
import { nodeProcess } from "./adapter.ts";

/** What `/proc` says about a process. */
export type ProcState =
  | { state: "running" }
  | { state: "exited"; returncode: number | null };

/** The state of process `pid`: running, or exited (with its status when still known). */
export function procState(pid: number): ProcState {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch (err) {
    // Deno lets only a program with every permission read /proc/PID: ask
    // with signal 0 instead, and count a process as running when even that
    // is not allowed.
    if ((err as { code?: string }).code === "ENOENT") {
      return { state: "exited", returncode: null };
    }
    return _signalZero(pid);
  }
  // The command name is in parentheses and may hold spaces or ")".
  const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
  const st = fields[0];
  if (st !== "Z" && st !== "X") return { state: "running" };
  const status = Number(fields[49]);
  if (!Number.isInteger(status)) return { state: "exited", returncode: null };
  const sig = status & 0x7f;
  return {
    state: "exited",
    returncode: sig === 0 ? (status >> 8) & 0xff : -sig,
  };
}

/** Whether a process with this pid exists (and is not a zombie). */
export function pidAlive(pid: number): boolean {
  return procState(pid).state === "running";
}

function _signalZero(pid: number): ProcState {
  try {
    nodeProcess.kill(pid, 0);
  } catch (err) {
    if ((err as { code?: string }).code === "ESRCH") {
      return { state: "exited", returncode: null };
    }
  }
  return { state: "running" };
}
