/**
 * One thread's view of a queue's shared memory: the control words, the
 * index of item refs (ring, stack or heap), the item records with their
 * allocator, and the waiter slots. Every method runs with the queue's
 * mutex held unless its note says otherwise.
 *
 * Design: docs/design/queue.md
 *
 * @module
 */
import {
  lockAsync,
  lockSync,
  tryLock,
  unlock,
} from "../_internal/sync/mutex.ts";
import { RuntimeError } from "../_internal/core/errors.ts";
import {
  CtrlWord,
  DATA_INITIAL,
  DATA_MAX,
  INDEX_INITIAL,
  INDEX_MAX_BYTES,
  IndexKind,
  RESET_UNITS,
  SLOTS_INITIAL,
  SLOTS_MAX,
  WaiterList,
  WaiterState,
  WaiterWord,
} from "./_layout.ts";
import { Ring } from "./_ring.ts";
import { type Latin1Reader, latin1Reader } from "./_item_codec.ts";

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

  constructor(
    state?: StoreState,
    kind: IndexKind = IndexKind.Fifo,
    maxsize = 0,
  ) {
    if (!state) {
      state = {
        ctl: new SharedArrayBuffer(CtrlWord.Size * 4),
        index: new SharedArrayBuffer(INDEX_INITIAL * 4, {
          maxByteLength: INDEX_MAX_BYTES,
        }),
        data: new SharedArrayBuffer(DATA_INITIAL, { maxByteLength: DATA_MAX }),
        slots: new SharedArrayBuffer(SLOTS_INITIAL * WaiterWord.Words * 4, {
          maxByteLength: SLOTS_MAX * WaiterWord.Words * 4,
        }),
        ring: kind === IndexKind.Fifo && maxsize <= 0 ? new Ring().sab : null,
      };
      const ctl = new Int32Array(state.ctl);
      ctl[CtrlWord.Kind] = kind;
      ctl[CtrlWord.MaxSize] = maxsize;
      ctl[CtrlWord.IndexCap] = INDEX_INITIAL;
      ctl[CtrlWord.GetHead] = ctl[CtrlWord.GetTail] = -1;
      ctl[CtrlWord.PutHead] = ctl[CtrlWord.PutTail] = -1;
      ctl.fill(-1, CtrlWord.FreeBase, CtrlWord.FreeBase + 128);
      const slots = new Int32Array(state.slots);
      for (let s = 0; s < SLOTS_INITIAL; s++) {
        slots[s * WaiterWord.Words + WaiterWord.Next] = s + 1 < SLOTS_INITIAL
          ? s + 1
          : -1;
      }
      ctl[CtrlWord.FreeSlot] = 0;
      // Publish the initial words before any other thread can see them.
      Atomics.store(ctl, CtrlWord.SlotCap, SLOTS_INITIAL);
    }
    this.state = state;
    this.ctl = new Int32Array(state.ctl);
    this.#views();
  }

  #views(): void {
    const st = this.state;
    this.#layout = Atomics.load(this.ctl, CtrlWord.Layout);
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
    if (this.ctl[CtrlWord.Layout] !== this.#layout) this.#views();
  }

  /** Records that this thread grew a buffer. Lock held. */
  #grown(): void {
    Atomics.add(this.ctl, CtrlWord.Layout, 1);
    this.#views();
  }

  // --- the mutex ---

  /** Takes the queue's mutex, blocking this thread. */
  lockSync(): void {
    if (!tryLock(this.ctl, CtrlWord.Mutex)) {
      lockSync(this.ctl, CtrlWord.Mutex, Infinity);
    }
  }

  /** Takes the queue's mutex without blocking the event loop. */
  lockAsync(): Promise<boolean> | boolean {
    return tryLock(this.ctl, CtrlWord.Mutex) ||
      lockAsync(this.ctl, CtrlWord.Mutex, Infinity);
  }

  /** Releases the queue's mutex. */
  unlock(): void {
    unlock(this.ctl, CtrlWord.Mutex);
  }

  /**
   * A new stamp for an encoded record of a heap (which caches decoded
   * items); other queues keep no cache and write no stamp (0), sparing a
   * write to another cache line.
   */
  nextStamp(): number {
    const ctl = this.ctl;
    if (ctl[CtrlWord.Kind] !== IndexKind.Heap) return 0;
    return (ctl[CtrlWord.Stamp] = (ctl[CtrlWord.Stamp] + 1) | 0);
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
    let ref = ctl[CtrlWord.FreeBase + cls];
    if (ref !== -1) {
      ctl[CtrlWord.FreeBase + cls] = this.i32[ref * 2];
    } else {
      ref = ctl[CtrlWord.Bump];
      const end = (ref + classUnits) * 8;
      if (end > this.u8.length) this.#growData(end);
      ctl[CtrlWord.Bump] = ref + classUnits;
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
        `queue storage is full: an item of ${
          end - this.ctl[CtrlWord.Bump] * 8
        } ` +
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
    i32[ref * 2] = this.ctl[CtrlWord.FreeBase + cls];
    this.ctl[CtrlWord.FreeBase + cls] = ref;
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
    if (ctl[CtrlWord.Bump] < RESET_UNITS || ctl[CtrlWord.Transit] !== 0) return;
    ctl[CtrlWord.Bump] = 0;
    ctl.fill(-1, CtrlWord.FreeBase, CtrlWord.FreeBase + 128);
  }

  // --- the index ---

  /** The kind of index this queue keeps. */
  get kind(): IndexKind {
    return this.ctl[CtrlWord.Kind] as IndexKind;
  }

  /** Grows the index to twice its entries, keeping a ring's order. */
  growIndex(): void {
    const ctl = this.ctl;
    const cap = ctl[CtrlWord.IndexCap];
    if (cap * 8 > INDEX_MAX_BYTES) {
      throw new RangeError(`queue index is full (${cap} items)`);
    }
    this.state.index.grow(cap * 8);
    this.#grown();
    // A ring that wraps moves its wrapped front part after the old end.
    const head = ctl[CtrlWord.Head];
    if (head > 0 && ctl[CtrlWord.Kind] === IndexKind.Fifo) {
      this.index.copyWithin(cap, 0, head);
    }
    ctl[CtrlWord.IndexCap] = cap * 2;
  }

  /** Item refs in the queue's internal order (ring from its head, stack or heap array). */
  refs(): number[] {
    const ctl = this.ctl;
    const n = ctl[CtrlWord.Count];
    const out: number[] = new Array(n);
    if (ctl[CtrlWord.Kind] === IndexKind.Fifo) {
      const mask = ctl[CtrlWord.IndexCap] - 1;
      const head = ctl[CtrlWord.Head];
      for (let i = 0; i < n; i++) out[i] = this.index[(head + i) & mask];
    } else {
      for (let i = 0; i < n; i++) out[i] = this.index[i];
    }
    return out;
  }

  // --- waiter slots ---

  #allocSlot(): number {
    const ctl = this.ctl;
    let s = ctl[CtrlWord.FreeSlot];
    if (s === -1) {
      const cap = ctl[CtrlWord.SlotCap];
      if (cap >= SLOTS_MAX) {
        throw new RuntimeError(
          `too many threads waiting on one queue (${SLOTS_MAX})`,
        );
      }
      this.state.slots.grow(cap * 2 * WaiterWord.Words * 4);
      this.#grown();
      const w = this.slots;
      for (let k = cap; k < cap * 2; k++) {
        w[k * WaiterWord.Words + WaiterWord.Next] = k + 1 < cap * 2
          ? k + 1
          : -1;
      }
      ctl[CtrlWord.SlotCap] = cap * 2;
      s = cap;
    }
    ctl[CtrlWord.FreeSlot] = this.slots[s * WaiterWord.Words + WaiterWord.Next];
    return s;
  }

  /** Puts a new waiter at the end of `list`; returns its slot. */
  enqueue(list: WaiterList): number {
    const s = this.#allocSlot();
    const ctl = this.ctl;
    const w = this.slots;
    const headAt = list === WaiterList.Get
      ? CtrlWord.GetHead
      : CtrlWord.PutHead;
    const tailAt = list === WaiterList.Get
      ? CtrlWord.GetTail
      : CtrlWord.PutTail;
    const tail = ctl[tailAt];
    const b = s * WaiterWord.Words;
    w[b + WaiterWord.Next] = -1;
    w[b + WaiterWord.Prev] = tail;
    w[b + WaiterWord.List] = list;
    // The waiter reads its state without the lock while it is parked.
    Atomics.store(w, b + WaiterWord.State, WaiterState.Waiting);
    if (tail === -1) ctl[headAt] = s;
    else w[tail * WaiterWord.Words + WaiterWord.Next] = s;
    ctl[tailAt] = s;
    return s;
  }

  /** Takes slot `s` off its list (it is still Waiting). */
  unlink(s: number): void {
    const ctl = this.ctl;
    const w = this.slots;
    const b = s * WaiterWord.Words;
    const get = w[b + WaiterWord.List] === WaiterList.Get;
    const headAt = get ? CtrlWord.GetHead : CtrlWord.PutHead;
    const tailAt = get ? CtrlWord.GetTail : CtrlWord.PutTail;
    const next = w[b + WaiterWord.Next];
    const prev = w[b + WaiterWord.Prev];
    if (prev === -1) ctl[headAt] = next;
    else w[prev * WaiterWord.Words + WaiterWord.Next] = next;
    if (next === -1) ctl[tailAt] = prev;
    else w[next * WaiterWord.Words + WaiterWord.Prev] = prev;
  }

  /** Gives slot `s` back once its waiter has read its state. */
  freeSlot(s: number): void {
    const w = this.slots;
    const b = s * WaiterWord.Words;
    Atomics.store(w, b + WaiterWord.State, WaiterState.Free);
    w[b + WaiterWord.Next] = this.ctl[CtrlWord.FreeSlot];
    this.ctl[CtrlWord.FreeSlot] = s;
  }

  /** Wakes the oldest waiter of `list` with `state`; returns whether there was one. */
  wakeOldest(list: WaiterList, state: WaiterState): boolean {
    const s =
      this.ctl[list === WaiterList.Get ? CtrlWord.GetHead : CtrlWord.PutHead];
    if (s === -1) return false;
    this.unlink(s);
    Atomics.store(this.slots, s * WaiterWord.Words + WaiterWord.State, state);
    Atomics.notify(this.slots, s * WaiterWord.Words + WaiterWord.State, 1);
    return true;
  }

  /** The state word of slot `s` (read without the lock while parked). */
  slotState(s: number): WaiterState {
    return Atomics.load(
      this.slots,
      s * WaiterWord.Words + WaiterWord.State,
    ) as WaiterState;
  }

  /** The item record a waiter holds (putter) or was handed (getter). */
  slotItem(s: number): number {
    return this.slots[s * WaiterWord.Words + WaiterWord.Item];
  }

  /** Records the item a waiter holds or is handed. */
  setSlotItem(s: number, ref: number): void {
    this.slots[s * WaiterWord.Words + WaiterWord.Item] = ref;
  }

  /**
   * Takes back the items handed to getters that have not woken yet, turning
   * them Woken (for an immediate shutdown); returns the items' refs.
   */
  takeBackHandedItems(): number[] {
    const w = this.slots;
    const cap = this.ctl[CtrlWord.SlotCap];
    const refs: number[] = [];
    for (let s = 0; s < cap; s++) {
      const b = s * WaiterWord.Words;
      if (
        Atomics.load(w, b + WaiterWord.State) === WaiterState.Notified &&
        w[b + WaiterWord.List] === WaiterList.Get
      ) {
        refs.push(w[b + WaiterWord.Item]);
        Atomics.store(w, b + WaiterWord.State, WaiterState.Woken);
        Atomics.notify(w, b + WaiterWord.State, 1);
      }
    }
    return refs;
  }
}
