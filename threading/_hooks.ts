/**
 * excepthook as a live binding, and the setter a namespace needs.
 *
 * @module
 */
import {
  currentExcepthook,
  defaultExcepthook,
  type ExceptHook,
  swapExcepthook,
} from "./_excepthook.ts";

/**
 * The function that receives a thread's uncaught error, as Python's
 * `threading.excepthook`. It is a live binding: after
 * {@linkcode setExcepthook} it names the new hook.
 *
 * @example
 * ```ts
 * import { excepthook } from "@pyconc/pyconc/threading";
 * console.assert(typeof excepthook === "function");
 * ```
 */
export let excepthook: ExceptHook = defaultExcepthook;

/**
 * Installs `hook` for uncaught errors of threads started from this thread
 * and returns the previous hook (a module namespace cannot be assigned to,
 * so this replaces Python's `threading.excepthook = hook`).
 *
 * @example
 * ```ts
 * import { setExcepthook } from "@pyconc/pyconc/threading";
 * const previous = setExcepthook(() => {});
 * setExcepthook(previous);
 * ```
 */
export function setExcepthook(hook: ExceptHook): ExceptHook {
  const prev = swapExcepthook(hook);
  excepthook = currentExcepthook();
  return prev;
}
