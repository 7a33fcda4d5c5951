/**
 * The helper worker of `outputSync()` on Deno: runs each job's child with the
 * async `output()` and writes the result into the caller's shared buffer
 * (asking for a larger one when needed), then wakes the blocked caller.
 * Design: docs/design/spawn.md
 *
 * @module
 */
import { output } from "./output.ts";
import {
  type HelperResult,
  HelperState,
  type JobMessage,
  type SpaceMessage,
} from "./output_sync_protocol.ts";

let _spaceWaiter: ((data: SharedArrayBuffer) => void) | null = null;

/** Runs the job's child; the result header and the bytes read. */
async function _run(
  argv: readonly string[],
  options: JobMessage["options"],
): Promise<
  { head: HelperResult; out: Uint8Array | null; err: Uint8Array | null }
> {
  try {
    const r = await output(argv, options);
    const out = r.stdout;
    const err = r.stderr;
    const head: HelperResult = {
      ok: true,
      pid: r.pid,
      status: r.status,
      timedOut: r.timedOut,
      outLen: out ? out.length : -1,
      errLen: err ? err.length : -1,
    };
    return { head, out, err };
  } catch (e) {
    // deno-lint-ignore no-explicit-any
    const x = e as any;
    const head: HelperResult = {
      ok: false,
      error: {
        name: String(x?.name ?? "Error"),
        message: String(x?.message ?? x),
        errno: x?.errno,
        filename: x?.filename,
      },
    };
    return { head, out: null, err: null };
  }
}

async function _helperMain(job: JobMessage): Promise<void> {
  const ctrl = new Int32Array(job.ctrl);
  let data = job.data;
  Atomics.store(ctrl, 0, HelperState.STARTED);
  Atomics.notify(ctrl, 0);
  const { head, out, err } = await _run(job.argv, job.options);
  const headBytes = new TextEncoder().encode(JSON.stringify(head));
  const need = 4 + headBytes.length + (out?.length ?? 0) + (err?.length ?? 0);
  if (need > data.byteLength) {
    // Overwriting STARTED here is fine: the caller only resets STARTED with a
    // compare-exchange, so it cannot erase NEED_SPACE.
    data = await new Promise<SharedArrayBuffer>((resolve) => {
      _spaceWaiter = resolve;
      Atomics.store(ctrl, 1, need);
      Atomics.store(ctrl, 0, HelperState.NEED_SPACE);
      Atomics.notify(ctrl, 0);
    });
  }
  const bytes = new Uint8Array(data);
  new DataView(data).setUint32(0, headBytes.length);
  bytes.set(headBytes, 4);
  let off = 4 + headBytes.length;
  if (out) bytes.set(out, off), off += out.length;
  if (err) bytes.set(err, off);
  Atomics.store(ctrl, 0, HelperState.DONE);
  Atomics.notify(ctrl, 0);
}

// deno-lint-ignore no-explicit-any
const _scope = globalThis as any;
// Jobs come one at a time: the thread that posted one blocks until DONE.
_scope.onmessage = (ev: MessageEvent<JobMessage | SpaceMessage>) => {
  if (ev.data.kind === "job") _helperMain(ev.data);
  else if (ev.data.kind === "space" && _spaceWaiter) {
    const give = _spaceWaiter;
    _spaceWaiter = null;
    give(ev.data.data);
  }
};
