/**
 * What `outputSync()` on Deno and its helper worker (`output_sync_entry.ts`)
 * share: the messages, the words of the shared control buffer, and the
 * header of the result they pass through shared memory.
 * Design: docs/design/spawn.md
 *
 * @module
 */
import type { ExitStatus, OutputOptions } from "./types.ts";

// Shared memory layout. `ctrl` (Int32Array over 16 bytes):
//   [0] state, written by the worker, reset to IDLE by the caller:
//       IDLE 0, NEED_SPACE 1 (ctrl[1] holds the byte count), DONE 2, STARTED 3
//   [1] bytes needed for the result.
// The result is one buffer: a JSON header (UTF-8), then stdout, then stderr;
// the header holds each part's length. The caller offers a first buffer; when
// the result is larger the worker asks for NEED_SPACE and the caller, now
// awake, posts a buffer of that size and waits again.

/** The helper worker's name, as it shows in traces and debuggers. */
export const HELPER_NAME = "pyconc:spawn-sync-helper";

/** Values of the state word, `ctrl[0]`. */
export const HelperState = {
  /** Nothing new; the caller resets the word to this after each wake-up. */
  IDLE: 0,
  /** The worker needs a larger result buffer (size in `ctrl[1]`). */
  NEED_SPACE: 1,
  /** The result is in the buffer. */
  DONE: 2,
  /** The worker has taken the job (so it loaded). */
  STARTED: 3,
} as const;

/** The caller's request: run `argv` with `output()`. */
export interface JobMessage {
  kind: "job";
  ctrl: SharedArrayBuffer;
  data: SharedArrayBuffer;
  argv: readonly string[];
  options: OutputOptions;
}

/** The caller's answer to NEED_SPACE: a buffer of the size asked for. */
export interface SpaceMessage {
  kind: "space";
  data: SharedArrayBuffer;
}

/** The JSON header at the start of the result buffer. */
export interface HelperResult {
  ok: boolean;
  pid?: number | null;
  status?: ExitStatus;
  timedOut?: boolean;
  outLen?: number; // -1: not piped
  errLen?: number;
  error?: { name: string; message: string; errno?: number; filename?: string };
}
