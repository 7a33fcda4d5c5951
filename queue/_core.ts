/**
 * The queue algorithm of CPython's Lib/queue.py over shared memory: one
 * mutex guards the state; `_put`/`_get` hooks keep a FIFO ring, a LIFO
 * stack or a heap (heapq's, so the heap array matches CPython's); waiters
 * queue in arrival order with a slot each. Unbounded FIFO queues also put
 * the lock-free ring of `_ring.ts` in front.
 *
 * Design: docs/design/queue.md
 *
 * @module
 */
import { ValueError } from "../_internal/core/errors.ts";
import type { Deadline } from "../_internal/core/time.ts";
import { notify, waitAsync, waitSync } from "../_internal/sync/wait.ts";
import { pyLess } from "./_compare.ts";
import { Empty, Full, ShutDown } from "./errors.ts";
import {
  copyItemIn,
  copyRecord,
  finishItem,
  finishTake,
  isEncoded,
  payloadLength,
  type Prepared,
  readRecord,
  reserveItem,
  stampOf,
  tagOf,
  takeRecord,
  writeItem,
  writeRecordAt,
  writeStringAt,
} from "./_item_codec.ts";
import {
  CtrlWord,
  IndexKind,
  RecordTag,
  WaiterList,
  WaiterState,
  WaiterWord,
} from "./_layout.ts";
import { Ring, RingFlag, SLOT_PAYLOAD, slotViews } from "./_ring.ts";
import { Store, type StoreState } from "./_store.ts";

/** A custom order: negative when `a` comes before `b`, as for `Array.prototype.sort`. */
export type CompareFn = (a: unknown, b: unknown) => number;

let _sink = 0;

/** A short busy pause (some 50 ns) that touches no shared memory. */
function _pause(x: number): number {
  for (let i = 0; i < 40; i++) x = (x * 1103515245 + 12345) | 0;
  return x;
}

/** Longest single park of a blocking wait, so a terminated worker can stop. */
const _SLICE_MS = 1000;
/** Items whose record is at least this large are copied with the lock released. */
export const LARGE = 1 << 15;
/** How long a blocking get or put polls before queueing up as a waiter. */
export const SPIN_SYNC_MS = 0.02;
/** The same for the async forms, which hold up the event loop meanwhile. */
export const SPIN_ASYNC_MS = 0.005;
/**
 * How long a blocking put on a full ring naps (after spinning) while
 * consumers free no slot, before it sends items the slow way.
 */
export const NAP_SYNC_MS = 2;
/**
 * What `getBegin` returns when the oldest item is still being written to
 * the ring by a lock-free put: release the lock, pause and call it again.
 */
export const RETRY = -2;
/** Pauses (some 50 ns each) between two looks of a getter at an empty ring. */
const SPIN_GAP = 20;
/** Strings this short fit a ring slot in any encoding (see `tryFastPutString`). */
export const SHORT_STRING = SLOT_PAYLOAD >> 1;
/** The longest overflow a put moves into the ring (consumers move longer ones). */
const REFILL_BY_PUT = 32;

interface _Cached {
  stamp: number;
  value: unknown;
}

const _cores = new WeakMap<object, QueueCore>();

/** The core behind a queue handle (for tests and benchmarks). */
export function coreOf(handle: object): QueueCore {
  const c = _cores.get(handle);
  if (!c) throw new TypeError("not a queue");
  return c;
}

/** Records the core behind a queue handle. */
export function setCore(handle: object, core: QueueCore): void {
  _cores.set(handle, core);
}

/** One thread's handle on a queue: the shared store plus the algorithm. */
export class QueueCore {
  readonly s: Store;
  /** The lock-free ring of an unbounded FIFO queue, or null. */
  readonly #ring: Ring | null;
  readonly #kind: IndexKind;
  readonly #compare: CompareFn | null;
  /** `maxsize`, fixed at creation: kept here so a put need not read it from shared memory. */
  readonly #max: number;
  /** Decoded `node:v8` items of a heap, so comparisons do not deserialize again. */
  readonly #cache = new Map<number, _Cached>();
  /** What the last take produced: a tag for `finishTake`, or -1 with the item in #out. */
  #out: unknown = undefined;
  #outTag: RecordTag | -1 | -2 = -1;
  /** The large record the last get took, until releaseLarge(). */
  #large = -1;

  constructor(
    state?: StoreState,
    kind: IndexKind = IndexKind.Fifo,
    maxsize = 0,
    compare: CompareFn | null = null,
  ) {
    this.s = new Store(state, kind, maxsize);
    this.#kind = this.s.kind;
    this.#compare = compare;
    this.#max = this.s.ctl[CtrlWord.MaxSize];
    const ring = this.s.state.ring;
    this.#ring = ring ? new Ring(ring) : null;
  }

  get maxsize(): number {
    return this.s.ctl[CtrlWord.MaxSize];
  }

