/**
 * Module-level functions: the current thread, counts and identifiers.
 *
 * @module
 */
import { addLiveThreads, agent, nativeId } from "../_internal/runtime/agent.ts";
import { _activeThreads, Thread } from "./thread.ts";

let _current: Thread | undefined;
let _main: Thread | undefined;

/**
 * The {@linkcode Thread} object of the calling thread, as Python's
 * `threading.current_thread()`.
 *
 * @example
 * ```ts
 * import { currentThread } from "@pyconc/pyconc/threading";
 * console.assert(currentThread().name === "MainThread");
 * ```
 */
export function currentThread(): Thread {
  return _current ??= Thread._forCurrent();
}

/**
 * The main thread's {@linkcode Thread} object. In a worker it is a stand-in
 * with the main thread's name and ident.
 *
 * @example
 * ```ts
 * import { currentThread, mainThread } from "@pyconc/pyconc/threading";
 * console.assert(mainThread() === currentThread());
 * ```
 */
export function mainThread(): Thread {
  if (agent.isMain) return currentThread();
  return _main ??= Thread._forMain();
}

/**
 * The number of live threads in the program, the main thread included, as
 * Python's `threading.active_count()`.
 *
 * @example
 * ```ts
 * import { activeCount } from "@pyconc/pyconc/threading";
 * console.assert(activeCount() >= 1);
 * ```
 */
export function activeCount(): number {
  return addLiveThreads(0) + 1;
}

/**
 * The live threads this thread knows: the main thread, the calling thread,
 * and the threads it started that are still running. (Python lists every
 * thread of the process; a worker cannot see threads started elsewhere.)
 *
 * @example
 * ```ts
 * import { enumerate } from "@pyconc/pyconc/threading";
 * console.assert(enumerate()[0].name === "MainThread");
 * ```
 */
export function enumerate(): Thread[] {
  const list = [mainThread()];
  if (!agent.isMain) list.push(currentThread());
  return [...list, ..._activeThreads()];
}

/**
 * The calling thread's ident, unique among live threads of the program.
 *
 * @example
 * ```ts
 * import { getIdent } from "@pyconc/pyconc/threading";
 * console.assert(getIdent() === 1);
 * ```
 */
export function getIdent(): number {
  return agent.ident;
}

/**
 * The operating system's id of the calling thread (on Linux, its TID).
 *
 * @example
 * ```ts
 * import { getNativeId } from "@pyconc/pyconc/threading";
 * console.assert(getNativeId() > 0);
 * ```
 */
export function getNativeId(): number {
  return nativeId();
}
