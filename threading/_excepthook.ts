/**
 * The hook that receives a thread's uncaught error, and its default.
 *
 * @module
 */
import { writeStderr } from "../_internal/runtime/adapter.ts";
import type { Thread } from "./thread.ts";

/** What {@linkcode excepthook} receives, like Python's `ExceptHookArgs`. */
export interface ExceptHookArgs {
  /** The error's class name (`"TypeError"`, `"ValueError"`, ...). */
  excType: string;
  /** The thrown value. */
  excValue: unknown;
  /** The stack trace text, when the value had one. */
  excTraceback: string | undefined;
  /** The thread that raised it. */
  thread: Thread | null;
}

/** A function that handles a thread's uncaught error. */
export type ExceptHook = (args: ExceptHookArgs) => void;

/**
 * The default hook, as Python's `threading.excepthook`: prints
 * "Exception in thread NAME:" and the stack to standard error.
 *
 * @example
 * ```ts
 * import { excepthook } from "@pyconc/pyconc/threading";
 * console.assert(typeof excepthook === "function");
 * ```
 */
export function defaultExcepthook(args: ExceptHookArgs): void {
  const name = args.thread?.name ?? "<unknown>";
  const v = args.excValue;
  const text = v instanceof Error
    ? (v.stack && v.stack.includes(v.message)
      ? v.stack
      : `${v.name}: ${v.message}\n${v.stack ?? ""}`)
    : `${args.excType}: ${String(v)}`;
  writeStderr(`Exception in thread ${name}:\n${text.replace(/\n?$/, "\n")}`);
}

let _hook: ExceptHook = defaultExcepthook;

/** The hook in force. */
export function currentExcepthook(): ExceptHook {
  return _hook;
}

/** Replaces the hook; returns the previous one. */
export function swapExcepthook(hook: ExceptHook): ExceptHook {
  if (typeof hook !== "function") {
    throw new TypeError("excepthook must be a function");
  }
  const prev = _hook;
  _hook = hook;
  return prev;
}
