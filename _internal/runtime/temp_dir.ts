/**
 * The directory for the library's temporary files (a child's start file, a
 * socket when abstract ones cannot be used), found without asking Deno for a
 * permission the program was not given.
 *
 * @module
 */
import { tmpdir } from "node:os";
import { denoAllows, denoNs } from "./adapter.ts";

/**
 * `$TMPDIR` as `os.tmpdir()` reads it; on Deno only when the program may
 * read that variable (so no permission prompt and no `NotCapable`), else
 * `/tmp`.
 */
export function tempDir(): string {
  if (!denoNs) return tmpdir();
  const dir: string | undefined =
    denoAllows({ name: "env", variable: "TMPDIR" })
      ? denoNs.env.get("TMPDIR")
      : undefined;
  return (dir ?? "/tmp").replace(/(.)\/+$/, "$1") || "/tmp";
}
