// The shared-memory layout of a queue: named slots of its control words,
// its waiter slots and its item records. Every word is written with the
// queue's mutex held, except where a note says otherwise.
import { runtime } from "../_internal/runtime/adapter.ts";

/**
 * Slots of the control words (`Int32Array` over a fixed SharedArrayBuffer).
 * The words every put and get touches, with the free lists of the smallest
 * records, share the first 64-byte cache line: producer and consumer
 * threads then pass fewer lines back and forth.
 */
export const enum C {
  /** The futex mutex guarding everything below (see _internal/mutex.ts). */
  Mutex = 0,
  /** Items in the queue (`qsize()`); read without the lock as a hint. */
  Count = 1,
  /** FIFO ring: index position of the oldest item. */
  Head = 2,
  /** Item storage: first never-used 8-byte unit (the bump pointer). */
  Bump = 3,
  /** Python's `unfinished_tasks`. */
  Unfinished = 4,
  /** Oldest waiting getter's slot, or -1. */
  GetHead = 5,
  /** Oldest waiting putter's slot, or -1. */
  PutHead = 6,
  /** Bumped whenever a growable buffer grows, so handles rebuild their views. */
  Layout = 7,
  /** Capacity of the index in entries (a power of two). */
  IndexCap = 8,
  /** Python's `maxsize`; 0 is unbounded; written once at creation. */
  MaxSize = 9,
  /** 1 once `shutdown()` was called. */
  ShutDown = 10,
  /** Free-list heads of item storage, one per size class (-1 when empty). */
  FreeBase = 11,
  /** Which index the queue keeps: a {@linkcode Kind}; written once at creation. */
  Kind = FreeBase + 128,
  /** Bumped by every encoded record of a heap; tells cached decodings apart. */
  Stamp,
  /** Bumped when `unfinished` drops to 0; joiners park on it. */
  JoinGen,
  /** Newest waiting getter's slot, or -1. */
  GetTail,
  /** Newest waiting putter's slot, or -1. */
  PutTail,
  /** First free waiter slot, or -1. */
  FreeSlot,
  /** How many waiter slots exist. */
  SlotCap,
  /**
   * Records neither in the queue nor free: handed to getters that have not
   * run yet, held by parked putters, or being copied with the lock released.
   */
  Transit,
  Size,
}

/** What order the queue keeps. */
export const enum Kind {
  Fifo = 0,
  Lifo = 1,
  Heap = 2,
}

/** Words of a waiter slot (`Int32Array` over a growable SharedArrayBuffer). */
export const enum W {
  /** A {@linkcode Slot} state; the waiter parks on this word. */
  State = 0,
  /** Next slot in its list (or in the free list), -1 at the end. */
  Next = 1,
  /** Previous slot in its list, -1 at the start. */
  Prev = 2,
  /** Which list: {@linkcode List}. */
  List = 3,
  /** The item record a parked putter holds, or that a put handed to a getter. */
  Item = 4,
  Words = 8,
}

/** Waiter slot states. */
export const enum Slot {
  Free = 0,
  /** Parked, waiting its turn. */
  Waiting = 1,
  /** Done: an item was handed to this getter, or this putter's item was moved in. */
  Notified = 2,
  /** Woken by `shutdown()` to re-check; nothing was handed over. */
  Woken = 3,
  /** This putter's item could not be compared with the queue's: it retries itself. */
  Failed = 4,
}

/** Which waiter list a slot is on. */
export const enum List {
  Get = 1,
  Put = 2,
}

/** Record tags (low byte of a record's second word). */
export const enum Tag {
  Undefined = 0,
  Null = 1,
  False = 2,
  True = 3,
  Number = 4,
  /** A string whose code units all fit in one byte. */
  Latin1 = 5,
  /** Any other string, as UTF-16 code units. */
  Utf16 = 6,
  /** A non-negative bigint as Latin-1 hex digits. */
  BigPos = 7,
  /** A negative bigint, its magnitude as Latin-1 hex digits. */
  BigNeg = 8,
  /** `node:v8` serialized bytes, after a stamp word and a pad word. */
  V8 = 9,
  /** Bytes of `_tree.ts`'s encoding, after a stamp word and a pad word. */
  Tree = 10,
  /** A typed array, DataView or ArrayBuffer: raw bytes after a stamp word and a binary-type word. */
  Bytes = 11,
}

/** Bytes of a record header: payload length, then tag | size class << 8. */
export const HEADER = 8;
/** Initial and largest sizes of the growable buffers, in bytes. */
export const DATA_INITIAL = 4096;
/** Bun allows growable buffers of at most 4 GiB; Deno goes further. */
export const DATA_MAX = runtime === "bun" ? 2 ** 32 : 2 ** 33;
export const INDEX_INITIAL = 16;
export const INDEX_MAX_BYTES = 2 ** 30;
export const SLOTS_INITIAL = 8;
export const SLOTS_MAX = 2 ** 20;
/** Past this many 8-byte units in use, an emptied queue resets its storage. */
export const RESET_UNITS = 1 << 15;
