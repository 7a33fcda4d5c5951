/**
 * Shared memory for multiprocessing's objects (mechanism (2)): an arena per
 * creating thread, made of memfd chunks that every process maps, with
 * blocks handed out by size class and reused once freed.
 *
 * Design: docs/design/shm.md
 *
 * @module
 */
import { type ShmFfi, shmFfi, type ShmMapping } from "./ffi.ts";
import { pid } from "../runtime/adapter.ts";

/** Where a block of shared memory lives (carried in a handle's init state). */
export interface ShmLoc {
  /** The creating process's pid. */
  p: number;
  /** The chunk's memfd in that process. */
  f: number;
  /** The chunk's random id, also in its header. */
  g: number;
  /** The chunk's size in bytes. */
  z: number;
  /** The block's byte offset in the chunk. */
  o: number;
  /** The block's size in bytes (its size class). */
  n: number;
}

const MAGIC = 0x70797368; // "pysh"
/** The header: [magic, chunk id, 0, 0] as int32 words. */
const HEADER = 16;
const CHUNK = 65536;
const SMALL_MAX = 4096;

interface _Chunk {
  fd: number;
  g: number;
  z: number;
  map: ShmMapping;
  /** The next free byte (bump allocation; shared chunks only). */
  top: number;
}

/** Chunks of this thread's arena, by fd. */
const _own = new Map<number, _Chunk>();
let _current: _Chunk | null = null;
/** Freed blocks by size, ready for reuse. */
const _free = new Map<number, ShmLoc[]>();
/** Pulls the blocks the server freed (set by `mp/client.ts`). */
let _reclaim: (() => void) | null = null;

/** Mappings of any process's chunks, by `"pid:fd"`. */
const _maps = new Map<
  string,
  { g: number; map: ShmMapping; i32: Int32Array }
>();

function _classOf(n: number): number {
  let c = 16;
  while (c < n) c *= 2;
  return c;
}

function _newChunk(ffi: ShmFfi, z: number): _Chunk | null {
  const made = ffi.create(z);
  if (!made) return null;
  const g = (Math.random() * 0x7fffffff) | 1;
  const head = new Int32Array(made.map.buffer, 0, 4);
  head[0] = MAGIC;
  head[1] = g;
  const c = { fd: made.fd, g, z, map: made.map, top: HEADER };
  _own.set(made.fd, c);
  _maps.set(`${pid()}:${made.fd}`, {
    g,
    map: made.map,
    i32: new Int32Array(made.map.buffer),
  });
  return c;
}

function _loc(c: _Chunk, o: number, n: number): ShmLoc {
  return { p: pid(), f: c.fd, g: c.g, z: c.z, o, n };
}

function _take(n: number): ShmLoc | null {
  const list = _free.get(n);
  const loc = list?.pop();
  return loc ?? null;
}

/**
 * A zeroed block of at least `bytes` bytes in this thread's arena, or
 * `null` when shared memory is not available here.
 */
export function shmAlloc(bytes: number): ShmLoc | null {
  const ffi = shmFfi();
  if (!ffi) return null;
  const n = bytes <= SMALL_MAX
    ? _classOf(Math.max(bytes, 1))
    : _classOf(bytes + HEADER) - HEADER;
  let loc = _take(n);
  if (!loc && _reclaim) {
    _reclaim();
    loc = _take(n);
  }
  if (!loc) {
    if (n > SMALL_MAX) {
      const c = _newChunk(ffi, Math.max(CHUNK, n + HEADER));
      if (!c) return null;
      c.top = c.z;
      loc = _loc(c, HEADER, c.z - HEADER);
    } else {
      if (!_current || _current.top + n > _current.z) {
        // The tail of a full chunk is given to the smaller classes.
        if (_current) _spill(_current);
        _current = _newChunk(ffi, CHUNK);
        if (!_current) return null;
      }
      // `top` stays a multiple of 16, so every block is 16-byte aligned.
      loc = _loc(_current, _current.top, n);
      _current.top += n;
    }
  }
  const map = _own.get(loc.f)!.map;
  new Uint8Array(map.buffer, loc.o, loc.n).fill(0);
  return loc;
}

function _spill(c: _Chunk): void {
  let left = c.z - c.top;
  for (let n = SMALL_MAX; n >= 16 && left > 0; n /= 2) {
    while (left >= n) {
      shmFree(_loc(c, c.top, n));
      c.top += n;
      left -= n;
    }
  }
}

/** Gives a block of this thread's arena back for reuse. */
export function shmFree(loc: ShmLoc): void {
  const c = _own.get(loc.f);
  if (!c || c.g !== loc.g || loc.p !== pid()) return;
  let list = _free.get(loc.n);
  if (!list) _free.set(loc.n, list = []);
  list.push(loc);
}

/** Whether `loc` is a block of this thread's arena. */
export function shmOwns(loc: ShmLoc): boolean {
  const c = _own.get(loc.f);
  return c !== undefined && c.g === loc.g && loc.p === pid();
}

/** @internal Installs what pulls the blocks freed by this thread's server. */
export function _setShmReclaim(fn: () => void): void {
  _reclaim = fn;
}

/** What this thread's arena holds: chunks, their bytes, and free blocks. */
export function shmArenaStats(): {
  chunks: number;
  bytes: number;
  free: number;
} {
  _reclaim?.();
  let bytes = 0;
  for (const c of _own.values()) bytes += c.z;
  let free = 0;
  for (const l of _free.values()) free += l.length;
  return { chunks: _own.size, bytes, free };
}

/**
 * A block of shared memory as seen by this thread: the whole chunk's
 * bytes, the block's offset, and futex addresses of its words.
 */
export class ShmCell {
  /** The chunk's words. */
  readonly i32: Int32Array;
  /** The index in `i32` of the block's first word. */
  readonly w: number;
  readonly #addrs: unknown[] = [];

  constructor(
    readonly ffi: ShmFfi,
    readonly map: ShmMapping,
    readonly loc: ShmLoc,
    i32: Int32Array,
  ) {
    this.i32 = i32;
    this.w = loc.o >> 2;
  }

  /** The futex address of word `k` of the block. */
  addr(k: number): unknown {
    return this.#addrs[k] ??= this.ffi.addr(this.map, this.loc.o + 4 * k);
  }
}

/**
 * Maps the block `loc` names (mapping its chunk once per thread); `null`
 * when shared memory is not available here or the chunk cannot be
 * reached (its process is gone), in which case the caller asks the
 * process serving the object instead.
 */
export function shmCell(loc: ShmLoc | null | undefined): ShmCell | null {
  if (!loc) return null;
  const ffi = shmFfi();
  if (!ffi) return null;
  const key = `${loc.p}:${loc.f}`;
  let m = _maps.get(key);
  if (!m || m.g !== loc.g) {
    const map = ffi.open(loc.p, loc.f, loc.z);
    if (!map) return null;
    const head = new Int32Array(map.buffer, 0, 4);
    // Another process's memfd behind a reused pid and fd: not ours.
    if (head[0] !== MAGIC || head[1] !== loc.g) return null;
    m = { g: loc.g, map, i32: new Int32Array(map.buffer) };
    _maps.set(key, m);
  }
  return new ShmCell(ffi, m.map, loc, m.i32);
}
