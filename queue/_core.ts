// The queue algorithm of CPython's Lib/queue.py over shared memory: one
// mutex guards the state; `_put`/`_get` hooks keep a FIFO ring, a LIFO
// stack or a heap (ported from Lib/heapq.py so the heap array matches
// CPython's); waiters queue in arrival order with a slot each.
//
// Fairness. Python's Condition-based queue lets a newcomer take an item that
// a just-woken getter was about to take, and woken threads run in whatever
// order the scheduler picks. Here a put that finds getters waiting hands its
// item to the oldest of them directly, and a get that frees a place moves
// the oldest waiting putter's item in (see the invariants below). So blocked
// getters and putters are served strictly in the order they arrived.
import { ValueError } from "../_internal/errors.ts";
import type { Deadline } from "../_internal/time.ts";
import { notify, waitAsync, waitSync } from "../_internal/wait.ts";
import { pyLess } from "./_compare.ts";
import { Empty, Full, ShutDown } from "./errors.ts";
import {
  copyItemIn,
  finishItem,
  finishTake,
  isEncoded,
  type Prepared,
  readRecord,
  reserveItem,
  stampOf,
  tagOf,
  takeRecord,
  writeItem,
} from "./_items.ts";
import { C, Kind, List, Slot, type Tag, W } from "./_layout.ts";
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
  readonly #kind: Kind;
  readonly #compare: CompareFn | null;
  /** `maxsize`, fixed at creation: kept here so a put need not read it from shared memory. */
  readonly #max: number;
  /** Decoded `node:v8` items of a heap, so comparisons do not deserialize again. */
  readonly #cache = new Map<number, _Cached>();
  /** What the last take produced: a tag for `finishTake`, or -1 with the item in #out. */
  #out: unknown = undefined;
  #outTag: Tag | -1 | -2 = -1;
  /** The large record the last get took, until releaseLarge(). */
  #large = -1;

  constructor(
    state?: StoreState,
    kind: Kind = Kind.Fifo,
    maxsize = 0,
    compare: CompareFn | null = null,
  ) {
    this.s = new Store(state, kind, maxsize);
    this.#kind = this.s.kind;
    this.#compare = compare;
    this.#max = this.s.ctl[C.MaxSize];
  }

  get maxsize(): number {
    return this.s.ctl[C.MaxSize];
  }

  qsize(): number {
    return Atomics.load(this.s.ctl, C.Count);
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
    const n = ctl[C.Count];
    if (n === ctl[C.IndexCap]) s.growIndex();
    const idx = s.index;
    switch (this.#kind) {
      case Kind.Fifo:
        idx[(ctl[C.Head] + n) & (ctl[C.IndexCap] - 1)] = ref;
        break;
      case Kind.Lifo:
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
    ctl[C.Count] = n + 1;
  }

  /** Runs the comparisons a heap push of `item` would run, changing nothing. */
  #probe(item: unknown): void {
    if (this.#kind !== Kind.Heap) return;
    const idx = this.s.index;
    let pos = this.s.ctl[C.Count];
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
    const n = ctl[C.Count];
    let ref: number;
    switch (this.#kind) {
      case Kind.Fifo: {
        const head = ctl[C.Head];
        ref = idx[head];
        ctl[C.Head] = (head + 1) & (ctl[C.IndexCap] - 1);
        break;
      }
      case Kind.Lifo:
        ref = idx[n - 1];
        break;
      default:
        ref = this.#heappop(idx, n);
    }
    ctl[C.Count] = n - 1;
    if (n === 1) ctl[C.Head] = 0;
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
    if (this.#kind === Kind.Heap && isEncoded(tag)) {
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
      if (!inTransit) s.ctl[C.Transit]++;
      return;
    } else {
      this.#outTag = takeRecord(s, ref);
    }
    s.free(ref);
    if (inTransit) s.ctl[C.Transit]--;
  }

  /** Takes the next item out of the queue, then fills freed places from waiting putters. */
  #take(): void {
    const s = this.s;
    this.#deliver(this.#get(), false);
    const ctl = s.ctl;
    if (ctl[C.PutHead] !== -1) this.#admitPutters();
    if (ctl[C.Count] === 0) s.resetIfLarge();
  }

  /** Moves waiting putters' items into the free places, oldest putter first. */
  #admitPutters(): void {
    const s = this.s;
    const ctl = s.ctl;
    const max = ctl[C.MaxSize];
    while (ctl[C.PutHead] !== -1 && ctl[C.Count] < max) {
      const ref = s.slotItem(ctl[C.PutHead]);
      try {
        this.#put(
          ref,
          this.#kind === Kind.Heap ? this.#valueOf(ref) : undefined,
        );
      } catch {
        // Its item cannot be compared with the queue's: the putter tries
        // again itself and gets the error.
        s.wakeOldest(List.Put, Slot.Failed);
        continue;
      }
      ctl[C.Unfinished]++;
      ctl[C.Transit]--;
      s.wakeOldest(List.Put, Slot.Notified);
    }
  }

  /** Adds the record `ref` (holding `item`): to the oldest waiting getter, or to the queue. */
  #insertRef(ref: number, item: unknown): void {
    const s = this.s;
    const ctl = s.ctl;
    const getter = ctl[C.GetHead];
    if (getter !== -1) {
      s.setSlotItem(getter, ref);
      ctl[C.Transit]++;
      s.wakeOldest(List.Get, Slot.Notified);
    } else this.#put(ref, item);
    ctl[C.Unfinished]++;
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

  /** Whether a put may add an item now. */
  #hasRoom(): boolean {
    const ctl = this.s.ctl;
    const max = ctl[C.MaxSize];
    return max <= 0 || ctl[C.Count] < max;
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
    if (tag !== -1) return finishTake(tag as Tag);
    const out = this.#out;
    this.#out = undefined;
    return out;
  }

  /** Frees a large record from {@linkcode takeLarge}. Lock held. */
  releaseLarge(ref: number): void {
    const s = this.s;
    s.sync();
    s.free(ref);
    s.ctl[C.Transit]--;
    if (s.ctl[C.Count] === 0) s.resetIfLarge();
  }

  /**
   * For a large put: allocates its record (stamped, not yet filled) and
   * counts it in transit. Lock held.
   */
  reserve(p: Prepared): number {
    const s = this.s;
    s.sync();
    const ref = reserveItem(s, p);
    s.ctl[C.Transit]++;
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
    if (ctl[C.ShutDown] || (!this.#hasRoom() && ms <= 0)) {
      s.free(ref);
      ctl[C.Transit]--;
      throw ctl[C.ShutDown] ? new ShutDown() : new Full();
    }
    if (this.#hasRoom()) {
      ctl[C.Transit]--;
      try {
        this.#insertRef(ref, item);
      } catch (err) {
        s.free(ref);
        throw err;
      }
      return -1;
    }
    const slot = s.enqueue(List.Put); // stays in transit while parked
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
    const ctl = s.ctl;
    if (ctl[C.Count] > 0) {
      this.#take();
      return -1;
    }
    if (ctl[C.ShutDown]) throw new ShutDown();
    if (ms <= 0) throw new Empty();
    return s.enqueue(List.Get);
  }

  /** Step of `get` after waiting on `slot`. */
  getAfterWait(slot: number): number {
    const s = this.s;
    s.sync();
    const st = s.slotState(slot);
    if (st === Slot.Waiting) s.unlink(slot);
    const ref = s.slotItem(slot);
    s.freeSlot(slot);
    if (st === Slot.Notified) {
      this.#deliver(ref, true); // handed over by a put
      return -1;
    }
    if (s.ctl[C.Count] > 0) {
      this.#take();
      return -1;
    }
    if (s.ctl[C.ShutDown]) throw new ShutDown();
    if (st === Slot.Waiting) throw new Empty(); // timed out
    return s.enqueue(List.Get);
  }

  /** First step of `put`: stores the item (returns -1) or queues the caller (returns its slot). */
  putBegin(item: unknown, bytes: Prepared | undefined, ms: number): number {
    const s = this.s;
    s.sync();
    if (s.ctl[C.ShutDown]) throw new ShutDown();
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
      slot = s.enqueue(List.Put);
    } catch (err) {
      s.free(ref);
      throw err;
    }
    s.setSlotItem(slot, ref);
    s.ctl[C.Transit]++;
    return slot;
  }

  /** Step of `put` after waiting on `slot`. */
  putAfterWait(slot: number, item: unknown): number {
    const s = this.s;
    s.sync();
    const st = s.slotState(slot);
    if (st === Slot.Waiting) s.unlink(slot);
    const ref = s.slotItem(slot);
    s.freeSlot(slot);
    if (st === Slot.Notified) return -1; // a get moved the item in
    // The record is still this putter's.
    s.ctl[C.Transit]--;
    try {
      if (s.ctl[C.ShutDown]) throw new ShutDown();
      // A get could not move the item in: compare it here to raise the error.
      if (st === Slot.Failed) this.#probe(item);
      if (this.#hasRoom()) {
        this.#insertRef(ref, item);
        return -1;
      }
      if (st === Slot.Waiting) throw new Full(); // timed out
    } catch (err) {
      s.free(ref);
      throw err;
    }
    let again: number;
    try {
      again = s.enqueue(List.Put);
    } catch (err) {
      s.free(ref);
      throw err;
    }
    s.setSlotItem(again, ref);
    s.ctl[C.Transit]++;
    return again;
  }

  /** Python's `task_done`. */
  taskDone(): void {
    const ctl = this.s.ctl;
    const left = ctl[C.Unfinished] - 1;
    if (left < 0) throw new ValueError("task_done() called too many times");
    Atomics.store(ctl, C.Unfinished, left);
    if (left === 0) this.#bumpJoin();
  }

  #bumpJoin(): void {
    Atomics.add(this.s.ctl, C.JoinGen, 1);
    notify(this.s.ctl, C.JoinGen);
  }

  /** Python's `shutdown(immediate)`. */
  shutdown(immediate: boolean): void {
    const s = this.s;
    s.sync();
    const ctl = s.ctl;
    Atomics.store(ctl, C.ShutDown, 1);
    if (immediate) {
      // Drop every item (in no particular order: no comparisons needed),
      // and the items handed to getters that have not run yet.
      const handed = s.takeBackHandedItems();
      ctl[C.Transit] -= handed.length;
      for (const ref of [...s.refs(), ...handed]) {
        s.free(ref);
        if (ctl[C.Unfinished] > 0) ctl[C.Unfinished]--;
      }
      Atomics.store(ctl, C.Count, 0);
      ctl[C.Head] = 0;
      s.resetIfLarge();
      this.#bumpJoin();
    }
    // Waiting putters free their own records when they wake.
    while (s.wakeOldest(List.Get, Slot.Woken));
    while (s.wakeOldest(List.Put, Slot.Woken));
  }

  isShutDown(): boolean {
    return Atomics.load(this.s.ctl, C.ShutDown) === 1;
  }

  /** The queue's items in internal order, as read from records (finish with {@linkcode finishSnapshot}). */
  snapshotRaw(): [Tag, unknown][] {
    this.s.sync();
    const s = this.s;
    return s.refs().map((ref) => [tagOf(s, ref), readRecord(s, ref)]);
  }

  static finishSnapshot(raw: [Tag, unknown][]): unknown[] {
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
    const ctl = this.s.ctl;
    if (Atomics.load(ctl, forGet ? C.GetHead : C.PutHead) !== -1) return;
    const end = performance.now() + ms;
    do {
      for (let k = 0; k < 16; k++) {
        if (Atomics.load(ctl, C.ShutDown)) return;
        const n = Atomics.load(ctl, C.Count);
        if (forGet ? n > 0 : n < Atomics.load(ctl, C.MaxSize)) return;
        // Back off between polls: each one pulls the control words' cache
        // line away from the thread that is about to write them.
        _sink = _pause(_sink);
      }
    } while (performance.now() < end);
  }

  /** Whether a get would find nothing to take right now (a hint, no lock). */
  looksEmpty(): boolean {
    return Atomics.load(this.s.ctl, C.Count) <= 0;
  }

  /** Whether a put would find no free place right now (a hint, no lock). */
  looksFull(): boolean {
    // Unbounded: no look at the control words, whose cache line the
    // consumer may hold (a read here, then the lock's write, would fetch
    // it twice).
    const max = this.#max;
    return max > 0 && Atomics.load(this.s.ctl, C.Count) >= max;
  }

  /** Parks this thread until `slot` is woken or the deadline passes. */
  waitSlotSync(slot: number, deadline: Deadline | null): void {
    const w = this.s.slots;
    const i = slot * W.Words + W.State;
    while (Atomics.load(w, i) === Slot.Waiting) {
      const left = deadline ? deadline.remainingMs() : Infinity;
      if (left <= 0) return;
      waitSync(w, i, Slot.Waiting, Math.min(left, _SLICE_MS));
    }
  }

  /** Waits without blocking the event loop until `slot` is woken or the deadline passes. */
  async waitSlotAsync(slot: number, deadline: Deadline | null): Promise<void> {
    const w = this.s.slots;
    const i = slot * W.Words + W.State;
    while (Atomics.load(w, i) === Slot.Waiting) {
      const left = deadline ? deadline.remainingMs() : Infinity;
      if (left <= 0) return;
      await waitAsync(w, i, Slot.Waiting, left);
    }
  }

  /** Python's `join`, blocking this thread. */
  joinSync(): void {
    const ctl = this.s.ctl;
    for (;;) {
      const gen = Atomics.load(ctl, C.JoinGen);
      if (Atomics.load(ctl, C.Unfinished) === 0) return;
      waitSync(ctl, C.JoinGen, gen, _SLICE_MS);
    }
  }

  /** Python's `join`, without blocking the event loop. */
  async join(): Promise<void> {
    const ctl = this.s.ctl;
    for (;;) {
      const gen = Atomics.load(ctl, C.JoinGen);
      if (Atomics.load(ctl, C.Unfinished) === 0) return;
      await waitAsync(ctl, C.JoinGen, gen, Infinity);
    }
  }

  /** Waiters parked in `list` (walks the list; for tests). */
  waiters(list: List): number {
    const s = this.s;
    s.sync();
    let n = 0;
    let at = s.ctl[list === List.Get ? C.GetHead : C.PutHead];
    while (at !== -1) {
      n++;
      at = s.slots[at * W.Words + W.Next];
    }
    return n;
  }

  /** Bytes of shared memory the queue's items use now (for tests). */
  storageBytes(): number {
    return this.s.state.data.byteLength;
  }

  unfinished(): number {
    return Atomics.load(this.s.ctl, C.Unfinished);
  }
}
