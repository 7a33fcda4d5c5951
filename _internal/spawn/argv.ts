/**
 * The argv a child really runs: `checkArgv` validates it the way CPython
 * does, and `mergePlan` decides how `stderr: "stdout"` is honoured (one
 * shared descriptor where the runtime allows, else a `/bin/sh` wrapper that
 * redirects and then `exec`s the program).
 * Design: docs/design/spawn.md
 *
 * @module
 */
import { RuntimeError, ValueError } from "../core/errors.ts";
import { bunNs, denoNs } from "../runtime/adapter.ts";
import { osError } from "./os_error.ts";
import type { OutputSpec, SpawnOptions } from "./types.ts";
import { isDir, which } from "./which.ts";

/**
 * Throws as CPython does for an argv that cannot be run; needs Deno or Bun.
 *
 * @throws {ValueError} "embedded null byte" for a NUL in an argument.
 */
export function checkArgv(argv: readonly string[]): void {
  if (!denoNs && !bunNs) {
    throw new RuntimeError("child processes need Deno or Bun");
  }
  if (!Array.isArray(argv) || argv.length === 0) {
    throw new TypeError("argv must be a non-empty array of strings");
  }
  for (const a of argv) {
    if (typeof a !== "string") {
      throw new TypeError(
        `expected str, bytes or os.PathLike object, not ${
          a === null ? "null" : typeof a
        }`,
      );
    }
    if (a.includes("\0")) throw new ValueError("embedded null byte");
  }
}

const _MERGE_SCRIPT = 'exec "$@" 2>&1';

/**
 * Decides how stderr reaches stdout when asked to merge: by giving both slots
 * the same descriptor where the runtime can, else by the shell wrapper.
 */
export function mergePlan(
  argv: readonly string[],
  o: SpawnOptions,
): { argv: string[]; stderr: OutputSpec } {
  if (o.stderr !== "stdout") {
    return { argv: argv as string[], stderr: o.stderr ?? "inherit" };
  }
  const out = o.stdout ?? "inherit";
  if (bunNs && typeof out === "number") return { argv: [...argv], stderr: out };
  if (out === "null") return { argv: [...argv], stderr: "null" };
  if (bunNs && out === "inherit") return { argv: [...argv], stderr: 1 };
  if (which(argv[0], o.env, o.cwd) === null) {
    if (o.cwd !== undefined && !isDir(o.cwd)) {
      throw osError(2, "No such file or directory", o.cwd, undefined);
    }
    throw osError(2, "No such file or directory", argv[0], undefined);
  }
  return {
    argv: ["/bin/sh", "-c", _MERGE_SCRIPT, "sh", ...argv],
    stderr: "inherit",
  };
}
