/**
 * The shared-memory layout of a queue: named slots of its control words,
 * of its waiter slots, and the tags of its item records. Every word is
 * written with the queue's mutex held, except where a note says otherwise.
 *
 * @module
 */
import { runtime } from "../_internal/runtime/adapter.ts";

/**
 * Slots of the control words (`Int32Array` over a fixed SharedArrayBuffer).
 * The words every put and get touches, with the free lists of the smallest
 * records, share the first 64-byte cache line: producer and consumer
 * threads then pass fewer lines back and forth.
 */
export const CtrlWord = {
  /** The futex mutex guarding everything below; written by `_internal/sync/mutex.ts` only. */
  Mutex: 0,
  /**
   * Items in the index (`qsize()` adds the ring's); written under the
   * mutex, read without the lock as a hint.
   */
  Count: 1,
  /** FIFO index: position of the oldest item; written under the mutex. */
  Head: 2,
  /** Item storage: first never-used 8-byte unit (the bump pointer); written under the mutex. */
  Bump: 3,
  /**
   * Python's `unfinished_tasks`; `Atomics.add`/`sub` by any thread, with
   * or without the mutex (lock-free puts, `taskDone`).
   */
  Unfinished: 4,
  /** Oldest waiting getter's slot, or -1; written under the mutex, read by `spin()` without it. */
  GetHead: 5,
  /** Oldest waiting putter's slot, or -1; written under the mutex, read by `spin()` without it. */
  PutHead: 6,
  /**
   * Bumped (under the mutex) by the thread that grows a growable buffer,
   * so other handles rebuild their views.
   */
  Layout: 7,
  /** Capacity of the index in entries (a power of two); written under the mutex. */
  IndexCap: 8,
  /** Python's `maxsize`; 0 is unbounded; written once at creation. */
  MaxSize: 9,
  /** 1 once `shutdown()` was called (it stores it, mutex held); read without the lock. */
  ShutDown: 10,
  /**
   * First of 128 free-list heads of item storage, one per size class (-1
   * when empty); written under the mutex.
   */
  FreeBase: 11,
  /**
   * Which index the queue keeps: an {@linkcode IndexKind}; written once at
   * creation. The first word after the free lists (`FreeBase + 128`).
   */
  Kind: 139,
  /** Bumped (under the mutex) by every encoded record of a heap; tells cached decodings apart. */
  Stamp: 140,
  /**
   * Bumped by whoever brings `Unfinished` to 0 (`taskDone` without the
   * lock, or an immediate shutdown); joiners park on it.
   */
  JoinGen: 141,
  /** Newest waiting getter's slot, or -1; written under the mutex. */
  GetTail: 142,
  /** Newest waiting putter's slot, or -1; written under the mutex. */
  PutTail: 143,
  /** First free waiter slot, or -1; written under the mutex. */
  FreeSlot: 144,
  /** How many waiter slots exist; stored last at creation, then written under the mutex. */
  SlotCap: 145,
  /**
   * Records neither in the queue nor free: handed to getters that have not
   * run yet, held by parked putters, or being copied with the lock
   * released; written under the mutex.
   */
  Transit: 146,
  /** How many control words there are (not a word). */
  Size: 147,
} as const;

/** What order the queue keeps (the `Kind` control word); fixed at creation. */
export const IndexKind = {
  /** A ring of refs, oldest first: `Queue`, `SimpleQueue`. */
  Fifo: 0,
  /** A stack of refs: `LifoQueue`. */
  Lifo: 1,
  /** heapq's binary heap of refs: `PriorityQueue`. */
  Heap: 2,
} as const;
export type IndexKind = typeof IndexKind[keyof typeof IndexKind];

/**
 * Words of a waiter slot (`Int32Array` over a growable SharedArrayBuffer),
 * all written under the mutex.
 */
export const WaiterWord = {
  /**
   * A {@linkcode WaiterState}, stored atomically; the waiter parks on this
   * word and reads it without the lock.
   */
  State: 0,
  /** Next slot in its list (or in the free list), -1 at the end. */
  Next: 1,
  /** Previous slot in its list, -1 at the start. */
  Prev: 2,
  /** Which list: a {@linkcode WaiterList}. */
  List: 3,
  /**
   * The item record a putter holds while parked (it writes it before
   * parking), or that a put handed to a getter.
   */
  Item: 4,
  /** Words per slot (not a word; the last three are unused). */
  Words: 8,
} as const;

/** What the `State` word of a waiter slot says; written under the mutex. */
export const WaiterState = {
  /** On the free list. */
  Free: 0,
  /** Parked, waiting its turn. */
  Waiting: 1,
  /** Done: an item was handed to this getter, or this putter's item was moved in. */
  Notified: 2,
  /** Woken by `shutdown()` to re-check; nothing was handed over. */
  Woken: 3,
  /** This putter's item could not be compared with the queue's: it retries itself. */
  Failed: 4,
} as const;
export type WaiterState = typeof WaiterState[keyof typeof WaiterState];

/** Which waiter list a slot is on (its `List` word). */
export const WaiterList = {
  /** Callers parked in `get`. */
  Get: 1,
  /** Callers parked in `put`, each holding its item's record. */
  Put: 2,
} as const;
export type WaiterList = typeof WaiterList[keyof typeof WaiterList];

/**
 * Record tags (low byte of a record's second word), written with the
 * record by the writers of `_item_codec.ts`.
 */
export const RecordTag = {
  /** `undefined`; no payload. */
  Undefined: 0,
  /** `null`; no payload. */
  Null: 1,
  /** `false`; no payload. */
  False: 2,
  /** `true`; no payload. */
  True: 3,
  /** A number, as a float64. */
  Number: 4,
  /** A string whose code units all fit in one byte. */
  Latin1: 5,
  /** Any other string, as UTF-16 code units. */
  Utf16: 6,
  /** A non-negative bigint as Latin-1 hex digits. */
  BigPos: 7,
  /** A negative bigint, its magnitude as Latin-1 hex digits. */
  BigNeg: 8,
  /** `node:v8` serialized bytes, after a stamp word and a pad word. */
  V8: 9,
  /** Bytes of `_tree_codec.ts`'s encoding, after a stamp word and a pad word. */
  Tree: 10,
  /** A typed array, DataView or ArrayBuffer: raw bytes after a stamp word and a binary-type word. */
  Bytes: 11,
} as const;
export type RecordTag = typeof RecordTag[keyof typeof RecordTag];

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
