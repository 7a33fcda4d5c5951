/**
 * The protocol between a thread's worker and the thread that started it.
 *
 * @module
 */
import type { Encoded, ErrorRecord } from "../share/codec.ts";
import type { TargetSpec } from "../share/target.ts";

/** Start-up data of a thread worker. */
export interface ThreadStartData {
  /** What to run. */
  target: TargetSpec;
  /** Its arguments, encoded. */
  args: Encoded;
  /** The thread's control words; see {@linkcode ThreadControl}. */
  control: SharedArrayBuffer;
}

/** Slots of a thread's control words. */
export const ThreadControl = {
  /** 0 starting, 1 running, 2 finished; written by the worker, and by the parent when the worker dies. */
  State: 0,
  /** The OS thread id, written by the worker at start. */
  NativeId: 1,
  /** How many words there are. */
  Size: 2,
} as const;

/** Messages from a thread worker to its parent. */
export type ThreadMessage =
  | { type: "error"; error: ErrorRecord }
  | { type: "done" };
