/**
 * `output()`: runs a child to the end, feeding its stdin and reading both
 * output pipes at once, with an optional timeout that kills the child (or
 * its process group) and keeps what was read so far.
 * Design: docs/design/spawn.md
 *
 * @module
 */
import { expiry } from "./expiry.ts";
import { spawn } from "./spawn.ts";
import { Collector, readAll } from "./streams.ts";
import type { OutputOptions, OutputResult } from "./types.ts";

/**
 * Runs a child to the end: feeds `stdin` (bytes are written, then the pipe is
 * closed; `"pipe"` gives the child an empty stdin), reads stdout and stderr at the same time (so a child that fills
 * one pipe never blocks), and waits until it has exited and both pipes are
 * at EOF. On timeout the child (with `newSession`, its whole process group)
 * is killed with SIGKILL and reaped, and the result says `timedOut` and
 * carries what had been read.
 *
 * @example
 * ```ts ignore
 * const r = await output(["echo", "hi"], { stdout: "pipe", timeoutMs: 5000 });
 * new TextDecoder().decode(r.stdout!); // "hi\n"
 * ```
 *
 * @throws {FileNotFoundError} the program or `cwd` does not exist.
 */
export async function output(
  argv: readonly string[],
  options: OutputOptions = {},
): Promise<OutputResult> {
  // Nobody else can reach a piped stdin here: give the child EOF at once.
  const child = spawn(
    argv,
    options.stdin === "pipe"
      ? { ...options, stdin: new Uint8Array(0) }
      : options,
  );
  const timeoutMs = options.timeoutMs ?? Infinity;
  if (timeoutMs === Infinity) {
    // No partial output can be asked for: let the runtime collect each pipe
    // natively (both at once), which is faster than a chunk loop.
    const [stdout, stderr, status] = await Promise.all([
      child.stdout ? readAll(child.stdout) : null,
      child.stderr ? readAll(child.stderr) : null,
      child.exited,
    ]);
    return { pid: child.pid, status, stdout, stderr, timedOut: false };
  }
  const out = child.stdout ? new Collector(child.stdout) : null;
  const err = child.stderr ? new Collector(child.stderr) : null;
  const ends: Promise<unknown>[] = [child.exited];
  if (out) ends.push(out.done);
  if (err) ends.push(err.done);
  let timedOut = false;
  const timer = expiry(timeoutMs);
  await Promise.race([
    Promise.all(ends),
    timer.expired.then(() => {
      timedOut = true;
    }),
  ]);
  timer.cancel();
  if (timedOut) {
    // Kill first, then reap; a grandchild may still hold the pipes open,
    // so stop reading rather than wait for EOF.
    child.kill("SIGKILL", false);
    if (options.newSession) child.kill("SIGKILL", true);
    await child.exited;
    await Promise.all([out?.cancel(), err?.cancel()]);
  }
  return {
    pid: child.pid,
    status: child.status!,
    stdout: out ? out.bytes() : null,
    stderr: err ? err.bytes() : null,
    timedOut,
  };
}
