/**
 * `selfCommand()`: the argv that starts another copy of the running runtime
 * (Deno or Bun) on a module, for the process pools and `multiprocessing`.
 * Design: docs/design/spawn.md
 *
 * @module
 */
import { denoNs, execPath } from "../runtime/adapter.ts";
import { tempDir } from "../runtime/temp_dir.ts";
import { denoChildFlags } from "./deno_flags.ts";
import { compiledCommand, ENTRY_SCHEME } from "../runtime/entry.ts";

/**
 * The argv that starts another copy of the running runtime on `module`, for
 * pools and `multiprocessing`: `[deno, "run", ...flags, module, ...args]`
 * on Deno, where the flags are the parent's own permissions and loading
 * flags (see `deno_flags.ts`) unless `denoFlags` says otherwise, and
 * `[bun, module, ...args]` on Bun.
 *
 * @example
 * ```ts ignore
 * const child = spawn(selfCommand(new URL("./child.ts", import.meta.url)), {
 *   stdin: "pipe",
 *   stdout: "pipe",
 * });
 * ```
 */
export function selfCommand(
  module: string | URL,
  args: readonly string[] = [],
  denoFlags?: readonly string[],
): string[] {
  if (module instanceof URL && module.protocol === ENTRY_SCHEME) {
    return compiledCommand(module, args);
  }
  const url = module instanceof URL
    ? module
    : /^[a-z][a-z0-9+.-]+:/i.test(module)
    ? new URL(module)
    : new URL(`file://${module}`);
  const target = typeof module === "string" && !module.includes(":")
    ? module
    : url.protocol === "file:"
    ? decodeURIComponent(url.pathname)
    : url.href;
  if (!denoNs) return [execPath(), target, ...args];
  const flags = denoFlags ?? denoChildFlags({
    read: [_libraryRoot(url), tempDir()].filter((p): p is string => !!p),
    write: [tempDir()],
    import: url.protocol.startsWith("http") ? [url.host] : [],
  });
  return [execPath(), "run", ...flags, target, ...args];
}

/** The folder of the library's files when they are on disk. */
function _libraryRoot(entry: URL): string | undefined {
  if (entry.protocol !== "file:") return undefined;
  const root = new URL("../../", import.meta.url);
  return root.protocol === "file:"
    ? decodeURIComponent(root.pathname).replace(/\/$/, "")
    : undefined;
}
