/**
 * The FFI adapter of mechanism (2) of multiprocessing's shared objects
 * (real shared memory): the few libc calls it needs, bound through
 * `Deno.dlopen` or `bun:ffi`, and nothing else. `arena.ts` builds the
 * memory on it, `sync.ts` the locks.
 *
 * Design: docs/design/shm.md
 *
 * @module
 */
import { bunNs, denoNs, nodeProcess } from "../runtime/adapter.ts";
import { waitvAsync } from "./waitv.ts";

/** A mapping of shared memory in this thread. */
export interface ShmMapping {
  /** The bytes, readable and writable with typed arrays and Atomics. */
  readonly buffer: ArrayBuffer;
  /** The address of the first byte (a pointer object on Deno, a number on Bun). */
  readonly base: unknown;
}

/** The libc calls of mechanism (2), bound for this thread. */
export interface ShmFfi {
  /** Creates a memfd of `size` bytes and maps it; `null` on failure. */
  create(size: number): { fd: number; map: ShmMapping } | null;
  /** Maps `size` bytes of memfd `fd` of process `pid`; `null` when it cannot. */
  open(pid: number, fd: number, size: number): ShmMapping | null;
  /** The futex address of byte `offset` of a mapping. */
  addr(map: ShmMapping, offset: number): unknown;
  /** Sleeps while the int32 at `addr` holds `expected`, at most `ms` ms (a wake or a signal ends it sooner). */
  wait(addr: unknown, expected: number, ms: number): void;
  /** The async form of `wait` (Deno's nonblocking FFI); `null` where the runtime has none (Bun). */
  waitAsync:
    | ((addr: unknown, expected: number, ms: number) => Promise<unknown>)
    | null;
  /** Bun's async wait through a helper thread in futex_waitv (`waitv.ts`); used by the pipes' rings. */
  waitvAsync?:
    | ((addr: unknown, expected: number, ms: number) => Promise<unknown>)
    | null;
  /** Wakes up to `n` sleepers on `addr`. */
  wake(addr: unknown, n: number): void;
  /** Whether process `pid` has exited (a zombie has). */
  pidDead(pid: number): boolean;
}

const FUTEX_WAIT = 0;
const FUTEX_WAKE = 1;
const MFD_CLOEXEC = 1;
const PROT_RW = 3;
const MAP_SHARED = 1;
const O_RDONLY = 0;
const O_RDWR = 2;
const O_CLOEXEC = 0o2000000;

const _enc = new TextEncoder();
const _cstr = (s: string): Uint8Array => _enc.encode(s + "\0");

function _futexNr(): number | null {
  const os = denoNs ? denoNs.build.os : nodeProcess?.platform;
  const arch = denoNs ? denoNs.build.arch : nodeProcess?.arch;
  if (os !== "linux") return null;
  if (arch === "x86_64" || arch === "x64") return 202;
  if (arch === "aarch64" || arch === "arm64") return 98;
  return null;
}

/** A user-space address returned by mmap, or null for MAP_FAILED. */
function _okAddr(v: number | bigint | null): boolean {
  if (v === null || v === 0 || v === 0n) return false;
  const n = BigInt(v);
  return n > 0n && n < 1n << 56n;
}

