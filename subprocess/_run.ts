/**
 * Helpers run, call and checkOutput share; not part of the public API.
 *
 * @module
 */
import { ValueError } from "../_internal/core/errors.ts";
import { timeoutToMs } from "../_internal/core/time.ts";
import { outputSync } from "../_internal/spawn/output_sync.ts";
import type { OutputResult } from "../_internal/spawn/types.ts";
import { PIPE } from "./constants.ts";
import {
  checkKeys,
  type FileSink,
  type PopenOptions,
  type PreparedSync,
} from "./_options.ts";
import { writeAllSync } from "./_io.ts";
import type { RunOptions } from "./run.ts";

const _runKeys = ["input", "captureOutput", "timeout", "check"];

/** Splits run's own options from Popen's and applies Python's checks. */
export function splitRunOptions(options: RunOptions, fn: string): {
  popen: PopenOptions;
  input: string | Uint8Array | null;
  timeout: number | null;
  timeoutMs: number;
  check: boolean;
} {
  checkKeys(options, _runKeys, fn);
  const { input, captureOutput, timeout, check, ...popen } = options;
  if (input !== undefined && input !== null) {
    if (popen.stdin !== undefined && popen.stdin !== null) {
      throw new ValueError("stdin and input arguments may not both be used.");
    }
  }
  if (captureOutput) {
    if (
      (popen.stdout !== undefined && popen.stdout !== null) ||
      (popen.stderr !== undefined && popen.stderr !== null)
    ) {
      throw new ValueError(
        "stdout and stderr arguments may not be used with capture_output.",
      );
    }
    popen.stdout = PIPE;
    popen.stderr = PIPE;
  }
  return {
    popen,
    input: input ?? null,
    timeout: timeout ?? null,
    timeoutMs: timeoutToMs(timeout),
    check: check === true,
  };
}

/** Runs a prepared command synchronously, filling file destinations. */
export function runPreparedSync(
  p: PreparedSync,
  timeoutMs: number,
): { r: OutputResult; stdout: Uint8Array | null; stderr: Uint8Array | null } {
  const r = outputSync(p.argv, { ...p.spawn, timeoutMs });
  if (p.stdoutFile && r.stdout) {
    writeAllSync(p.stdoutFile as Required<FileSink>, r.stdout);
  }
  if (p.stderrFile && r.stderr) {
    writeAllSync(p.stderrFile as Required<FileSink>, r.stderr);
  }
  return {
    r,
    stdout: p.stdoutPiped ? r.stdout : null,
    stderr: p.stderrPiped ? r.stderr : null,
  };
}
