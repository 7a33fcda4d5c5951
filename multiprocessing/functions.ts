/**
 * What a process knows of itself and its family: currentProcess,
 * parentProcess, activeChildren, and cpuCount.
 *
 * @module
 */
import { pidAlive } from "../_internal/runtime/proc_status.ts";
import { cpuCount as _cpuCount } from "../_internal/runtime/adapter.ts";
import { _liveChildren, Process } from "./process.ts";
import { self } from "./_state.ts";

let _current: Process | undefined;

/**
 * The {@linkcode Process} object of the running process: `MainProcess` in
 * the program, the child's own object (same name, daemon flag and pid as
 * the parent sees) inside a child.
 *
 * @returns The process running this code.
 * @example
 * ```ts
 * import { currentProcess } from "@pyconc/pyconc/multiprocessing";
 * console.assert(currentProcess().name === "MainProcess");
 * ```
 */
export function currentProcess(): Process {
  return _current ??= Process._forCurrent();
}

/**
 * What a child knows of its parent process, as Python's
 * `parent_process()`: its `name`, `pid`, and whether it is still alive.
 */
export interface ParentProcess {
  /** The parent's name. */
  readonly name: string;
  /** The parent's process id. */
  readonly pid: number;
  /** The same as `pid`. */
  readonly ident: number;
  /** Whether the parent is still running. */
  isAlive(): boolean;
}

/**
 * The parent of the running process, or `null` in the main process.
 *
 * @returns The parent, or `null`.
 * @example
 * ```ts
 * import { parentProcess } from "@pyconc/pyconc/multiprocessing";
 * console.assert(parentProcess() === null);
 * ```
 */
export function parentProcess(): ParentProcess | null {
  const pid = self.parentPid;
  if (pid === null) return null;
  return {
    name: self.parentName ?? "MainProcess",
    pid,
    ident: pid,
    isAlive: () => pidAlive(pid),
  };
}

/**
 * The children of the running process that are still alive (ended ones
 * are forgotten, as Python's `active_children()` joins them).
 *
 * @returns The live child processes.
 * @example
 * ```ts
 * import { activeChildren } from "@pyconc/pyconc/multiprocessing";
 * console.assert(activeChildren().length === 0);
 * ```
 */
export function activeChildren(): Process[] {
  return _liveChildren().filter((p) => p.isAlive());
}

/**
 * The number of CPUs of the machine, as Python's `cpu_count()`.
 *
 * @returns The number of logical CPUs (at least 1).
 * @example
 * ```ts
 * import { cpuCount } from "@pyconc/pyconc/multiprocessing";
 * console.assert(cpuCount() >= 1);
 * ```
 */
export function cpuCount(): number {
  return Math.max(1, _cpuCount());
}
