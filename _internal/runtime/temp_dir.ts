/**
 * The directory for the library's temporary files (a child's start file, a
 * socket when abstract ones cannot be used), found without asking Deno for a
 * permission the program was not given.
 *
 * @module
 */
import { tmpdir } from "node:os";
import { denoNs } from "./adapter.ts";

/**
 * `$TMPDIR` as `os.tmpdir()` reads it; on Deno only when the program may
 * read that variable (so no permission prompt and no `NotCapable`), else
 * `/tmp`.
 */
export function tempDir(): string {
  if (!denoNs) return tmpdir();
  let dir: string | undefined;
  try {
    const query = { name: "env", variable: "TMPDIR" };
    if (denoNs.permissions.querySync(query).state === "granted") {
      dir = denoNs.env.get("TMPDIR");
    }
  } catch { /* not allowed */ }
  return (dir ?? "/tmp").replace(/(.)\/+$/, "$1") || "/tmp";
}
