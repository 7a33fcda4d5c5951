// One thread's view of a queue's shared memory: the control words, the
// index of item refs (ring, stack or heap), the item records with their
// allocator, and the waiter slots.
//
// Views of the growable buffers have a fixed length: V8 accesses
// length-tracking views of a growable SharedArrayBuffer some 40 times more
// slowly. A thread that grows a buffer bumps the Layout word; every other
// handle compares it after taking the lock and rebuilds its views
// ({@linkcode Store.sync}). Every method runs with the queue's mutex
// held unless its note says otherwise; plain (non-atomic) reads and writes
// are safe under the mutex because taking and releasing it are Atomics
// operations, which order everything in between.
import {
  lockAsync,
  lockSync,
  tryLock,
  unlock,
} from "../_internal/sync/mutex.ts";
import { RuntimeError } from "../_internal/core/errors.ts";
import {
  C,
  DATA_INITIAL,
  DATA_MAX,
  HEADER,
  INDEX_INITIAL,
  INDEX_MAX_BYTES,
  Kind,
  List,
  RESET_UNITS,
  Slot,
  SLOTS_INITIAL,
  SLOTS_MAX,
  W,
} from "./_layout.ts";
import { Ring } from "./_ring.ts";
import { type Latin1Reader, latin1Reader } from "./_items.ts";

/** The shared memory of one queue, as it travels to another thread. */
export interface StoreState {
  /** Control words, fixed size. */
  ctl: SharedArrayBuffer;
  /** Item refs: the ring, stack or heap; growable. */
  index: SharedArrayBuffer;
  /** Item records; growable. */
  data: SharedArrayBuffer;
  /** Waiter slots; growable. */
  slots: SharedArrayBuffer;
  /** The lock-free ring of an unbounded FIFO queue (see _ring.ts); null for the others. */
  ring: SharedArrayBuffer | null;
}

/**
 * The size class of a record of `units` 8-byte units: exact up to 8 units,
 * then four classes per power of two (at most 25% slack). Returns the class
 * in the low 8 bits and the class's size in units above them.
 */
function _sizeClass(units: number): [number, number] {
  if (units <= 8) return [units, units];
  const log = 31 - Math.clz32(units - 1); // 2^log < units <= 2^(log+1)
  const shift = log - 2;
  const steps = Math.ceil(units / 2 ** shift); // 5..8
  return [9 + (log - 3) * 4 + steps - 5, steps * 2 ** shift];
}

/** A thread's handle on a queue's shared memory. */
export class Store {
  readonly state: StoreState;
  readonly ctl: Int32Array;
  index!: Int32Array;
  slots!: Int32Array;
  u8!: Uint8Array;
  u16!: Uint16Array;
  i32!: Int32Array;
  f64!: Float64Array;
  dv!: DataView;
  lat!: Latin1Reader | null;
  #layout = -1;

  constructor(state?: StoreState, kind: Kind = Kind.Fifo, maxsize = 0) {
    if (!state) {
      state = {
        ctl: new SharedArrayBuffer(C.Size * 4),
        index: new SharedArrayBuffer(INDEX_INITIAL * 4, {
          maxByteLength: INDEX_MAX_BYTES,
        }),
        data: new SharedArrayBuffer(DATA_INITIAL, { maxByteLength: DATA_MAX }),
        slots: new SharedArrayBuffer(SLOTS_INITIAL * W.Words * 4, {
          maxByteLength: SLOTS_MAX * W.Words * 4,
        }),
        ring: kind === Kind.Fifo && maxsize <= 0 ? new Ring().sab : null,
      };
      const ctl = new Int32Array(state.ctl);
      ctl[C.Kind] = kind;
      ctl[C.MaxSize] = maxsize;
      ctl[C.IndexCap] = INDEX_INITIAL;
      ctl[C.GetHead] = ctl[C.GetTail] = -1;
      ctl[C.PutHead] = ctl[C.PutTail] = -1;
      ctl.fill(-1, C.FreeBase, C.FreeBase + 128);
      const slots = new Int32Array(state.slots);
      for (let s = 0; s < SLOTS_INITIAL; s++) {
        slots[s * W.Words + W.Next] = s + 1 < SLOTS_INITIAL ? s + 1 : -1;
      }
      ctl[C.FreeSlot] = 0;
      // Publish the initial words before any other thread can see them.
      Atomics.store(ctl, C.SlotCap, SLOTS_INITIAL);
    }
    this.state = state;
    this.ctl = new Int32Array(state.ctl);
    this.#views();
  }

