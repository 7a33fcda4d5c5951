/**
 * What Deno must allow a program before it can start child processes of the
 * library, checked in the parent so that a missing permission is Deno's own
 * `NotCapable` error naming the flag to add, thrown where the program asked
 * for a child, never a child that dies at start. Design: docs/design/install.md
 *
 * @module
 */
import { denoAllows, denoNs, execPath } from "../runtime/adapter.ts";
import { tempDir } from "../runtime/temp_dir.ts";

/**
 * Whether the parent's socket for its children may live in Linux's abstract
 * namespace: always off Deno; on Deno only with network access, which Deno
 * requires for such a socket.
 */
export function socketMayBeAbstract(): boolean {
  return !denoNs || denoAllows({ name: "net" });
}

/**
 * Throws Deno's `NotCapable` error when the program may not start a child
 * of the library: run the runtime itself, open Unix sockets (network
 * access to Deno), and read and write the temp folder (the start file).
 * Does nothing off Deno.
 */
export function checkChildPermissions(): void {
  if (!denoNs) return;
  const exe = execPath();
  const dir = tempDir();
  // Deno counts every Unix socket as network access, so the socket to the
  // children needs --allow-net (an allow-list can name only exact socket
  // paths, and this one is new each run).
  const needs: [Record<string, string>, string, string][] = [
    [{ name: "run", command: exe }, "run", exe],
    [{ name: "net" }, "net", "unix:pyconc"],
    [{ name: "write", path: dir }, "write", dir],
    [{ name: "read", path: dir }, "read", dir],
  ];
  for (const [descriptor, flag, what] of needs) {
    if (!denoAllows(descriptor)) {
      throw new denoNs.errors.NotCapable(
        `Requires ${flag} access to "${what}", run again with the --allow-${flag} flag`,
      );
    }
  }
}
