/**
 * Who this process is in multiprocessing's terms: its name, identity and
 * daemon flag, and its parent. A child process learns these from its
 * start-up data (see `_process_role.ts`).
 *
 * @module
 */
/** What a child is told about itself and its parent when it starts. */
export interface ProcessInfo {
  /** The process's name. */
  name: string;
  /** Python's `_identity`: the child's index in each generation, e.g. `[1, 2]`. */
  identity: number[];
  /** Whether the process is a daemon. */
  daemon: boolean;
  /** The parent's pid, or `null` for the main process. */
  parentPid: number | null;
  /** The parent's name, or `null` for the main process. */
  parentName: string | null;
}

/** The facts about the running process; replaced once in a child. */
export const self: ProcessInfo = {
  name: "MainProcess",
  identity: [],
  daemon: false,
  parentPid: null,
  parentName: null,
};

/** Adopts the facts a child process was started with. */
export function adoptInfo(info: ProcessInfo): void {
  Object.assign(self, info);
}

let _counter = 0;

/** The identity of the next child this process starts. */
export function nextIdentity(): number[] {
  return [...self.identity, ++_counter];
}
