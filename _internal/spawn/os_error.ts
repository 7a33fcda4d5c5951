/**
 * Python's `OSError` for a child that could not be started: errno, text and
 * file name as CPython gives them, and the translation of each runtime's
 * spawn failure into it.
 * Design: docs/design/spawn.md
 *
 * @module
 */
import { FileNotFoundError, OSError, PermissionError } from "../core/errors.ts";
import { reprStr } from "../core/repr.ts";
import { isDir } from "./which.ts";

/** An `OSError` (its errno's subclass) with CPython's message for `filename`. */
export function osError(
  errno: number,
  text: string,
  filename: string,
  cause: unknown,
): OSError {
  const message = `[Errno ${errno}] ${text}: ${reprStr(filename)}`;
  const err = errno === 2
    ? new FileNotFoundError(message, { cause })
    : errno === 13
    ? new PermissionError(message, { cause })
    : new OSError(message, { cause });
  err.errno = errno;
  err.filename = filename;
  return err;
}

/** Turns a runtime's spawn failure into Python's OSError for `prog`. */
export function spawnError(err: unknown, prog: string, cwd?: string): Error {
  // deno-lint-ignore no-explicit-any
  const e = err as any;
  const code: string = e?.code ?? "";
  const msg: string = String(e?.message ?? "");
  if (code === "ENOENT" || e?.name === "NotFound") {
    const cwdMissing = cwd !== undefined &&
      (msg.includes("No such cwd") ||
        (!msg.includes("Executable not found") && !isDir(cwd)));
    return osError(
      2,
      "No such file or directory",
      cwdMissing ? cwd : prog,
      err,
    );
  }
  if (code === "EACCES" || e?.name === "PermissionDenied") {
    if (msg.includes("Requires run access")) return err as Error; // Deno permission
    return osError(13, "Permission denied", prog, err);
  }
  if (code === "ENOTDIR" || e?.name === "NotADirectory") {
    return osError(20, "Not a directory", cwd ?? prog, err);
  }
  return err as Error;
}
