/**
 * `spawn()`: starts a child with `Deno.Command` or `Bun.spawn` and returns
 * its `ChildProcess` handle (pid, web streams, `kill`, `exited`). Every
 * child is tracked with `trackResource("process", ...)` until it is reaped.
 * Design: docs/design/spawn.md
 *
 * @module
 */
import { bunNs, denoNs } from "../runtime/adapter.ts";
import { trackResource, untrackResource } from "../runtime/resources.ts";
import { checkArgv, mergePlan } from "./argv.ts";
import { spawnError } from "./os_error.ts";
import { sendSignal, signalNumber, statusFrom } from "./signals.ts";
import { bunIn, bunOut, denoIn, denoOut, type Slot, wire } from "./stdio.ts";
import { markChildOutput, sinkStream } from "./streams.ts";
import type {
  ChildProcess,
  ExitStatus,
  OutputSpec,
  SpawnOptions,
} from "./types.ts";

/** The {@linkcode ChildProcess} over a runtime's own child handle. */
class _Child implements ChildProcess {
  readonly pid: number;
  readonly stdin: WritableStream<Uint8Array> | null;
  readonly stdout: ReadableStream<Uint8Array> | null;
  readonly stderr: ReadableStream<Uint8Array> | null;
  readonly exited: Promise<ExitStatus>;
  status: ExitStatus | null = null;
  // deno-lint-ignore no-explicit-any
  #handle: any;

  constructor(
    // deno-lint-ignore no-explicit-any
    handle: any,
    pid: number,
    stdio: {
      stdin: WritableStream<Uint8Array> | null;
      stdout: ReadableStream<Uint8Array> | null;
      stderr: ReadableStream<Uint8Array> | null;
    },
    rawExit: Promise<ExitStatus>,
    pumps: Promise<unknown>[],
    label: string,
  ) {
    this.#handle = handle;
    this.pid = pid;
    this.stdin = stdio.stdin;
    this.stdout = stdio.stdout;
    this.stderr = stdio.stderr;
    trackResource("process", this, `pid ${pid}: ${label}`);
    const reaped = rawExit.then((st) => {
      this.status = st;
      untrackResource(this);
      return st;
    });
    this.exited = pumps.length
      ? reaped.then(async (st) => {
        await Promise.allSettled(pumps);
        return st;
      })
      : reaped;
  }

  kill(signal: string | number = "SIGTERM", group = false): boolean {
    const signo = signalNumber(signal);
    if (group) return sendSignal(-this.pid, signo);
    if (this.status) return false;
    try {
      this.#handle.kill(signo);
      return true;
    } catch {
      return false; // exited, not yet reported
    }
  }

  ref(): void {
    this.#handle.ref();
  }

  unref(): void {
    this.#handle.unref();
  }
}

/**
 * Starts `argv[0]` with arguments `argv.slice(1)`, looked up on the child's
 * `PATH`, and returns at once with a handle to it.
 *
 * @example Read a child's output
 * ```ts ignore
 * const child = spawn(["echo", "hi"], { stdout: "pipe" });
 * const text = await new Response(child.stdout).text();
 * const status = await child.exited; // { returncode: 0, code: 0, signal: null }
 * ```
 *
 * @throws {FileNotFoundError} the program or `cwd` does not exist.
 * @throws {OSError} the program cannot be run (errno 13: not executable).
 * @throws {TypeError} `argv` is not a non-empty array of strings.
 */
export function spawn(
  argv: readonly string[],
  options: SpawnOptions = {},
): ChildProcess {
  checkArgv(argv);
  const plan = mergePlan(argv, options);
  const label = argv.join(" ").slice(0, 200);
  return bunNs
    ? _spawnBun(plan.argv, argv[0], options, plan.stderr, label)
    : _spawnDeno(plan.argv, argv[0], options, plan.stderr, label);
}

function _spawnDeno(
  argv: string[],
  prog: string,
  o: SpawnOptions,
  stderr: OutputSpec,
  label: string,
): ChildProcess {
  const slots: [Slot, Slot, Slot] = [
    denoIn(o.stdin),
    denoOut(o.stdout, 1),
    denoOut(stderr, 2),
  ];
  let child;
  try {
    child = new denoNs.Command(argv[0], {
      args: argv.slice(1),
      cwd: o.cwd,
      env: o.env,
      clearEnv: o.env !== undefined,
      stdin: slots[0].mode,
      stdout: slots[1].mode,
      stderr: slots[2].mode,
      detached: o.newSession ?? false,
    }).spawn();
  } catch (err) {
    for (const s of slots) s.close?.();
    throw spawnError(err, prog, o.cwd);
  }
  const { stdio, pumps } = wire(
    slots[0].mode === "piped" ? child.stdin : null,
    slots[1].mode === "piped" ? child.stdout : null,
    slots[2].mode === "piped" ? child.stderr : null,
    slots,
  );
  markChildOutput(stdio.stdout);
  markChildOutput(stdio.stderr);
  const rawExit = child.status.then((
    st: { code: number; signal: string | null },
  ) => statusFrom(st.code, st.signal));
  return new _Child(
    child,
    child.pid,
    stdio,
    rawExit,
    pumps,
    label,
  );
}

function _spawnBun(
  argv: string[],
  prog: string,
  o: SpawnOptions,
  stderr: OutputSpec,
  label: string,
): ChildProcess {
  const slots: [Slot, Slot, Slot] = [
    bunIn(o.stdin),
    bunOut(o.stdout),
    bunOut(stderr),
  ];
  let proc;
  try {
    proc = bunNs.spawn(argv, {
      cwd: o.cwd,
      env: o.env,
      stdin: slots[0].mode,
      stdout: slots[1].mode,
      stderr: slots[2].mode,
      detached: o.newSession ?? false,
    });
  } catch (err) {
    throw spawnError(err, prog, o.cwd);
  }
  const { stdio, pumps } = wire(
    slots[0].mode === "pipe" ? sinkStream(proc.stdin) : null,
    slots[1].mode === "pipe" ? proc.stdout : null,
    slots[2].mode === "pipe" ? proc.stderr : null,
    slots,
  );
  markChildOutput(stdio.stdout);
  markChildOutput(stdio.stderr);
  const rawExit = proc.exited.then(() =>
    statusFrom(proc.exitCode, proc.signalCode)
  );
  return new _Child(
    proc,
    proc.pid,
    stdio,
    rawExit,
    pumps,
    label,
  );
}
