/**
 * `outputSync()`: runs a child to the end while the calling thread blocks.
 * Bun uses `Bun.spawnSync`, Deno `Deno.Command.outputSync`; a Deno call with
 * input or a timeout runs `output()` in a helper worker
 * (`output_sync_entry.ts`) while this thread waits in `Atomics.wait`.
 * Design: docs/design/spawn.md
 *
 * @module
 */
import { entryUrl } from "../runtime/entry.ts";
import { FileNotFoundError, OSError, RuntimeError } from "../core/errors.ts";
import { bunNs, denoNs } from "../runtime/adapter.ts";
import { trackResource, untrackResource } from "../runtime/resources.ts";
import { checkArgv, mergePlan } from "./argv.ts";
import { MAX_TIMER_MS } from "./expiry.ts";
import { spawnError } from "./os_error.ts";
import {
  HELPER_NAME,
  type HelperResult,
  HelperState,
  type JobMessage,
  type SpaceMessage,
} from "./output_sync_protocol.ts";
import { sendSignal, statusFrom } from "./signals.ts";
import type { OutputResult, OutputSpec, OutputSyncOptions } from "./types.ts";

/**
 * The blocking form of {@linkcode output}: runs a child to the end while the
 * calling thread waits, honouring `timeoutMs` the same way. On Bun this is
 * `Bun.spawnSync`; on Deno it is `Deno.Command.outputSync` unless input or a
 * timeout is given, in which case a helper worker runs {@linkcode output} while
 * this thread blocks in `Atomics.wait` (see docs/design/spawn.md).
 *
 * @example
 * ```ts ignore
 * const r = outputSync(["sleep", "5"], { timeoutMs: 100 });
 * r.timedOut; // true, and the child has been killed and reaped
 * ```
 *
 * @throws {FileNotFoundError} the program or `cwd` does not exist.
 */
export function outputSync(
  argv: readonly string[],
  options: OutputSyncOptions = {},
): OutputResult {
  checkArgv(argv);
  for (const s of [options.stdin, options.stdout, options.stderr]) {
    if (s instanceof ReadableStream || s instanceof WritableStream) {
      throw new TypeError("outputSync() cannot forward web streams");
    }
  }
  if ((options.stdin as unknown) === "pipe") {
    throw new TypeError(
      "outputSync() cannot give stdin a pipe; pass the input bytes instead",
    );
  }
  const plan = mergePlan(argv, options);
  if (bunNs) return _outputSyncBun(plan.argv, argv[0], options, plan.stderr);
  const timeoutMs = options.timeoutMs ?? Infinity;
  const fdSlot = (s: unknown, own: number) =>
    typeof s === "number" && s !== own;
  if (
    timeoutMs === Infinity && !(options.stdin instanceof Uint8Array) &&
    !fdSlot(options.stdin, 0) && !fdSlot(options.stdout, 1) &&
    !fdSlot(plan.stderr, 2)
  ) {
    return _outputSyncDeno(plan.argv, argv[0], options, plan.stderr);
  }
  return _outputSyncHelper(argv, options);
}

function _denoSyncMode(s: unknown): string {
  if (s === undefined || typeof s === "number") return "inherit";
  return s === "pipe" ? "piped" : (s as string);
}

function _outputSyncDeno(
  argv: string[],
  prog: string,
  o: OutputSyncOptions,
  stderr: OutputSpec,
): OutputResult {
  let out;
  const token = {};
  trackResource("process", token, `${argv.join(" ")}`.slice(0, 200));
  try {
    out = new denoNs.Command(argv[0], {
      args: argv.slice(1),
      cwd: o.cwd,
      env: o.env,
      clearEnv: o.env !== undefined,
      stdin: _denoSyncMode(o.stdin),
      stdout: _denoSyncMode(o.stdout),
      stderr: _denoSyncMode(stderr),
      detached: o.newSession ?? false,
    }).outputSync();
  } catch (err) {
    throw spawnError(err, prog, o.cwd);
  } finally {
    untrackResource(token);
  }
  return {
    pid: null,
    status: statusFrom(out.code, out.signal),
    stdout: o.stdout === "pipe" ? out.stdout : null,
    stderr: stderr === "pipe" ? out.stderr : null,
    timedOut: false,
  };
}

function _bunSyncMode(s: unknown): unknown {
  if (s === undefined) return "inherit";
  if (s === "null") return "ignore";
  if (s instanceof Uint8Array) return s.length ? s : "ignore";
  return s;
}

function _outputSyncBun(
  argv: string[],
  prog: string,
  o: OutputSyncOptions,
  stderr: OutputSpec,
): OutputResult {
  const timeoutMs = o.timeoutMs ?? Infinity;
  let r;
  const token = {};
  trackResource("process", token, `${argv.join(" ")}`.slice(0, 200));
  try {
    r = bunNs.spawnSync(argv, {
      cwd: o.cwd,
      env: o.env,
      stdin: _bunSyncMode(o.stdin),
      stdout: _bunSyncMode(o.stdout),
      stderr: _bunSyncMode(stderr),
      detached: o.newSession ?? false,
      // Bun's timer takes 32-bit milliseconds; 24.8 days is "forever" here.
      ...(timeoutMs >= MAX_TIMER_MS ? {} : {
        timeout: Math.max(1, Math.ceil(timeoutMs)),
        killSignal: "SIGKILL",
      }),
    });
  } catch (err) {
    throw spawnError(err, prog, o.cwd);
  } finally {
    untrackResource(token);
  }
  const timedOut = r.exitedDueToTimeout === true;
  if (timedOut && o.newSession && r.pid) sendSignal(-r.pid, 9);
  const asBytes = (b: unknown) =>
    b instanceof Uint8Array
      ? new Uint8Array(b.buffer, b.byteOffset, b.byteLength)
      : new Uint8Array(0);
  return {
    pid: r.pid ?? null,
    status: statusFrom(r.exitCode, r.signalCode),
    stdout: o.stdout === "pipe" ? asBytes(r.stdout) : null,
    stderr: stderr === "pipe" ? asBytes(r.stderr) : null,
    timedOut,
  };
}

