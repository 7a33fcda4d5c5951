/**
 * Async futex waits on Bun (whose FFI has no nonblocking calls): one
 * helper thread per thread that waits (`waitv_entry.ts`, an unref'd
 * worker) sleeps in `futex_waitv` over every word this thread awaits at
 * once, plus a control word of its own; when a word changes, it wakes the
 * waiting promise through `Atomics.notify` on a `SharedArrayBuffer` slot
 * that this thread awaits with `Atomics.waitAsync`. A new wait bumps the
 * control word, so the helper rebuilds its list at once.
 *
 * Design: docs/design/shm.md
 *
 * @module
 */
import { entryUrl, startWorker } from "../runtime/entry.ts";

/** Slot states. */
export const FREE = 0;
export const WAITING = 1;
export const DONE = 2;
/** How many waits one helper watches at once (futex_waitv's limit is 128). */
export const SLOTS = 100;

interface _Helper {
  ctl: Int32Array;
  /** Wakes the helper (FUTEX_WAKE on the control word). */
  kick: () => void;
  free: number[];
}

let _helper: _Helper | null | undefined;

/**
 * The async wait of this thread, or `null` when it cannot have one.
 * `wake(addr, n)` and `ctlAddr` come from the FFI binding.
 */
export function waitvAsync(
  ctlAddr: (ctl: Int32Array) => unknown,
  wake: (addr: unknown, n: number) => void,
): ((addr: unknown, expected: number, ms: number) => Promise<unknown>) | null {
  return (addr, expected, ms) => {
    if (_helper === undefined) _helper = _start(ctlAddr, wake);
    const h = _helper;
    if (h === null || h.free.length === 0) {
      // No helper, or too many waits at once: a short pause instead.
      return new Promise((r) => setTimeout(r, Math.min(ms, 2)));
    }
    const i = h.free.pop()!;
    const ctl = h.ctl;
    const a = BigInt(addr as number);
    ctl[4 * i + 1] = expected;
    ctl[4 * i + 2] = Number(a & 0xffffffffn) | 0;
    ctl[4 * i + 3] = Number(a >> 32n) | 0;
    Atomics.store(ctl, 4 * i, WAITING);
    Atomics.add(ctl, 0, 1);
    h.kick();
    // waitAsync alone keeps no event loop alive: a timer holds it.
    const timer = setTimeout(() => {}, Math.max(1, ms));
    const r = Atomics.waitAsync(ctl, 4 * i, WAITING, ms);
    const done = () => {
      clearTimeout(timer);
      Atomics.store(ctl, 4 * i, FREE);
      h.free.push(i);
    };
    if (!r.async) {
      done();
      return Promise.resolve(r.value);
    }
    return r.value.then((v) => {
      done();
      return v;
    });
  };
}

function _start(
  ctlAddr: (ctl: Int32Array) => unknown,
  wake: (addr: unknown, n: number) => void,
): _Helper | null {
  try {
    const ctl = new Int32Array(new SharedArrayBuffer(4 * 4 * (SLOTS + 1)));
    const worker = startWorker(
      entryUrl("_internal/shm/waitv_entry.ts"),
      { workerData: { ctl: ctl.buffer } },
    );
    worker.on("error", (err: unknown) => {
      console.error("pyconc: shared memory wait helper failed:", err);
    });
    worker.unref();
    const at = ctlAddr(ctl);
    const free: number[] = [];
    for (let i = SLOTS; i >= 1; i--) free.push(i);
    return { ctl, kick: () => wake(at, 1), free };
  } catch {
    return null;
  }
}