function _denoFfi(nr: number): ShmFfi | null {
  const D = denoNs;
  try {
    if (D.permissions.querySync({ name: "ffi" }).state !== "granted") {
      return null;
    }
  } catch {
    return null;
  }
  const sys = ["i64", "pointer", "i32", "i32", "pointer", "pointer", "i32"];
  let lib;
  try {
    lib = D.dlopen("libc.so.6", {
      memfd_create: { parameters: ["buffer", "u32"], result: "i32" },
      ftruncate: { parameters: ["i32", "i64"], result: "i32" },
      mmap: {
        parameters: ["pointer", "usize", "i32", "i32", "i32", "i64"],
        result: "pointer",
      },
      open: { parameters: ["buffer", "i32"], result: "i32" },
      read: { parameters: ["i32", "buffer", "usize"], result: "isize" },
      close: { parameters: ["i32"], result: "i32" },
      syscall: { parameters: sys, result: "i64" },
      futex_nb: {
        name: "syscall",
        parameters: sys,
        result: "i64",
        nonblocking: true,
      },
    });
  } catch {
    return null;
  }
  const s = lib.symbols;
  const P = D.UnsafePointer;
  const V = D.UnsafePointerView;
  const bnr = BigInt(nr);
  // One timespec for the blocking waits of this thread (they never overlap).
  // An ArrayBuffer of its own: V8 may move a small typed array's storage.
  const ts = new BigInt64Array(new ArrayBuffer(16));
  const tsPtr = P.of(ts);
  const map = (fd: number, size: number): ShmMapping | null => {
    const base = s.mmap(null, BigInt(size), PROT_RW, MAP_SHARED, fd, 0n);
    if (!_okAddr(base === null ? null : P.value(base))) return null;
    return { buffer: V.getArrayBuffer(base, size), base };
  };
  const statBuf = new Uint8Array(512);
  return {
    create(size) {
      const fd = s.memfd_create(_cstr("pyconc-shm"), MFD_CLOEXEC);
      if (fd < 0) return null;
      if (s.ftruncate(fd, BigInt(size)) !== 0) {
        s.close(fd);
        return null;
      }
      const m = map(fd, size);
      if (!m) {
        s.close(fd);
        return null;
      }
      return { fd, map: m };
    },
    open(pid, fd, size) {
      const f = s.open(_cstr(`/proc/${pid}/fd/${fd}`), O_RDWR | O_CLOEXEC);
      if (f < 0) return null;
      try {
        return map(f, size);
      } finally {
        // The mapping stays valid after the descriptor is closed.
        s.close(f);
      }
    },
    addr(m, offset) {
      return P.offset(m.base, offset);
    },
    wait(addr, expected, ms) {
      _setTs(ts, ms);
      s.syscall(bnr, addr, FUTEX_WAIT, expected, tsPtr, null, 0);
    },
    waitAsync(addr, expected, ms) {
      const t = new BigInt64Array(new ArrayBuffer(16));
      _setTs(t, ms);
      // `t` stays referenced by this closure until the call returns.
      return s.futex_nb(bnr, addr, FUTEX_WAIT, expected, P.of(t), null, 0)
        .then((r: unknown) => {
          void t;
          return r;
        });
    },
    wake(addr, n) {
      s.syscall(bnr, addr, FUTEX_WAKE, n, null, null, 0);
    },
    pidDead(pid) {
      return _statDead(
        () => s.open(_cstr(`/proc/${pid}/stat`), O_RDONLY | O_CLOEXEC),
        (fd) => Number(s.read(fd, statBuf, BigInt(statBuf.length))),
        (fd) => s.close(fd),
        statBuf,
      );
    },
  };
}