  qsize(): number {
    const n = Atomics.load(this.s.ctl, CtrlWord.Count);
    return this.#ring === null ? n : n + this.#ring.size();
  }

  // --- comparisons (heap only) ---

  #less(a: unknown, b: unknown): boolean {
    const cmp = this.#compare;
    return cmp ? cmp(a, b) < 0 : pyLess(a, b);
  }

  /** The item a record holds, decoded (and cached for `node:v8` records). */
  #valueOf(ref: number): unknown {
    const s = this.s;
    const tag = tagOf(s, ref);
    if (!isEncoded(tag)) return readRecord(s, ref);
    const stamp = stampOf(s, ref);
    const hit = this.#cache.get(ref);
    if (hit && hit.stamp === stamp) return hit.value;
    const value = finishItem(tag, readRecord(s, ref));
    if (this.#cache.size >= 65536) this.#cache.clear();
    this.#cache.set(ref, { stamp, value });
    return value;
  }

  // --- the hooks: put a ref in / take a ref out of the index ---

  /** Adds `ref` (holding `item`) to the index; on a failed comparison nothing changes. */
  #put(ref: number, item: unknown): void {
    const s = this.s;
    const ctl = s.ctl;
    const n = ctl[CtrlWord.Count];
    if (n === ctl[CtrlWord.IndexCap]) s.growIndex();
    const idx = s.index;
    switch (this.#kind) {
      case IndexKind.Fifo:
        idx[(ctl[CtrlWord.Head] + n) & (ctl[CtrlWord.IndexCap] - 1)] = ref;
        break;
      case IndexKind.Lifo:
        idx[n] = ref;
        break;
      default: {
        // heapq.heappush: append, then _siftdown(heap, 0, n). The
        // comparisons only involve ancestors that have not moved yet, so
        // find the place first and move afterwards: a comparison that
        // throws leaves the heap as it was.
        let pos = n;
        while (pos > 0) {
          const parent = (pos - 1) >> 1;
          if (!this.#less(item, this.#valueOf(idx[parent]))) break;
          pos = parent;
        }
        for (let p = n; p > pos;) {
          const parent = (p - 1) >> 1;
          idx[p] = idx[parent];
          p = parent;
        }
        idx[pos] = ref;
      }
    }
    ctl[CtrlWord.Count] = n + 1;
  }

  /** Runs the comparisons a heap push of `item` would run, changing nothing. */
  #probe(item: unknown): void {
    if (this.#kind !== IndexKind.Heap) return;
    const idx = this.s.index;
    let pos = this.s.ctl[CtrlWord.Count];
    while (pos > 0) {
      const parent = (pos - 1) >> 1;
      if (!this.#less(item, this.#valueOf(idx[parent]))) break;
      pos = parent;
    }
  }

  /** Removes and returns the next ref; on a failed comparison nothing changes. */
  #get(): number {
    const s = this.s;
    const ctl = s.ctl;
    const idx = s.index;
    const n = ctl[CtrlWord.Count];
    let ref: number;
    switch (this.#kind) {
      case IndexKind.Fifo: {
        const head = ctl[CtrlWord.Head];
        ref = idx[head];
        ctl[CtrlWord.Head] = (head + 1) & (ctl[CtrlWord.IndexCap] - 1);
        break;
      }
      case IndexKind.Lifo:
        ref = idx[n - 1];
        break;
      default:
        ref = this.#heappop(idx, n);
    }
    ctl[CtrlWord.Count] = n - 1;
    if (n === 1) ctl[CtrlWord.Head] = 0;
    return ref;
  }

  /** heapq.heappop on the first `n` entries, undone if a comparison throws. */
  #heappop(heap: Int32Array, n: number): number {
    const last = heap[n - 1];
    if (n === 1) return last;
    const top = heap[0];
    const journal: number[] = [0, top, n - 1, last];
    const set = (p: number, v: number) => {
      journal.push(p, heap[p]);
      heap[p] = v;
    };
    const end = n - 1;
    try {
      heap[0] = last;
      // _siftup(heap, 0): move the smaller child up until a leaf...
      let pos = 0;
      let child = 1;
      while (child < end) {
        const right = child + 1;
        if (
          right < end &&
          !this.#less(this.#valueOf(heap[child]), this.#valueOf(heap[right]))
        ) child = right;
        set(pos, heap[child]);
        pos = child;
        child = 2 * pos + 1;
      }
      set(pos, last);
      // ...then _siftdown(heap, 0, pos).
      const item = this.#valueOf(last);
      while (pos > 0) {
        const parent = (pos - 1) >> 1;
        const p = heap[parent];
        if (!this.#less(item, this.#valueOf(p))) break;
        set(pos, p);
        pos = parent;
      }
      set(pos, last);
      return top;
    } catch (err) {
      for (let i = journal.length - 2; i >= 4; i -= 2) {
        heap[journal[i]] = journal[i + 1];
      }
      heap[0] = top;
      heap[n - 1] = last;
      throw err;
    }
  }

  // --- steps run with the lock held ---
  //
  // Invariants: getters wait only while the queue is empty, and putters
  // only while it is full. So a put that finds a getter waiting hands its
  // item straight to the oldest one (the index stays empty), and a get that
  // frees a place moves the oldest waiting putter's item (written to
  // shared memory before it parked) into the queue. Waiters are thus served
  // strictly in arrival order, and each gets the item its turn entitles it
  // to, however the threads are scheduled afterwards.

  /** Reads the record `ref` into the result and frees it. */
  #deliver(ref: number, inTransit: boolean): void {
    const s = this.s;
    const tag = tagOf(s, ref);
    let hit: _Cached | undefined;
    if (this.#kind === IndexKind.Heap && isEncoded(tag)) {
      hit = this.#cache.get(ref);
      if (hit) {
        this.#cache.delete(ref);
        if (hit.stamp !== stampOf(s, ref)) hit = undefined;
      }
    }
    if (hit) {
      this.#out = hit.value;
      this.#outTag = -1; // decoded already
    } else if (s.i32[ref * 2] >= LARGE) {
      // Copied out after the lock is released; freed by releaseLarge().
      this.#large = ref;
      this.#outTag = -2;
      if (!inTransit) s.ctl[CtrlWord.Transit]++;
      return;
    } else {
      this.#outTag = takeRecord(s, ref);
    }
    s.free(ref);
    if (inTransit) s.ctl[CtrlWord.Transit]--;
  }

  /** Takes the next item out of the queue, then fills freed places from waiting putters. */
  #take(): void {
    const s = this.s;
    this.#deliver(this.#get(), false);
    const ctl = s.ctl;
    if (ctl[CtrlWord.PutHead] !== -1) this.#admitPutters();
    if (ctl[CtrlWord.Count] === 0) s.resetIfLarge();
  }

  /** Moves waiting putters' items into the free places, oldest putter first. */
  #admitPutters(): void {
    const s = this.s;
    const ctl = s.ctl;
    const max = ctl[CtrlWord.MaxSize];
    while (ctl[CtrlWord.PutHead] !== -1 && ctl[CtrlWord.Count] < max) {
      const ref = s.slotItem(ctl[CtrlWord.PutHead]);
      try {
        this.#put(
          ref,
          this.#kind === IndexKind.Heap ? this.#valueOf(ref) : undefined,
        );
      } catch {
        // Its item cannot be compared with the queue's: the putter tries
        // again itself and gets the error.
        s.wakeOldest(WaiterList.Put, WaiterState.Failed);
        continue;
      }
      Atomics.add(ctl, CtrlWord.Unfinished, 1);
      ctl[CtrlWord.Transit]--;
      s.wakeOldest(WaiterList.Put, WaiterState.Notified);
    }
  }

  /** Adds the record `ref` (holding `item`): to the oldest waiting getter, or to the queue. */
  #insertRef(ref: number, item: unknown): void {
    const s = this.s;
    const ctl = s.ctl;
    const getter = ctl[CtrlWord.GetHead];
    // Items a lock-free put published behind one still being written stay
    // in the ring until serve() can hand them over, in order: a newer item
    // must not overtake them, so it queues up behind them in the overflow.
    if (getter !== -1 && (this.#ring === null || !this.#ring.pending())) {
      s.setSlotItem(getter, ref);
      ctl[CtrlWord.Transit]++;
      s.wakeOldest(WaiterList.Get, WaiterState.Notified);
    } else {
      // Lock-free puts keep out of the ring until the overflow is empty.
      this.#ring?.addFlags(RingFlag.Overflow);
      this.#put(ref, item);
    }
    // Atomics: lock-free puts count without the lock.
    Atomics.add(ctl, CtrlWord.Unfinished, 1);
  }

  #insert(item: unknown, bytes: Prepared | undefined): void {
    const s = this.s;
    const ref = writeItem(s, item, bytes);
    try {
      this.#insertRef(ref, item);
    } catch (err) {
      s.free(ref);
      throw err;
    }
  }

  // --- the ring (unbounded FIFO queues) ---

  /**
   * A put without the lock, for an item prepared by `prepareItem` (and
   * not large): returns 0 when it did nothing (take the lock and call
   * `putBegin`), 1 when the item is in the queue, 2 when it is but
   * {@linkcode serve} must run (lock held) for parked getters or a drain.
   * A full ring is waited for while consumers make room (see
   * `Ring.waitRoom`: spinning up to `spinMs`, then napping up to `napMs`
   * milliseconds without progress) before the item goes to the overflow: a
   * producer that outruns its consumers then runs at their pace, lock-free,
   * instead of sending everything through the overflow from then on.
   */
  tryFastPut(
    item: unknown,
    p: Prepared | undefined,
    spinMs: number,
    napMs: number,
  ): number {
    const ring = this.#ring;
    if (ring === null || ring.flags() !== 0) return 0;
    const len = payloadLength(item, p);
    if (len < 0 || len > SLOT_PAYLOAD) return 0;
    let pos = ring.claimPut();
    if (pos < 0) pos = this.#claimFull(ring, spinMs, napMs);
    if (pos < 0) return 0;
    // Counted before the item is visible, so its taskDone() cannot come first.
    Atomics.add(this.s.ctl, CtrlWord.Unfinished, 1);
    writeRecordAt(ring, ring.refOf(pos), item, p, len);
    ring.publish(pos);
    // After publishing: a getter that parked meanwhile set the flag first.
    return ring.flags() & (RingFlag.Getters | RingFlag.Drain) ? 2 : 1;
  }

  /**
   * {@linkcode tryFastPut} for a string of up to {@linkcode SHORT_STRING}
   * code units, without `prepareItem`: encoded straight into its slot.
   */
  tryFastPutString(str: string, spinMs: number, napMs: number): number {
    const ring = this.#ring;
    if (ring === null || ring.flags() !== 0) return 0;
    let pos = ring.claimPut();
    if (pos < 0) pos = this.#claimFull(ring, spinMs, napMs);
    if (pos < 0) return 0;
    Atomics.add(this.s.ctl, CtrlWord.Unfinished, 1);
    writeStringAt(ring, ring.refOf(pos), str);
    ring.publish(pos);
    return ring.flags() & (RingFlag.Getters | RingFlag.Drain) ? 2 : 1;
  }

  /** Claims a slot of a full ring once one comes free within `ms` milliseconds; -1 otherwise. */
  #claimFull(ring: Ring, spinMs: number, napMs: number): number {
    while (ring.waitRoom(spinMs, napMs)) {
      if (ring.flags() !== 0) return -1;
      const pos = ring.claimPut();
      if (pos >= 0) return pos;
    }
    return -1;
  }

  /**
   * Waits (lock released) for room in the ring after `putBegin` returned
   * {@linkcode RETRY}, while consumers free a slot at least every `ms`
   * milliseconds; returns whether room came.
   */
  waitRoom(spinMs: number, napMs: number): boolean {
    return this.#ring?.waitRoom(spinMs, napMs) ?? false;
  }

  /**
   * A get without the lock: true when it took an item (read it with
   * {@linkcode result}); false when the locked path must run.
   */
  tryFastGet(): boolean {
    const ring = this.#ring;
    // Parked getters come first: newcomers leave the ring to serve().
    if (ring === null || ring.flags() & RingFlag.Getters) return false;
    return this.#ringTake(ring) >= 0;
  }

  /** Takes the ring's oldest item into the result; returns its position, or -1 if none is published. */
  #ringTake(ring: Ring): number {
    const pos = ring.claimTake();
    if (pos >= 0) {
      // The slot is this thread's until released: decode it in place.
      const ref = ring.refOf(pos);
      if (tagOf(ring, ref) === RecordTag.V8) {
        this.#outTag = takeRecord(ring, ref);
      } else {
        this.#out = readRecord(ring, ref);
        this.#outTag = -1;
      }
      ring.release(pos);
    }
    return pos;
  }

  /**
   * Hands items to parked getters, oldest getter first and oldest item
   * first (from the ring, then the overflow), drops what an immediate
   * shutdown left behind, and brings the flags up to date. Lock held.
   */
  serve(): void {
    const ring = this.#ring;
    if (ring === null) return;
    const s = this.s;
    s.sync();
    const ctl = s.ctl;
    if (ring.flags() & RingFlag.Drain) this.#drainRing(ring);
    while (ctl[CtrlWord.GetHead] !== -1) {
      const pos = ring.claimTake();
      let ref: number;
      if (pos >= 0) {
        const from = ring.refOf(pos);
        ref = s.alloc(ring.i32[from * 2], tagOf(ring, from));
        copyRecord(ring, from, s, ref);
        ring.release(pos);
      } else if (ctl[CtrlWord.Count] > 0 && !ring.pending()) {
        ref = this.#get();
      } else break; // nothing, or an item being written: its put serves
      s.setSlotItem(ctl[CtrlWord.GetHead], ref);
      ctl[CtrlWord.Transit]++;
      s.wakeOldest(WaiterList.Get, WaiterState.Notified);
    }
    this.#refreshFlags(ring);
  }

  /** Sets the ring's flags from the state (lock held). */
  #refreshFlags(ring: Ring): void {
    const ctl = this.s.ctl;
    const old = ring.flags();
    let f = old & (RingFlag.ShutDown | RingFlag.Drain);
    if (ctl[CtrlWord.GetHead] !== -1) f |= RingFlag.Getters;
    if (ctl[CtrlWord.Count] > 0) f |= RingFlag.Overflow;
    if (f !== old) ring.setFlags(f);
  }

  /** Drops every item in the ring, counting each as done (immediate shutdown). */
  #drainRing(ring: Ring): void {
    const ctl = this.s.ctl;
    let dropped = false;
    for (let pos = ring.claimTake(); pos >= 0; pos = ring.claimTake()) {
      ring.release(pos);
      if (Atomics.sub(ctl, CtrlWord.Unfinished, 1) <= 0) {
        Atomics.add(ctl, CtrlWord.Unfinished, 1);
      }
      dropped = true;
    }
    if (dropped && Atomics.load(ctl, CtrlWord.Unfinished) === 0) {
      this.#bumpJoin();
    }
  }

  /** Moves small items from the front of the overflow to the ring's free slots. Lock held. */
  #refill(ring: Ring): void {
    const s = this.s;
    const ctl = s.ctl;
    const idx = s.index;
    const i32 = s.i32;
    const mask = ctl[CtrlWord.IndexCap] - 1;
    let head = ctl[CtrlWord.Head];
    let n = ctl[CtrlWord.Count];
    // The control words and the smallest free lists share the mutex's cache
    // line, which a thread waiting for the mutex keeps reading: write them
    // once per batch, not once per item.
    let cls = -1;
    let chain = -1;
    while (n > 0) {
      const ref = idx[head];
      if (i32[ref * 2] > SLOT_PAYLOAD) break;
      const pos = ring.claimPut();
      if (pos < 0) break;
      copyRecord(s, ref, ring, ring.refOf(pos));
      ring.publish(pos);
      head = (head + 1) & mask;
      n--;
      const c = (i32[ref * 2 + 1] >> 8) & 0xff;
      if (c !== cls) {
        if (cls >= 0) ctl[CtrlWord.FreeBase + cls] = chain;
        cls = c;
        chain = ctl[CtrlWord.FreeBase + c];
      }
      i32[ref * 2] = chain; // what Store.free() does, chained locally
      chain = ref;
    }
    if (cls >= 0) ctl[CtrlWord.FreeBase + cls] = chain;
    ctl[CtrlWord.Count] = n;
    ctl[CtrlWord.Head] = n === 0 ? 0 : head;
    if (n === 0) s.resetIfLarge();
  }

  /** Puts a small item into the ring with the lock held; false when it does not fit. */
  #ringPut(ring: Ring, item: unknown, p: Prepared | undefined): boolean {
    const len = payloadLength(item, p);
    if (len < 0 || len > SLOT_PAYLOAD) return false;
    const pos = ring.claimPut();
    if (pos < 0) return false;
    Atomics.add(this.s.ctl, CtrlWord.Unfinished, 1);
    writeRecordAt(ring, ring.refOf(pos), item, p, len);
    ring.publish(pos);
    return true;
  }

  /** `getBegin` of a queue with a ring (lock held, views synced). */
  #ringGetBegin(ring: Ring, ms: number): number {
    const s = this.s;
    const ctl = s.ctl;
    this.serve();
    if (ctl[CtrlWord.GetHead] === -1) {
      const got = this.#ringTake(ring);
      if (got >= 0) return -1;
      if (ctl[CtrlWord.Count] > 0) {
        // The ring's items come before the overflow's.
        if (ring.pending()) return RETRY;
        this.#take();
        this.#refill(ring);
        this.#refreshFlags(ring);
        return -1;
      }
    }
    if (ctl[CtrlWord.ShutDown]) throw new ShutDown();
    if (ms <= 0) throw new Empty();
    const slot = s.enqueue(WaiterList.Get);
    ring.addFlags(RingFlag.Getters);
    // An item published before the flag was set is this getter's, or an
    // older getter's: hand it over now (the put that publishes later sees
    // the flag and calls serve() itself).
    this.serve();
    return slot;
  }

  /** Whether a put may add an item now. */
  #hasRoom(): boolean {
    const ctl = this.s.ctl;
    const max = ctl[CtrlWord.MaxSize];
    return max <= 0 || ctl[CtrlWord.Count] < max;
  }

  /** The item the last successful get took (call after releasing the lock). */
  /**
   * The large record the last get took, to read with {@linkcode result}
   * and free with {@linkcode releaseLarge}; -1 when the item was small.
   * Call it right after the get's last step, before anything else runs in
   * this thread.
   */
  takeLarge(): number {
    if (this.#outTag !== -2) return -1;
    const ref = this.#large;
    this.#large = -1;
    this.#outTag = -1;
    this.#out = undefined;
    return ref;
  }

  /** The item the last successful get took, or the large record `large` holds. */
  result(large = -1): unknown {
    if (large >= 0) {
      // Still this thread's: no other thread touches it until it is freed.
      const s = this.s;
      return finishItem(tagOf(s, large), readRecord(s, large));
    }
    const tag = this.#outTag;
    if (tag !== -1) return finishTake(tag as RecordTag);
    const out = this.#out;
    this.#out = undefined;
    return out;
  }

  /** Frees a large record from {@linkcode takeLarge}. Lock held. */
  releaseLarge(ref: number): void {
    const s = this.s;
    s.sync();
    s.free(ref);
    s.ctl[CtrlWord.Transit]--;
    if (s.ctl[CtrlWord.Count] === 0) s.resetIfLarge();
  }

  /**
   * For a large put: allocates its record (stamped, not yet filled) and
   * counts it in transit. Lock held.
   */
  reserve(p: Prepared): number {
    const s = this.s;
    s.sync();
    const ref = reserveItem(s, p);
    s.ctl[CtrlWord.Transit]++;
    return ref;
  }

  /** Fills a record from {@linkcode reserve}; the lock is not needed. */
  copyIn(ref: number, p: Prepared): void {
    copyItemIn(this.s, ref, p);
  }

  /** `putBegin` for an item already written to the in-transit record `ref`. */
  putBeginRef(item: unknown, ref: number, ms: number): number {
    const s = this.s;
    s.sync();
    const ctl = s.ctl;
    if (ctl[CtrlWord.ShutDown] || (!this.#hasRoom() && ms <= 0)) {
      s.free(ref);
      ctl[CtrlWord.Transit]--;
      throw ctl[CtrlWord.ShutDown] ? new ShutDown() : new Full();
    }
    if (this.#hasRoom()) {
      ctl[CtrlWord.Transit]--;
      this.serve(); // parked getters first
      try {
        this.#insertRef(ref, item);
      } catch (err) {
        s.free(ref);
        throw err;
      }
      if (this.#ring !== null) this.#refreshFlags(this.#ring);
      return -1;
    }
    const slot = s.enqueue(WaiterList.Put); // stays in transit while parked
    s.setSlotItem(slot, ref);
    return slot;
  }

  /**
   * First step of `get`: takes an item (returns -1, see {@linkcode result})
   * or queues the caller as a waiter (returns its slot).
   */
  getBegin(ms: number): number {
    const s = this.s;
    s.sync();
    if (this.#ring !== null) return this.#ringGetBegin(this.#ring, ms);
    const ctl = s.ctl;
    if (ctl[CtrlWord.Count] > 0) {
      this.#take();
      return -1;
    }
    if (ctl[CtrlWord.ShutDown]) throw new ShutDown();
    if (ms <= 0) throw new Empty();
    return s.enqueue(WaiterList.Get);
  }

  /** Step of `get` after waiting on `slot`. */
  getAfterWait(slot: number): number {
    const s = this.s;
    s.sync();
    const st = s.slotState(slot);
    if (st === WaiterState.Waiting) s.unlink(slot);
    const ref = s.slotItem(slot);
    s.freeSlot(slot);
    if (st === WaiterState.Notified) {
      this.#deliver(ref, true); // handed over by a put
      return -1;
    }
    if (this.#ring !== null) {
      // Timed out: one last look. Woken by shutdown: drain, then ShutDown.
      return this.#ringGetBegin(this.#ring, st === WaiterState.Waiting ? 0 : 1);
    }
    if (s.ctl[CtrlWord.Count] > 0) {
      this.#take();
      return -1;
    }
    if (s.ctl[CtrlWord.ShutDown]) throw new ShutDown();
    if (st === WaiterState.Waiting) throw new Empty(); // timed out
    return s.enqueue(WaiterList.Get);
  }

  /**
   * First step of `put`: stores the item (returns -1) or queues the caller
   * (returns its slot). On a ring, with `mayWait`, it may return
   * {@linkcode RETRY} instead of adding a small item to the overflow: wait
   * for room with {@linkcode waitRoom}, then call it again without `mayWait`.
   */
  putBegin(
    item: unknown,
    bytes: Prepared | undefined,
    ms: number,
    mayWait = false,
  ): number {
    const s = this.s;
    s.sync();
    if (s.ctl[CtrlWord.ShutDown]) throw new ShutDown();
    const ring = this.#ring;
    if (ring !== null) {
      this.serve();
      if (s.ctl[CtrlWord.GetHead] === -1) {
        // A short overflow (the end of a backlog) moves into the ring, so
        // puts go lock-free again; a long one is left to consumers, who
        // move it in batches when the ring runs dry.
        const n = s.ctl[CtrlWord.Count];
        if (n > 0 && n <= REFILL_BY_PUT) this.#refill(ring);
        if (s.ctl[CtrlWord.Count] === 0 && this.#ringPut(ring, item, bytes)) {
          this.#refreshFlags(ring);
          return -1;
        }
        // A small item found the ring full (or the overflow's last small
        // items did): rather than make the overflow (and every put after
        // this one) the slow way, let consumers make room.
        const len = payloadLength(item, bytes);
        if (
          mayWait && len >= 0 && len <= SLOT_PAYLOAD &&
          (s.ctl[CtrlWord.Count] === 0 ||
            (s.ctl[CtrlWord.Count] <= REFILL_BY_PUT &&
              s.i32[s.index[s.ctl[CtrlWord.Head]] * 2] <= SLOT_PAYLOAD))
        ) return RETRY;
      }
      this.#insert(item, bytes); // to a parked getter, or to the overflow
      this.#refreshFlags(ring);
      return -1;
    }
    if (this.#hasRoom()) {
      this.#insert(item, bytes);
      return -1;
    }
    if (ms <= 0) throw new Full();
    // Park with the item already in shared memory, so that the get that
    // frees a place can move it in.
    const ref = writeItem(s, item, bytes);
    let slot: number;
    try {
      slot = s.enqueue(WaiterList.Put);
    } catch (err) {
      s.free(ref);
      throw err;
    }
    s.setSlotItem(slot, ref);
    s.ctl[CtrlWord.Transit]++;
    return slot;
  }

  /** Step of `put` after waiting on `slot`. */
  putAfterWait(slot: number, item: unknown): number {
    const s = this.s;
    s.sync();
    const st = s.slotState(slot);
    if (st === WaiterState.Waiting) s.unlink(slot);
    const ref = s.slotItem(slot);
    s.freeSlot(slot);
    if (st === WaiterState.Notified) return -1; // a get moved the item in
    // The record is still this putter's.
    s.ctl[CtrlWord.Transit]--;
    try {
      if (s.ctl[CtrlWord.ShutDown]) throw new ShutDown();
      // A get could not move the item in: compare it here to raise the error.
      if (st === WaiterState.Failed) this.#probe(item);
      if (this.#hasRoom()) {
        this.#insertRef(ref, item);
        return -1;
      }
      if (st === WaiterState.Waiting) throw new Full(); // timed out
    } catch (err) {
      s.free(ref);
      throw err;
    }
    let again: number;
    try {
      again = s.enqueue(WaiterList.Put);
    } catch (err) {
      s.free(ref);
      throw err;
    }
    s.setSlotItem(again, ref);
    s.ctl[CtrlWord.Transit]++;
    return again;
  }

  /** Python's `task_done`. */
  taskDone(): void {
    const ctl = this.s.ctl;
    // Atomics: lock-free puts add to the count without the lock.
    const left = Atomics.sub(ctl, CtrlWord.Unfinished, 1) - 1;
    if (left < 0) {
      Atomics.add(ctl, CtrlWord.Unfinished, 1);
      throw new ValueError("task_done() called too many times");
    }
    if (left === 0) this.#bumpJoin();
  }

  #bumpJoin(): void {
    Atomics.add(this.s.ctl, CtrlWord.JoinGen, 1);
    notify(this.s.ctl, CtrlWord.JoinGen);
  }

  /** Python's `shutdown(immediate)`. */
  shutdown(immediate: boolean): void {
    const s = this.s;
    s.sync();
    const ctl = s.ctl;
    Atomics.store(ctl, CtrlWord.ShutDown, 1);
    const ring = this.#ring;
    ring?.addFlags(RingFlag.ShutDown | (immediate ? RingFlag.Drain : 0));
    if (immediate) {
      if (ring !== null) this.#drainRing(ring);
      // Drop every item (in no particular order: no comparisons needed),
      // and the items handed to getters that have not run yet.
      const handed = s.takeBackHandedItems();
      ctl[CtrlWord.Transit] -= handed.length;
      for (const ref of [...s.refs(), ...handed]) {
        s.free(ref);
        if (Atomics.sub(ctl, CtrlWord.Unfinished, 1) <= 0) {
          Atomics.add(ctl, CtrlWord.Unfinished, 1);
        }
      }
      Atomics.store(ctl, CtrlWord.Count, 0);
      ctl[CtrlWord.Head] = 0;
      s.resetIfLarge();
      this.#bumpJoin();
    }
    // Waiting putters free their own records when they wake.
    while (s.wakeOldest(WaiterList.Get, WaiterState.Woken));
    while (s.wakeOldest(WaiterList.Put, WaiterState.Woken));
    if (ring !== null) this.#refreshFlags(ring);
  }

  isShutDown(): boolean {
    return Atomics.load(this.s.ctl, CtrlWord.ShutDown) === 1;
  }

  /** The queue's items in internal order, as read from records (finish with {@linkcode finishSnapshot}). */
  snapshotRaw(): [RecordTag, unknown][] {
    this.s.sync();
    const s = this.s;
    const out: [RecordTag, unknown][] = [];
    // The ring's items come first; each is read from a private copy.
    for (const copy of this.#ring?.copies() ?? []) {
      const v = slotViews(copy);
      out.push([tagOf(v, 1), readRecord(v, 1)]);
    }
    for (const ref of s.refs()) out.push([tagOf(s, ref), readRecord(s, ref)]);
    return out;
  }

  static finishSnapshot(raw: [RecordTag, unknown][]): unknown[] {
    return raw.map(([tag, v]) => finishItem(tag, v));
  }

  // --- waiting, without the lock ---

  /**
   * Before queueing up as a waiter, polls (without the lock) for up to `ms`
   * milliseconds for an item to take (`forGet`) or a free place. A
   * producer and a consumer running side by side thus hand items over
   * without parking and waking each other. Nobody polls while others are
   * queued already: they come first.
   */
  spin(forGet: boolean, ms: number): void {
    const ring = this.#ring;
    if (forGet && ring !== null) return this.#spinRing(ring, ms);
    const ctl = this.s.ctl;
    if (
      Atomics.load(ctl, forGet ? CtrlWord.GetHead : CtrlWord.PutHead) !== -1
    ) return;
    const end = performance.now() + ms;
    do {
      for (let k = 0; k < 16; k++) {
        if (Atomics.load(ctl, CtrlWord.ShutDown)) return;
        const n = Atomics.load(ctl, CtrlWord.Count);
        if (forGet ? n > 0 : n < Atomics.load(ctl, CtrlWord.MaxSize)) return;
        // Back off between polls: each one pulls the control words' cache
        // line away from the thread that is about to write them.
        _sink = _pause(_sink);
      }
    } while (performance.now() < end);
  }

  /**
   * `spin` for a get on a ring: polls only the flags (rarely written) and
   * the slot the next item will arrive in, never the control words.
   */
  #spinRing(ring: Ring, ms: number): void {
    const end = performance.now() + ms;
    do {
      // Look only now and then: each look pulls the line a producer is
      // about to write, so a producer and a consumer running at the same
      // pace would pass every slot's line back and forth several times.
      // Looking late instead finds several items, each slot's line then
      // travelling once.
      for (let j = 0; j < SPIN_GAP; j++) _sink = _pause(_sink);
      if (ring.flags() !== 0 || ring.hasItem()) return;
    } while (performance.now() < end);
  }

  /** Whether a get would find nothing to take right now (a hint, no lock). */
  looksEmpty(): boolean {
    const ring = this.#ring;
    if (ring !== null) return ring.flags() === 0 && !ring.hasItem();
    return Atomics.load(this.s.ctl, CtrlWord.Count) <= 0;
  }

  /** Whether a put would find no free place right now (a hint, no lock). */
  looksFull(): boolean {
    // Unbounded: no look at the control words, whose cache line the
    // consumer may hold (a read here, then the lock's write, would fetch
    // it twice).
    const max = this.#max;
    return max > 0 && Atomics.load(this.s.ctl, CtrlWord.Count) >= max;
  }

  /** Parks this thread until `slot` is woken or the deadline passes. */
  waitSlotSync(slot: number, deadline: Deadline | null): void {
    const w = this.s.slots;
    const i = slot * WaiterWord.Words + WaiterWord.State;
    while (Atomics.load(w, i) === WaiterState.Waiting) {
      const left = deadline ? deadline.remainingMs() : Infinity;
      if (left <= 0) return;
      waitSync(w, i, WaiterState.Waiting, Math.min(left, _SLICE_MS));
    }
  }

  /** Waits without blocking the event loop until `slot` is woken or the deadline passes. */
  async waitSlotAsync(slot: number, deadline: Deadline | null): Promise<void> {
    const w = this.s.slots;
    const i = slot * WaiterWord.Words + WaiterWord.State;
    while (Atomics.load(w, i) === WaiterState.Waiting) {
      const left = deadline ? deadline.remainingMs() : Infinity;
      if (left <= 0) return;
      await waitAsync(w, i, WaiterState.Waiting, left);
    }
  }

  /** Python's `join`, blocking this thread. */
  joinSync(): void {
    const ctl = this.s.ctl;
    for (;;) {
      const gen = Atomics.load(ctl, CtrlWord.JoinGen);
      if (Atomics.load(ctl, CtrlWord.Unfinished) === 0) return;
      waitSync(ctl, CtrlWord.JoinGen, gen, _SLICE_MS);
    }
  }

  /** Python's `join`, without blocking the event loop. */
  async join(): Promise<void> {
    const ctl = this.s.ctl;
    for (;;) {
      const gen = Atomics.load(ctl, CtrlWord.JoinGen);
      if (Atomics.load(ctl, CtrlWord.Unfinished) === 0) return;
      await waitAsync(ctl, CtrlWord.JoinGen, gen, Infinity);
    }
  }

  /** Waiters parked in `list` (walks the list; for tests). */
  waiters(list: WaiterList): number {
    const s = this.s;
    s.sync();
    let n = 0;
    let at =
      s.ctl[list === WaiterList.Get ? CtrlWord.GetHead : CtrlWord.PutHead];
    while (at !== -1) {
      n++;
      at = s.slots[at * WaiterWord.Words + WaiterWord.Next];
    }
    return n;
  }

  /** Bytes of shared memory the queue's items use now (for tests). */
  storageBytes(): number {
    return this.s.state.data.byteLength;
  }

  unfinished(): number {
    return Atomics.load(this.s.ctl, CtrlWord.Unfinished);
  }
}