  #views(): void {
    const st = this.state;
    this.#layout = Atomics.load(this.ctl, C.Layout);
    const data = st.data;
    const bytes = data.byteLength;
    this.index = new Int32Array(st.index, 0, st.index.byteLength >> 2);
    this.slots = new Int32Array(st.slots, 0, st.slots.byteLength >> 2);
    this.u8 = new Uint8Array(data, 0, bytes);
    this.u16 = new Uint16Array(data, 0, bytes >> 1);
    this.i32 = new Int32Array(data, 0, bytes >> 2);
    this.f64 = new Float64Array(data, 0, bytes >> 3);
    this.dv = new DataView(data, 0, bytes);
    this.lat = latin1Reader(data, 0, bytes);
  }

  /** Rebuilds the views if another thread grew a buffer. Lock held. */
  sync(): void {
    if (this.ctl[C.Layout] !== this.#layout) this.#views();
  }

  /** Records that this thread grew a buffer. Lock held. */
  #grown(): void {
    Atomics.add(this.ctl, C.Layout, 1);
    this.#views();
  }

  // --- the mutex ---

  /** Takes the queue's mutex, blocking this thread. */
  lockSync(): void {
    if (!tryLock(this.ctl, C.Mutex)) lockSync(this.ctl, C.Mutex, Infinity);
  }

  /** Takes the queue's mutex without blocking the event loop. */
  lockAsync(): Promise<boolean> | boolean {
    return tryLock(this.ctl, C.Mutex) || lockAsync(this.ctl, C.Mutex, Infinity);
  }

  /** Releases the queue's mutex. */
  unlock(): void {
    unlock(this.ctl, C.Mutex);
  }

  /**
   * A new stamp for an encoded record of a heap (which caches decoded
   * items); other queues keep no cache and write no stamp (0), sparing a
   * write to another cache line.
   */
  nextStamp(): number {
    const ctl = this.ctl;
    if (ctl[C.Kind] !== Kind.Heap) return 0;
    return (ctl[C.Stamp] = (ctl[C.Stamp] + 1) | 0);
  }

  // --- item records ---

  /**
   * Allocates a record with room for `payload` bytes and writes its header;
   * returns its ref (its offset in 8-byte units).
   *
   * @throws {RangeError} when the queue's storage cannot grow any further.
   */
  alloc(payload: number, tag: number): number {
    const units = 1 + ((payload + 7) >> 3);
    let cls = units;
    let classUnits = units;
    // Small records (most items) are their own class: no array to allocate.
    if (units > 8) [cls, classUnits] = _sizeClass(units);
    const ctl = this.ctl;
    let ref = ctl[C.FreeBase + cls];
    if (ref !== -1) {
      ctl[C.FreeBase + cls] = this.i32[ref * 2];
    } else {
      ref = ctl[C.Bump];
      const end = (ref + classUnits) * 8;
      if (end > this.u8.length) this.#growData(end);
      ctl[C.Bump] = ref + classUnits;
    }
    const i32 = this.i32; // after growing: views are rebuilt then
    i32[ref * 2] = payload;
    i32[ref * 2 + 1] = tag | (cls << 8);
    return ref;
  }

  #growData(end: number): void {
    const data = this.state.data;
    if (end > DATA_MAX) {
      throw new RangeError(
        `queue storage is full: an item of ${end - this.ctl[C.Bump] * 8} ` +
          `bytes does not fit in the ${DATA_MAX} bytes a queue can hold`,
      );
    }
    let size = data.byteLength * 2;
    while (size < end) size *= 2;
    data.grow(Math.min(size, DATA_MAX));
    this.#grown();
  }

  /** Returns a record to its size class's free list. */
  free(ref: number): void {
    const i32 = this.i32;
    const cls = (i32[ref * 2 + 1] >> 8) & 0xff;
    i32[ref * 2] = this.ctl[C.FreeBase + cls];
    this.ctl[C.FreeBase + cls] = ref;
  }

  /**
   * Called when the queue has just become empty: once much storage has been
   * handed out, forget every free list and start again from the bottom, so
   * space freed in one size class serves items of any other size.
   */
  resetIfLarge(): void {
    const ctl = this.ctl;
    // Records handed to getters, held by parked putters or being copied
    // with the lock released are still in use.
    if (ctl[C.Bump] < RESET_UNITS || ctl[C.Transit] !== 0) return;
    ctl[C.Bump] = 0;
    ctl.fill(-1, C.FreeBase, C.FreeBase + 128);
  }

  // --- the index ---

  /** The kind of index this queue keeps. */
  get kind(): Kind {
    return this.ctl[C.Kind];
  }

  /** Grows the index to twice its entries, keeping a ring's order. */
  growIndex(): void {
    const ctl = this.ctl;
    const cap = ctl[C.IndexCap];
    if (cap * 8 > INDEX_MAX_BYTES) {
      throw new RangeError(`queue index is full (${cap} items)`);
    }
    this.state.index.grow(cap * 8);
    this.#grown();
    // A ring that wraps moves its wrapped front part after the old end.
    const head = ctl[C.Head];
    if (head > 0 && ctl[C.Kind] === Kind.Fifo) {
      this.index.copyWithin(cap, 0, head);
    }
    ctl[C.IndexCap] = cap * 2;
  }

  /** Item refs in the queue's internal order (ring from its head, stack or heap array). */
  refs(): number[] {
    const ctl = this.ctl;
    const n = ctl[C.Count];
    const out: number[] = new Array(n);
    if (ctl[C.Kind] === Kind.Fifo) {
      const mask = ctl[C.IndexCap] - 1;
      const head = ctl[C.Head];
      for (let i = 0; i < n; i++) out[i] = this.index[(head + i) & mask];
    } else {
      for (let i = 0; i < n; i++) out[i] = this.index[i];
    }
    return out;
  }

  // --- waiter slots ---

  #allocSlot(): number {
    const ctl = this.ctl;
    let s = ctl[C.FreeSlot];
    if (s === -1) {
      const cap = ctl[C.SlotCap];
      if (cap >= SLOTS_MAX) {
        throw new RuntimeError(
          `too many threads waiting on one queue (${SLOTS_MAX})`,
        );
      }
      this.state.slots.grow(cap * 2 * W.Words * 4);
      this.#grown();
      const w = this.slots;
      for (let k = cap; k < cap * 2; k++) {
        w[k * W.Words + W.Next] = k + 1 < cap * 2 ? k + 1 : -1;
      }
      ctl[C.SlotCap] = cap * 2;
      s = cap;
    }
    ctl[C.FreeSlot] = this.slots[s * W.Words + W.Next];
    return s;
  }

  /** Puts a new waiter at the end of `list`; returns its slot. */
  enqueue(list: List): number {
    const s = this.#allocSlot();
    const ctl = this.ctl;
    const w = this.slots;
    const headAt = list === List.Get ? C.GetHead : C.PutHead;
    const tailAt = list === List.Get ? C.GetTail : C.PutTail;
    const tail = ctl[tailAt];
    const b = s * W.Words;
    w[b + W.Next] = -1;
    w[b + W.Prev] = tail;
    w[b + W.List] = list;
    // The waiter reads its state without the lock while it is parked.
    Atomics.store(w, b + W.State, Slot.Waiting);
    if (tail === -1) ctl[headAt] = s;
    else w[tail * W.Words + W.Next] = s;
    ctl[tailAt] = s;
    return s;
  }

  /** Takes slot `s` off its list (it is still Waiting). */
  unlink(s: number): void {
    const ctl = this.ctl;
    const w = this.slots;
    const b = s * W.Words;
    const get = w[b + W.List] === List.Get;
    const headAt = get ? C.GetHead : C.PutHead;
    const tailAt = get ? C.GetTail : C.PutTail;
    const next = w[b + W.Next];
    const prev = w[b + W.Prev];
    if (prev === -1) ctl[headAt] = next;
    else w[prev * W.Words + W.Next] = next;
    if (next === -1) ctl[tailAt] = prev;
    else w[next * W.Words + W.Prev] = prev;
  }

  /** Gives slot `s` back once its waiter has read its state. */
  freeSlot(s: number): void {
    const w = this.slots;
    const b = s * W.Words;
    Atomics.store(w, b + W.State, Slot.Free);
    w[b + W.Next] = this.ctl[C.FreeSlot];
    this.ctl[C.FreeSlot] = s;
  }

  /** Wakes the oldest waiter of `list` with `state`; returns whether there was one. */
  wakeOldest(list: List, state: Slot): boolean {
    const s = this.ctl[list === List.Get ? C.GetHead : C.PutHead];
    if (s === -1) return false;
    this.unlink(s);
    Atomics.store(this.slots, s * W.Words + W.State, state);
    Atomics.notify(this.slots, s * W.Words + W.State, 1);
    return true;
  }

  /** The state word of slot `s` (read without the lock while parked). */
  slotState(s: number): Slot {
    return Atomics.load(this.slots, s * W.Words + W.State);
  }

  /** The item record a waiter holds (putter) or was handed (getter). */
  slotItem(s: number): number {
    return this.slots[s * W.Words + W.Item];
  }

  /** Records the item a waiter holds or is handed. */
  setSlotItem(s: number, ref: number): void {
    this.slots[s * W.Words + W.Item] = ref;
  }

  /**
   * Takes back the items handed to getters that have not woken yet, turning
   * them Woken (for an immediate shutdown); returns the items' refs.
   */
  takeBackHandedItems(): number[] {
    const w = this.slots;
    const cap = this.ctl[C.SlotCap];
    const refs: number[] = [];
    for (let s = 0; s < cap; s++) {
      const b = s * W.Words;
      if (
        Atomics.load(w, b + W.State) === Slot.Notified &&
        w[b + W.List] === List.Get
      ) {
        refs.push(w[b + W.Item]);
        Atomics.store(w, b + W.State, Slot.Woken);
        Atomics.notify(w, b + W.State, 1);
      }
    }
    return refs;
  }
}

/** Byte offset of a record's payload. */
export function payloadOffset(ref: number): number {
  return ref * 8 + HEADER;
}
