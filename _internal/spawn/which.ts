/**
 * Finding a program the way `execvp` would, with the child's `PATH`, before
 * it runs (needed where a shell wrapper would hide a missing program), and
 * telling whether a path is a directory.
 * Design: docs/design/spawn.md
 *
 * @module
 */
import { denoNs, getEnv } from "../runtime/adapter.ts";

/** Whether `path` is a directory; false when it cannot be looked at. */
export function isDir(path: string): boolean {
  try {
    if (denoNs) return denoNs.statSync(path).isDirectory;
    // deno-lint-ignore no-explicit-any
    const fs = (import.meta as any).require("node:fs");
    return fs.statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** Whether `path` is an executable file; `undefined` when not allowed to look. */
function _isExecutableFile(path: string): boolean | undefined {
  try {
    if (denoNs) {
      const st = denoNs.statSync(path);
      return st.isFile && (st.mode === null || (st.mode & 0o111) !== 0);
    }
    // deno-lint-ignore no-explicit-any
    const fs = (import.meta as any).require("node:fs");
    const st = fs.statSync(path);
    return st.isFile() && (st.mode & 0o111) !== 0;
  } catch (err) {
    const name = (err as Error)?.name;
    // Deno without --allow-read: the answer is unknown, not "missing".
    if (name === "NotCapable" || name === "PermissionDenied") return undefined;
    return false;
  }
}

/**
 * Finds `prog` the way `execvp` would, with the child's `PATH`: its path,
 * `null` when missing, `undefined` when this process may not look.
 */
export function which(
  prog: string,
  env: Record<string, string> | undefined,
  cwd: string | undefined,
): string | null | undefined {
  const abs = (p: string) =>
    p.startsWith("/") || !cwd ? p : `${cwd.replace(/\/$/, "")}/${p}`;
  if (prog.includes("/")) {
    const ok = _isExecutableFile(abs(prog));
    return ok === undefined ? undefined : ok ? prog : null;
  }
  const path = env ? env.PATH ?? "/bin:/usr/bin" : getEnv("PATH");
  if (path === undefined) return undefined;
  let unknown = false;
  for (const dir of path.split(":")) {
    const full = `${dir || "."}/${prog}`;
    const ok = _isExecutableFile(abs(full));
    if (ok) return full;
    if (ok === undefined) unknown = true;
  }
  return unknown ? undefined : null;
}
