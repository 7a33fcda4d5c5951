/**
 * currentProcess and activeChildren of multiprocessing.dummy.
 *
 * @module
 */
import { currentThread } from "../../threading/functions.ts";
import type { Thread } from "../../threading/thread.ts";
import { _liveDummies, type DummyProcess } from "./process.ts";

/**
 * The running thread, as Python's `multiprocessing.dummy.current_process()`
 * (which is `threading.current_thread()`).
 *
 * @returns The current thread.
 * @example
 * ```ts
 * import { currentProcess } from "@pyconc/pyconc/multiprocessing/dummy";
 * console.assert(currentProcess().name === "MainThread");
 * ```
 */
export function currentProcess(): Thread {
  return currentThread();
}

/**
 * The dummy processes started by this thread that still run.
 *
 * @returns The live ones.
 * @example
 * ```ts
 * import { activeChildren } from "@pyconc/pyconc/multiprocessing/dummy";
 * console.assert(activeChildren().length === 0);
 * ```
 */
export function activeChildren(): DummyProcess[] {
  return _liveDummies();
}