function _bunFfi(nr: number): ShmFfi | null {
  let ffi;
  try {
    // A synchronous import: objects are made in constructors.
    ffi = (import.meta as unknown as { require(id: string): unknown })
      // deno-lint-ignore no-explicit-any
      .require("bun:ffi") as any;
  } catch {
    return null;
  }
  const { dlopen, toArrayBuffer, ptr } = ffi;
  const sys = ["i64", "ptr", "i32", "i32", "ptr", "ptr", "i32"];
  let lib;
  try {
    lib = dlopen("libc.so.6", {
      memfd_create: { args: ["ptr", "u32"], returns: "i32" },
      ftruncate: { args: ["i32", "i64"], returns: "i32" },
      mmap: {
        args: ["ptr", "usize", "i32", "i32", "i32", "i64"],
        returns: "ptr",
      },
      open: { args: ["ptr", "i32"], returns: "i32" },
      read: { args: ["i32", "ptr", "u64"], returns: "i64" },
      close: { args: ["i32"], returns: "i32" },
      syscall: { args: sys, returns: "i64" },
    });
  } catch {
    return null;
  }
  const s = lib.symbols;
  // Buffers handed to libc are backed by an ArrayBuffer of their own and
  // their address is taken at each call: JSC may move the storage of a
  // small typed array, and a pointer taken once would then go stale (a
  // stat read into moved memory made dead processes look alive).
  const ts = new BigInt64Array(new ArrayBuffer(16));
  const map = (fd: number, size: number): ShmMapping | null => {
    const base = s.mmap(null, size, PROT_RW, MAP_SHARED, fd, 0) as number;
    if (!_okAddr(base)) return null;
    return { buffer: toArrayBuffer(base, 0, size), base };
  };
  const statBuf = new Uint8Array(new ArrayBuffer(512));
  return {
    create(size) {
      const fd = s.memfd_create(ptr(_cstr("pyconc-shm")), MFD_CLOEXEC);
      if (fd < 0) return null;
      if (s.ftruncate(fd, size) !== 0) {
        s.close(fd);
        return null;
      }
      const m = map(fd, size);
      if (!m) {
        s.close(fd);
        return null;
      }
      return { fd, map: m };
    },
    open(pid, fd, size) {
      const f = s.open(
        ptr(_cstr(`/proc/${pid}/fd/${fd}`)),
        O_RDWR | O_CLOEXEC,
      );
      if (f < 0) return null;
      try {
        return map(f, size);
      } finally {
        s.close(f);
      }
    },
    addr(m, offset) {
      return (m.base as number) + offset;
    },
    wait(addr, expected, ms) {
      _setTs(ts, ms);
      s.syscall(nr, addr, FUTEX_WAIT, expected, ptr(ts), null, 0);
    },
    // Bun has no nonblocking FFI: async waits poll (see sync.ts).
    waitAsync: null,
    // The pipes' rings wait through a helper thread in futex_waitv
    // (see waitv.ts).
    waitvAsync: waitvAsync(
      (ctl) => ptr(ctl),
      (addr, n) => s.syscall(nr, addr, FUTEX_WAKE, n, null, null, 0),
    ),
    wake(addr, n) {
      s.syscall(nr, addr, FUTEX_WAKE, n, null, null, 0);
    },
    pidDead(pid) {
      return _statDead(
        () => s.open(ptr(_cstr(`/proc/${pid}/stat`)), O_RDONLY | O_CLOEXEC),
        (fd) => Number(s.read(fd, ptr(statBuf), statBuf.length)),
        (fd) => s.close(fd),
        statBuf,
      );
    },
  };
}

function _setTs(ts: BigInt64Array, ms: number): void {
  const whole = Math.max(0, Math.floor(ms));
  ts[0] = BigInt(Math.floor(whole / 1000));
  ts[1] = BigInt(
    (whole % 1000) * 1_000_000 +
      Math.floor((Math.max(0, ms) - whole) * 1_000_000),
  );
}

/** Reads `/proc/<pid>/stat`: gone, or in state Z or X, means dead. */
function _statDead(
  open: () => number,
  read: (fd: number) => number,
  close: (fd: number) => void,
  buf: Uint8Array,
): boolean {
  const fd = open();
  if (fd < 0) return true;
  let n: number;
  try {
    n = read(fd);
  } finally {
    close(fd);
  }
  if (n <= 0) return true;
  // The command name is in parentheses and may hold spaces or ")".
  let i = n - 1;
  while (i > 0 && buf[i] !== 0x29) i--;
  const state = buf[i + 2];
  return state === 0x5a /* Z */ || state === 0x58 /* X */;
}

let _ffi: ShmFfi | null | undefined;
let _disabled = false;

/**
 * The FFI of this thread, bound on first use; `null` when mechanism (2)
 * is not available here (no ffi permission on Deno, not Linux, disabled).
 */
export function shmFfi(): ShmFfi | null {
  if (_disabled) return null;
  if (_ffi !== undefined) return _ffi;
  const nr = _futexNr();
  _ffi = nr === null
    ? null
    : denoNs
    ? _denoFfi(nr)
    : bunNs
    ? _bunFfi(nr)
    : null;
  return _ffi;
}

/**
 * @internal For tests: turns mechanism (2) off (or on again) in this
 * thread; handles rebuilt while it is off use the process serving the
 * object instead.
 */
export function _setShmDisabled(disabled: boolean): void {
  _disabled = disabled;
}
