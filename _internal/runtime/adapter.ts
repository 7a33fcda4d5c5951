/**
 * The runtime adapter: the one place that knows whether the code runs on
 * Deno, Bun or Node. Module code asks here instead of touching `Deno.*` or
 * `Bun.*` itself. Process spawning lives in `_internal/spawn/`.
 *
 * @module
 */

// deno-lint-ignore no-explicit-any
const _g = globalThis as any;

/** Which JavaScript runtime is running this code. */
export type RuntimeName = "deno" | "bun" | "node";

/** The runtime running this code. */
export const runtime: RuntimeName = typeof _g.Bun !== "undefined"
  ? "bun"
  : typeof _g.Deno !== "undefined"
  ? "deno"
  : "node";

/** `Deno` when running on Deno; typed loosely so this file compiles anywhere. */
// deno-lint-ignore no-explicit-any
export const denoNs: any = runtime === "deno" ? _g.Deno : undefined;
/** `Bun` when running on Bun. */
// deno-lint-ignore no-explicit-any
export const bunNs: any = runtime === "bun" ? _g.Bun : undefined;
/** Node's `process` object (Bun has one; Deno exposes one as a global too). */
// deno-lint-ignore no-explicit-any
export const nodeProcess: any = _g.process;

/** The id of this OS process. */
export function pid(): number {
  if (denoNs) return denoNs.pid;
  return nodeProcess.pid;
}

/** The id of the parent OS process. */
export function ppid(): number {
  if (denoNs) return Number(denoNs.ppid);
  return nodeProcess.ppid;
}

/** The path of the running runtime's executable (`deno`, `bun` or `node`). */
export function execPath(): string {
  if (denoNs) return denoNs.execPath();
  return nodeProcess.execPath;
}

/** The number of logical CPUs, like Python's `os.cpu_count()`. */
export function cpuCount(): number {
  return _g.navigator?.hardwareConcurrency ?? 1;
}

/** Reads an environment variable, or `undefined` when unset or not allowed. */
export function getEnv(name: string): string | undefined {
  try {
    if (denoNs) return denoNs.env.get(name);
    return nodeProcess.env[name];
  } catch {
    return undefined;
  }
}

/** The current working directory. */
export function cwd(): string {
  if (denoNs) return denoNs.cwd();
  return nodeProcess.cwd();
}

/** Writes text to standard error without a trailing newline. */
export function writeStderr(text: string): void {
  const bytes = new TextEncoder().encode(text);
  if (denoNs) {
    let off = 0;
    while (off < bytes.length) {
      off += denoNs.stderr.writeSync(bytes.subarray(off));
    }
    return;
  }
  nodeProcess.stderr.write(bytes);
}

/** Ends this process with `code`. */
export function exit(code: number): never {
  if (denoNs) denoNs.exit(code);
  nodeProcess.exit(code);
  throw new Error("unreachable");
}

/** Stops a timer from keeping the event loop alive. */
export function unrefTimer(id: ReturnType<typeof setTimeout>): void {
  if (denoNs && typeof id === "number") denoNs.unrefTimer(id);
  else (id as unknown as { unref?: () => void }).unref?.();
}

/**
 * Whether reading `path` is allowed without asking: always outside Deno;
 * on Deno only when the read permission is already granted (so the library
 * never makes Deno prompt the user).
 */
export function readAllowed(path: string): boolean {
  return !denoNs || denoAllows({ name: "read", path });
}

/**
 * Whether Deno grants `descriptor` (a `Deno.permissions` descriptor) without
 * asking: never prompts, and `false` when the query itself fails. Off Deno
 * there is no permission model, but callers check `denoNs` first.
 */
export function denoAllows(descriptor: Record<string, string>): boolean {
  try {
    return denoNs.permissions.querySync(descriptor).state === "granted";
  } catch {
    return false;
  }
}

/** Whether a process with this pid exists (signal 0, as `kill -0`). */
export function processAlive(target: number): boolean {
  try {
    nodeProcess.kill(target, 0);
    return true;
  } catch (err) {
    return (err as { code?: string }).code === "EPERM";
  }
}
