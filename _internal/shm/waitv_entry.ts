/**
 * The helper thread of `waitv.ts` (Bun): sleeps in `futex_waitv` over
 * the words its thread awaits and the control word, and marks the slots
 * whose word changed (`DONE`, then `Atomics.notify`). Sleeps are bounded
 * (50 ms) so the thread never sits in the kernel for long.
 *
 * @module
 */
import { workerData } from "node:worker_threads";

const { ctl: ctlBuf } = workerData as { ctl: SharedArrayBuffer };
const ctl = new Int32Array(ctlBuf);
const SLOTS = ctl.length / 4 - 1;
const WAITING = 1;
const DONE = 2;
const FUTEX_32 = 2;
const CLOCK_MONOTONIC = 1;
const SYS_FUTEX_WAITV = 449;

// deno-lint-ignore no-explicit-any
const ffi = (import.meta as any).require("bun:ffi");
const lib = ffi.dlopen("libc.so.6", {
  syscall: { args: ["i64", "ptr", "u32", "u32", "ptr", "i32"], returns: "i64" },
  clock_gettime: { args: ["i32", "ptr"], returns: "i32" },
});
const s = lib.symbols;
const readI32 = ffi.read.i32 as (p: number, off: number) => number;
// struct futex_waitv { u64 val; u64 uaddr; u32 flags; u32 reserved; }
// Own ArrayBuffers, addresses taken at each call (JSC may move the storage
// of small typed arrays).
const vec = new BigUint64Array(new ArrayBuffer(24 * (SLOTS + 1)));
const vec32 = new Uint32Array(vec.buffer);
const ts = new BigInt64Array(new ArrayBuffer(16));
const ctlPtr = ffi.ptr(ctl);

function addrOf(i: number): number {
  return (ctl[4 * i + 3] >>> 0) * 2 ** 32 + (ctl[4 * i + 2] >>> 0);
}

for (;;) {
  const gen = Atomics.load(ctl, 0);
  let n = 0;
  const add = (val: number, addr: number) => {
    vec[3 * n] = BigInt(val >>> 0);
    vec[3 * n + 1] = BigInt(addr);
    vec32[6 * n + 4] = FUTEX_32;
    vec32[6 * n + 5] = 0;
    n++;
  };
  add(gen, ctlPtr);
  for (let i = 1; i <= SLOTS; i++) {
    if (Atomics.load(ctl, 4 * i) !== WAITING) continue;
    const addr = addrOf(i);
    if (readI32(addr, 0) !== ctl[4 * i + 1]) {
      // Not over a slot its thread freed meanwhile (a timeout).
      if (Atomics.compareExchange(ctl, 4 * i, WAITING, DONE) === WAITING) {
        Atomics.notify(ctl, 4 * i);
      }
      continue;
    }
    add(ctl[4 * i + 1], addr);
  }
  s.clock_gettime(CLOCK_MONOTONIC, ffi.ptr(ts));
  ts[1] += 50_000_000n;
  if (ts[1] >= 1_000_000_000n) {
    ts[1] -= 1_000_000_000n;
    ts[0] += 1n;
  }
  // Returns when a word differs from its value here, is woken, or at the
  // deadline; the loop above then marks what changed.
  s.syscall(SYS_FUTEX_WAITV, ffi.ptr(vec), n, 0, ffi.ptr(ts), CLOCK_MONOTONIC);
}
