/**
 * The rings of multiprocessing's pipes in shared memory (mechanism (2)):
 * one block of `arena.ts` per direction, a header of words and a byte ring
 * that every process holding an end maps; frames, the per-end locks,
 * sleeping, and noticing an end that closed or died.
 *
 * Design: docs/design/shm.md
 *
 * @module
 */
import { EOFError, OSError } from "../core/errors.ts";
import type { ShmCell, ShmLoc } from "./arena.ts";
import { POLL_MAX_MS, SLICE_MS } from "./sync.ts";

/**
 * Words of a ring's header (32 words, 128 bytes; the bytes follow).
 * - `Head`, `Tail`: positions written and read, modulo twice the ring
 *   size; `Head` is stored by the writer holding `WLock`, `Tail` by the
 *   reader holding `RLock`.
 * - `WLock`, `RLock`: the pid of the process writing (reading) a frame, 0
 *   when free; taken by compare-and-swap.
 * - `WaitData`, `WaitSpace`, `WaitW`, `WaitR`: how many sleep on `Head`,
 *   `Tail`, `WLock`, `RLock`.
 * - `Flags`: `W_CLOSED` (no process holds the writing end any more: EOF
 *   once drained), `R_CLOSED` (nobody can read: "Broken pipe"), `BROKEN`
 *   (a process died mid-frame); set by the server, or by a waiter that
 *   found a dead pid.
 * - `Size`: the ring's size in bytes.
 * - `Writers`..: pids that held the writing end (`PIDS` slots), then
 *   `Readers`..: those of the reading end; `Over` says a table is full (it
 *   then proves nothing).
 */
export const RingWord = {
  Head: 0,
  Tail: 1,
  WLock: 2,
  RLock: 3,
  WaitData: 4,
  WaitSpace: 5,
  WaitW: 6,
  WaitR: 7,
  Flags: 8,
  Size: 9,
  Over: 10,
  Writers: 12,
  Readers: 22,
} as const;

/** Slots of each pid table. */
const PIDS = 10;
/** Bytes of the header. */
const HEADER = 128;
/** Flag: the writing end is closed everywhere. */
export const W_CLOSED = 1;
/** Flag: the reading end is closed everywhere. */
export const R_CLOSED = 2;
/** Flag: a process died in the middle of a frame. */
export const BROKEN = 4;

/** The bytes to ask the arena for per ring (a 128 KiB chunk). */
export const RING_BLOCK = 131072 - 16;

/** Kinds of frame. */
export const KIND_VALUE = 0;
export const KIND_BYTES = 1;

/** A message read from a ring. */
export interface Frame {
  kind: number;
  bytes: Uint8Array;
}

/** How long a waiter spins before it sleeps, in ms. */
const SPIN_MS = 0.05;

const _brokenPipe = () => new OSError("[Errno 32] Broken pipe");

/** A wait a step of a ring operation asks for: sleep while word `k` holds `v`. */
type _Wait = [k: number, v: number, safe: boolean];

/** The word counting the sleepers on word `k`. */
function _waitersOf(k: number): number {
  switch (k) {
    case RingWord.Head:
      return RingWord.WaitData;
    case RingWord.Tail:
      return RingWord.WaitSpace;
    case RingWord.WLock:
      return RingWord.WaitW;
    default:
      return RingWord.WaitR;
  }
}

/** Initialises a new ring's header (its block is zeroed). */
export function ringInit(c: ShmCell): void {
  const size = c.loc.n - HEADER;
  Atomics.store(c.i32, c.w + RingWord.Size, size);
}

/** One direction of a pipe, mapped in this thread. */
export class Ring {
  readonly i32: Int32Array;
  readonly w: number;
  readonly size: number;
  readonly data: Uint8Array;
  /** The block this ring lives in. */
  readonly cell: ShmCell;
  readonly #scratch = new Uint8Array(8);
  readonly #view = new DataView(this.#scratch.buffer);

  constructor(cell: ShmCell) {
    this.cell = cell;
    this.i32 = cell.i32;
    this.w = cell.w;
    this.size = Atomics.load(this.i32, this.w + RingWord.Size);
    this.data = new Uint8Array(
      cell.map.buffer,
      cell.loc.o + HEADER,
      this.size,
    );
  }