// --- Deno's blocking helper -------------------------------------------------

const _FIRST_BUFFER = 64 * 1024;

// One helper worker per thread is kept for a short while after each use, so
// a run of blocking calls pays for one worker start; an unref'd timer ends it
// once idle (a Deno web Worker cannot be unref'd, so an idle helper would
// otherwise keep the program alive).
const _HELPER_IDLE_MS = 200;
let _helper: { worker: Worker; timer?: ReturnType<typeof setTimeout> } | null =
  null;

function _takeHelper(): Worker {
  if (_helper) {
    clearTimeout(_helper.timer);
    _helper.timer = undefined;
    return _helper.worker;
  }
  const h = {
    worker: new Worker(entryUrl("_internal/spawn/output_sync_entry.ts"), {
      type: "module",
      name: HELPER_NAME,
    }),
  };
  trackResource("worker", h, "subprocess sync helper");
  _helper = h;
  return h.worker;
}

function _releaseHelper(healthy: boolean): void {
  const h = _helper;
  if (!h) return;
  const end = () => {
    h.worker.terminate();
    untrackResource(h);
    if (_helper === h) _helper = null;
  };
  if (!healthy) return end();
  h.timer = setTimeout(end, _HELPER_IDLE_MS);
  denoNs?.unrefTimer?.(h.timer);
}

function _outputSyncHelper(
  argv: readonly string[],
  o: OutputSyncOptions,
): OutputResult {
  const ctrl = new Int32Array(new SharedArrayBuffer(16));
  let data = new SharedArrayBuffer(_FIRST_BUFFER);
  const worker = _takeHelper();
  const token = {};
  trackResource("process", token, `${argv.join(" ")}`.slice(0, 200));
  let healthy = false;
  try {
    const job: JobMessage = {
      kind: "job",
      ctrl: ctrl.buffer,
      data,
      argv,
      options: o,
    };
    worker.postMessage(job);
    data = _waitForHelper(worker, ctrl, data);
    healthy = true;
  } finally {
    _releaseHelper(healthy);
    untrackResource(token);
  }
  return _readResult(data);
}

/**
 * Blocks until the helper is DONE, answering its requests for a larger
 * buffer; returns the buffer that holds the result.
 */
function _waitForHelper(
  worker: Worker,
  ctrl: Int32Array,
  data: SharedArrayBuffer,
): SharedArrayBuffer {
  // The worker marks STARTED when it takes the job; if it never does, it
  // failed to load and no 'error' event can reach this blocked thread.
  let started = false;
  for (;;) {
    const r = Atomics.wait(
      ctrl,
      0,
      HelperState.IDLE,
      started ? Infinity : 30_000,
    );
    const state = Atomics.load(ctrl, 0);
    if (r === "timed-out" && state === HelperState.IDLE) {
      throw new RuntimeError("subprocess helper worker did not start");
    }
    if (state === HelperState.STARTED) {
      started = true;
      Atomics.compareExchange(ctrl, 0, HelperState.STARTED, HelperState.IDLE);
      continue;
    }
    if (state === HelperState.NEED_SPACE) {
      data = new SharedArrayBuffer(Atomics.load(ctrl, 1));
      Atomics.store(ctrl, 0, HelperState.IDLE);
      const space: SpaceMessage = { kind: "space", data };
      worker.postMessage(space);
      continue;
    }
    if (state === HelperState.DONE) return data;
  }
}

/** Decodes the helper's result buffer; throws the error it reports. */
function _readResult(data: SharedArrayBuffer): OutputResult {
  const bytes = new Uint8Array(data);
  const view = new DataView(data);
  const headLen = view.getUint32(0);
  const head: HelperResult = JSON.parse(
    new TextDecoder().decode(bytes.slice(4, 4 + headLen)),
  );
  if (!head.ok) throw _rebuildError(head.error!);
  let off = 4 + headLen;
  const take = (n: number) => {
    if (n < 0) return null;
    const part = bytes.slice(off, off + n);
    off += n;
    return part;
  };
  const stdout = take(head.outLen!);
  const stderr = take(head.errLen!);
  return {
    pid: head.pid ?? null,
    status: head.status!,
    stdout,
    stderr,
    timedOut: head.timedOut!,
  };
}

/** The error the helper reported, as the class it was thrown as. */
function _rebuildError(e: NonNullable<HelperResult["error"]>): Error {
  let err: Error;
  if (e.errno !== undefined) {
    const os = e.errno === 2
      ? new FileNotFoundError(e.message)
      : new OSError(e.message);
    os.errno = e.errno;
    os.filename = e.filename;
    err = os;
  } else if (e.name === "TypeError") err = new TypeError(e.message);
  else err = new Error(e.message);
  err.name = e.name;
  return err;
}