  /** The block's location. */
  get loc(): ShmLoc {
    return this.cell.loc;
  }

  #load(k: number): number {
    return Atomics.load(this.i32, this.w + k);
  }

  #used(head: number, tail: number): number {
    const d = head - tail;
    return d < 0 ? d + 2 * this.size : d;
  }

  #adv(p: number, n: number): number {
    const q = p + n;
    return q >= 2 * this.size ? q - 2 * this.size : q;
  }

  #put(pos: number, src: Uint8Array, off: number, n: number): void {
    const size = this.size;
    const idx = pos >= size ? pos - size : pos;
    const first = Math.min(n, size - idx);
    this.data.set(src.subarray(off, off + first), idx);
    if (n > first) this.data.set(src.subarray(off + first, off + n), 0);
  }

  #get(pos: number, dst: Uint8Array, off: number, n: number): void {
    const size = this.size;
    const idx = pos >= size ? pos - size : pos;
    const first = Math.min(n, size - idx);
    dst.set(this.data.subarray(idx, idx + first), off);
    if (n > first) dst.set(this.data.subarray(0, n - first), off + first);
  }

  #wake(k: number): void {
    if (Atomics.load(this.i32, this.w + _waitersOf(k)) > 0) {
      this.cell.ffi.wake(this.cell.addr(k), 0x7fffffff);
    }
  }

  /** Wakes every sleeper (flags changed). */
  wakeAll(): void {
    for (
      const k of [RingWord.Head, RingWord.Tail, RingWord.WLock, RingWord.RLock]
    ) {
      this.cell.ffi.wake(this.cell.addr(k), 0x7fffffff);
    }
  }

  /** The flags. */
  flags(): number {
    return this.#load(RingWord.Flags);
  }

  /** Sets flags and wakes every sleeper. */
  setFlags(f: number): void {
    Atomics.or(this.i32, this.w + RingWord.Flags, f);
    this.wakeAll();
  }

  /** Records `pid` as a holder of the writing (`writer`) or reading end. */
  addHolder(pid: number, writer: boolean): void {
    const i32 = this.i32;
    const base = this.w + (writer ? RingWord.Writers : RingWord.Readers);
    for (let i = 0; i < PIDS; i++) {
      const v = Atomics.load(i32, base + i);
      if (v === pid) return;
      if (v === 0) {
        const was = Atomics.compareExchange(i32, base + i, 0, pid);
        if (was === 0 || was === pid) return;
      }
    }
    Atomics.or(i32, this.w + RingWord.Over, writer ? 1 : 2);
  }

  /** Whether every process that ever held that end has exited (false when unknown). */
  #allDead(writer: boolean): boolean {
    if (this.#load(RingWord.Over) & (writer ? 1 : 2)) return false;
    const base = writer ? RingWord.Writers : RingWord.Readers;
    let any = false;
    for (let i = 0; i < PIDS; i++) {
      const p = this.#load(base + i);
      if (p === 0) break;
      any = true;
      if (!this.cell.ffi.pidDead(p)) return false;
    }
    return any;
  }

  #ownerDead(k: number): boolean {
    const p = this.#load(k);
    return p > 0 && this.cell.ffi.pidDead(p);
  }

  /** Whether a reader at a frame boundary with nothing to read sees the end. */
  #eofNow(stale: boolean): boolean {
    const f = this.#load(RingWord.Flags);
    if (f & BROKEN) return true;
    if (this.#load(RingWord.WLock) !== 0) {
      // A frame is on its way, unless its writer died.
      if ((f & W_CLOSED || stale) && this.#ownerDead(RingWord.WLock)) {
        this.setFlags(BROKEN);
        return true;
      }
      return false;
    }
    if (f & W_CLOSED) return true;
    if (stale && this.#allDead(true)) {
      this.setFlags(W_CLOSED);
      return true;
    }
    return false;
  }

  /** Whether a writer can no longer be read. */
  #brokenNow(stale: boolean): boolean {
    const f = this.#load(RingWord.Flags);
    if (f & (R_CLOSED | BROKEN)) return true;
    if (!stale) return false;
    if (this.#ownerDead(RingWord.RLock)) {
      this.setFlags(BROKEN);
      return true;
    }
    if (this.#allDead(false)) {
      this.setFlags(R_CLOSED);
      return true;
    }
    return false;
  }

  /** Whether a message (or the end) can be read now. */
  readable(): boolean {
    const head = this.#load(RingWord.Head);
    const tail = this.#load(RingWord.Tail);
    return head !== tail || this.#eofNow(false);
  }

  /**
   * Reads a whole frame without waiting when one is there and no other
   * reader is busy; `null` otherwise.
   */
  tryRead(pid: number): Frame | null {
    const i32 = this.i32;
    const w = this.w;
    const head = Atomics.load(i32, w + RingWord.Head);
    const tail = Atomics.load(i32, w + RingWord.Tail);
    const used = this.#used(head, tail);
    if (used < 8) return null;
    if (Atomics.compareExchange(i32, w + RingWord.RLock, 0, pid) !== 0) {
      return null;
    }
    // The lock is ours: `Tail` cannot move, `Head` only grows.
    const t = Atomics.load(i32, w + RingWord.Tail);
    const h = Atomics.load(i32, w + RingWord.Head);
    const u = this.#used(h, t);
    let out: Frame | null = null;
    if (u >= 8) {
      this.#get(t, this.#scratch, 0, 8);
      const len = this.#view.getUint32(0, true);
      if (u >= 8 + len) {
        const bytes = new Uint8Array(len);
        this.#get(this.#adv(t, 8), bytes, 0, len);
        out = { kind: this.#view.getUint32(4, true), bytes };
        Atomics.store(i32, w + RingWord.Tail, this.#adv(t, 8 + len));
      }
    }
    this.#unlock(RingWord.RLock);
    if (out) this.#wake(RingWord.Tail);
    return out;
  }

  #unlock(k: number): void {
    Atomics.store(this.i32, this.w + k, 0);
    this.#wake(k);
  }

  /**
   * Writes a whole frame without waiting when it fits and no other writer
   * is busy; false otherwise.
   *
   * @throws {OSError} "Broken pipe": nobody can read it.
   */
  tryWrite(pid: number, kind: number, bytes: Uint8Array): boolean {
    const i32 = this.i32;
    const w = this.w;
    const total = 8 + bytes.length;
    if (total > this.size) return false;
    if (Atomics.compareExchange(i32, w + RingWord.WLock, 0, pid) !== 0) {
      return false;
    }
    let ok = false;
    try {
      if (this.#brokenNow(false)) throw _brokenPipe();
      const head = Atomics.load(i32, w + RingWord.Head);
      const tail = Atomics.load(i32, w + RingWord.Tail);
      if (this.size - this.#used(head, tail) >= total) {
        this.#view.setUint32(0, bytes.length, true);
        this.#view.setUint32(4, kind, true);
        this.#put(head, this.#scratch, 0, 8);
        this.#put(this.#adv(head, 8), bytes, 0, bytes.length);
        Atomics.store(i32, w + RingWord.Head, this.#adv(head, total));
        ok = true;
      }
    } finally {
      this.#unlock(RingWord.WLock);
    }
    if (ok) this.#wake(RingWord.Head);
    return ok;
  }

  /**
   * The steps of reading one frame: yields the waits it needs (the driver
   * passes back whether a whole slice went by without a change).
   */
  *reading(pid: number): Generator<_Wait, Frame, boolean> {
    const i32 = this.i32;
    const w = this.w;
    let stale = false;
    for (;;) {
      const v = Atomics.compareExchange(i32, w + RingWord.RLock, 0, pid);
      if (v === 0) break;
      if (this.#load(RingWord.Flags) & BROKEN) throw new EOFError();
      if (stale && this.#ownerDead(RingWord.RLock)) {
        this.setFlags(BROKEN);
        throw new EOFError();
      }
      stale = yield [RingWord.RLock, v, true];
    }
    try {
      // The header.
      stale = false;
      let tail = this.#load(RingWord.Tail);
      for (;;) {
        const head = this.#load(RingWord.Head);
        const used = this.#used(head, tail);
        if (used >= 8) break;
        if (used === 0 && this.#eofNow(stale)) throw new EOFError();
        stale = yield [RingWord.Head, head, true];
      }
      this.#get(tail, this.#scratch, 0, 8);
      const len = this.#view.getUint32(0, true);
      const kind = this.#view.getUint32(4, true);
      tail = this.#adv(tail, 8);
      Atomics.store(i32, w + RingWord.Tail, tail);
      const bytes = new Uint8Array(len);
      let got = 0;
      stale = false;
      while (got < len) {
        const head = this.#load(RingWord.Head);
        const used = this.#used(head, tail);
        if (used === 0) {
          if (this.#midFrameGone(stale)) throw new EOFError();
          stale = yield [RingWord.Head, head, false];
          continue;
        }
        const n = Math.min(used, len - got);
        this.#get(tail, bytes, got, n);
        got += n;
        tail = this.#adv(tail, n);
        Atomics.store(i32, w + RingWord.Tail, tail);
        this.#wake(RingWord.Tail);
        stale = false;
      }
      this.#wake(RingWord.Tail);
      return { kind, bytes };
    } finally {
      this.#unlock(RingWord.RLock);
    }
  }

  /** In the middle of a frame, with nothing to read: is its writer gone? */
  #midFrameGone(stale: boolean): boolean {
    const f = this.#load(RingWord.Flags);
    if (f & BROKEN) return true;
    if (!(f & W_CLOSED) && !stale) return false;
    if (this.#load(RingWord.WLock) === 0 || this.#ownerDead(RingWord.WLock)) {
      this.setFlags(BROKEN);
      return true;
    }
    return false;
  }

  /** The steps of writing one frame (see {@linkcode Ring.reading}). */
  *writing(
    pid: number,
    kind: number,
    bytes: Uint8Array,
  ): Generator<_Wait, void, boolean> {
    const i32 = this.i32;
    const w = this.w;
    let stale = false;
    for (;;) {
      if (this.#brokenNow(false)) throw _brokenPipe();
      const v = Atomics.compareExchange(i32, w + RingWord.WLock, 0, pid);
      if (v === 0) break;
      if (stale && this.#ownerDead(RingWord.WLock)) {
        this.setFlags(BROKEN);
        throw _brokenPipe();
      }
      stale = yield [RingWord.WLock, v, true];
    }
    try {
      const len = bytes.length;
      const total = 8 + len;
      const size = this.size;
      let head = this.#load(RingWord.Head);
      // A frame that fits is published whole; a larger one in pieces, the
      // first holding at least the header.
      const need0 = total <= size ? total : Math.min(size, 4096);
      let written = 0; // bytes of the frame (header included)
      stale = false;
      while (written < total) {
        const tail = this.#load(RingWord.Tail);
        const free = size - this.#used(head, tail);
        const need = written === 0 ? need0 : 1;
        if (free < need) {
          if (this.#brokenNow(stale)) {
            if (written > 0) this.setFlags(BROKEN);
            throw _brokenPipe();
          }
          stale = yield [RingWord.Tail, tail, written === 0];
          continue;
        }
        let n = Math.min(free, total - written);
        let pos = head;
        if (written === 0) {
          this.#view.setUint32(0, len, true);
          this.#view.setUint32(4, kind, true);
          this.#put(pos, this.#scratch, 0, 8);
          pos = this.#adv(pos, 8);
          written = 8;
          n -= 8;
        }
        this.#put(pos, bytes, written - 8, n);
        written += n;
        head = this.#adv(pos, n);
        Atomics.store(i32, w + RingWord.Head, head);
        this.#wake(RingWord.Head);
        stale = false;
        if (this.#load(RingWord.Flags) & (R_CLOSED | BROKEN)) {
          if (written < total) this.setFlags(BROKEN);
          throw _brokenPipe();
        }
      }
    } finally {
      this.#unlock(RingWord.WLock);
    }
  }

  /** Spins briefly while word `k` holds `v`; whether it changed. */
  spin(k: number, v: number, ms: number = SPIN_MS): boolean {
    const i32 = this.i32;
    const idx = this.w + k;
    const end = performance.now() + ms;
    for (;;) {
      for (let i = 0; i < 64; i++) {
        if (Atomics.load(i32, idx) !== v) return true;
      }
      if (performance.now() >= end) return false;
    }
  }

  /**
   * Sleeps this thread while word `k` holds `v`, at most `ms` ms (one
   * slice at most); returns whether it changed.
   */
  sleepSync(k: number, v: number, ms: number): boolean {
    if (this.spin(k, v)) return true;
    const i32 = this.i32;
    const cnt = this.w + _waitersOf(k);
    Atomics.add(i32, cnt, 1);
    try {
      this.cell.ffi.wait(this.cell.addr(k), v, Math.min(ms, SLICE_MS));
    } finally {
      Atomics.sub(i32, cnt, 1);
    }
    return Atomics.load(i32, this.w + k) !== v;
  }

  /** The async form of {@linkcode Ring.sleepSync} (never blocks the event loop). */
  async sleep(
    k: number,
    v: number,
    ms: number,
    pause: number,
  ): Promise<boolean> {
    const i32 = this.i32;
    const ffi = this.cell.ffi;
    const waitAsync = ffi.waitAsync ?? ffi.waitvAsync ?? null;
    const slice = Math.min(ms, SLICE_MS);
    if (waitAsync) {
      const cnt = this.w + _waitersOf(k);
      Atomics.add(i32, cnt, 1);
      try {
        await waitAsync(this.cell.addr(k), v, slice);
      } finally {
        Atomics.sub(i32, cnt, 1);
      }
    } else {
      await new Promise((r) => setTimeout(r, Math.min(slice, pause)));
    }
    return Atomics.load(i32, this.w + k) !== v;
  }

  /** Runs the steps of an operation, blocking this thread. */
  runSync<T>(g: Generator<_Wait, T, boolean>): T {
    let r = g.next(false);
    let since = performance.now();
    while (!r.done) {
      const [k, v] = r.value;
      const changed = this.sleepSync(k, v, SLICE_MS);
      const now = performance.now();
      let stale = false;
      if (changed) since = now;
      else if (now - since >= SLICE_MS) {
        stale = true;
        since = now;
      }
      r = g.next(stale);
    }
    return r.value;
  }

  /**
   * Runs the steps of an operation without blocking the event loop;
   * `live` (for the server) stops a wait whose client is gone, before
   * anything was taken.
   */
  async run<T>(
    g: Generator<_Wait, T, boolean>,
    live: (() => boolean) | null = null,
  ): Promise<T> {
    let r = g.next(false);
    let since = performance.now();
    let pause = 0;
    while (!r.done) {
      const [k, v, safe] = r.value;
      if (live && safe && !live()) {
        // Nothing was taken yet: give up (the locks are let go).
        g.return(undefined as T);
        throw new EOFError();
      }
      const changed = this.spin(k, v, 0.01) ||
        await this.sleep(k, v, SLICE_MS, pause);
      pause = changed ? 0 : Math.min(pause + 0.5, POLL_MAX_MS);
      const now = performance.now();
      let stale = false;
      if (changed) since = now;
      else if (now - since >= SLICE_MS) {
        stale = true;
        since = now;
      }
      r = g.next(stale);
    }
    return r.value;
  }

  /** Waits at most `ms` ms until {@linkcode Ring.readable}, blocking this thread. */
  pollSync(ms: number): boolean {
    const end = performance.now() + ms;
    let since = performance.now();
    for (;;) {
      const head = this.#load(RingWord.Head);
      if (head !== this.#load(RingWord.Tail)) return true;
      const now = performance.now();
      const stale = now - since >= SLICE_MS;
      if (stale) since = now;
      if (this.#eofNow(stale)) return true;
      const left = end - now;
      if (left <= 0) return false;
      this.sleepSync(RingWord.Head, head, left);
    }
  }

  /**
   * The async form of {@linkcode Ring.pollSync}; `stop()` true ends it
   * early (with false).
   */
  async poll(
    ms: number,
    stop: (() => boolean) | null = null,
  ): Promise<boolean> {
    const end = performance.now() + ms;
    let since = performance.now();
    let pause = 0;
    for (;;) {
      const head = this.#load(RingWord.Head);
      if (head !== this.#load(RingWord.Tail)) return true;
      const now = performance.now();
      const stale = now - since >= SLICE_MS;
      if (stale) since = now;
      if (this.#eofNow(stale)) return true;
      const left = end - now;
      if (left <= 0 || (stop && stop())) return false;
      const changed = await this.sleep(RingWord.Head, head, left, pause);
      pause = changed ? 0 : Math.min(pause + 0.5, POLL_MAX_MS);
    }
  }
}
