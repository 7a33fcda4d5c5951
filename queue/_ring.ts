/**
 * The lock-free ring of an unbounded FIFO queue: a fixed ring of slots
 * holding small items inline, which producers and consumers claim with a
 * compare-exchange, without the queue's mutex. Everything it cannot take
 * goes through the mutex-guarded store; the flags word tells the lock-free
 * paths when to keep out.
 *
 * Design: docs/design/queue.md
 *
 * @module
 */
import { type Latin1Reader, latin1Reader, type Views } from "./_item_codec.ts";

/** Slots in a ring (a power of two). */
export const RING_SLOTS = 1024;
/** Bytes of a slot: its sequence word, a pad word, then a record (header and payload). */
const SLOT_BYTES = 128;
/** The largest payload a slot holds inline, in bytes. */
export const SLOT_PAYLOAD = SLOT_BYTES - 16;
/** Bytes before the first slot: the {@linkcode RingWord} header, four cache lines. */
const HEAD_BYTES = 256;
const MASK = RING_SLOTS - 1;

/**
 * Words of the ring's header (`Int32Array` indices before the first slot),
 * grouped by writer so that each group has cache lines of its own.
 */
const RingWord = {
  /** Next position a producer claims; written by producers only. */
  Enq: 0,
  /** `Deq` when a producer last waited in vain for room; written by producers only. */
  Stalled: 1,
  /** Next position a consumer claims; written by consumers only. */
  Deq: 16,
  /** The thread (a random id) that last took an item; written by consumers only. */
  Taker: 17,
  /** Positions below this one are read and free again; written by consumers only, in order. */
  Done: 48,
  /** {@linkcode RingFlag} bits; written with the queue's mutex held, read by everyone. */
  Flags: 32,
  /**
   * The `Done` a napping producer waits for (0: none naps); the consumer
   * that reaches it wakes the producer. Beside the flags, which consumers
   * read anyway; written by producers only.
   */
  Nap: 33,
} as const;

/**
 * Why the lock-free paths must keep out: bits of the `Flags` word, set and
 * cleared with the queue's mutex held (`_core.ts`), read by everyone.
 */
export const RingFlag = {
  /** Getters are parked: items go to them, oldest first, under the mutex. */
  Getters: 1,
  /** The overflow index holds items: later puts queue up behind them. */
  Overflow: 2,
  /** The queue was shut down: puts fail. */
  ShutDown: 4,
  /** An immediate shutdown happened: whatever lands in the ring is dropped. */
  Drain: 8,
} as const;

/** This thread's id for the Taker word. */
const _ME = ((Math.random() * 0x7ffffffe) | 0) + 1;
/** How long a producer waiting for room sleeps at a time once it stops spinning, in ms. */
const NAP_MS = 0.05;

/** Free slots a producer waiting for room waits for, so it then writes a batch. */
const BATCH = RING_SLOTS >> 3;

/** A thread's handle on a ring; its views serve the record functions of `_item_codec.ts`. */
export class Ring implements Views {
  readonly sab: SharedArrayBuffer;
  /** The last `Done` this handle read: positions below it + RING_SLOTS are free. */
  #done = 0;
  readonly u8: Uint8Array;
  readonly u16: Uint16Array;
  readonly i32: Int32Array;
  readonly f64: Float64Array;
  readonly dv: DataView;
  readonly lat: Latin1Reader | null;

  /** Opens `sab`, or a new ring when omitted. */
  constructor(sab?: SharedArrayBuffer) {
    const fresh = !sab;
    // Every sequence word starts at 0, which marks no position < 2^32 - 1
    // as published.
    this.sab = sab ??= new SharedArrayBuffer(
      HEAD_BYTES + RING_SLOTS * SLOT_BYTES,
    );
    this.u8 = new Uint8Array(sab);
    this.u16 = new Uint16Array(sab);
    this.i32 = new Int32Array(sab);
    this.f64 = new Float64Array(sab);
    this.dv = new DataView(sab);
    this.lat = latin1Reader(sab, 0, sab.byteLength);
    if (fresh) this.i32[RingWord.Stalled] = -1; // no stall seen yet
  }

  /** The flags word. */
  flags(): number {
    return Atomics.load(this.i32, RingWord.Flags);
  }

  /** Sets the flags word (mutex held). */
  setFlags(f: number): void {
    Atomics.store(this.i32, RingWord.Flags, f);
  }

  /** Sets bits of the flags word (mutex held). */
  addFlags(f: number): void {
    Atomics.or(this.i32, RingWord.Flags, f);
  }

  /** The record ref (8-byte units, as in `_item_codec.ts`) of position `pos`'s slot. */
  refOf(pos: number): number {
    return (HEAD_BYTES + (pos & MASK) * SLOT_BYTES + 8) >> 3;
  }

  /** Claims the next position to write, or returns -1 when the ring is full. */
  claimPut(): number {
    const i32 = this.i32;
    let pos = Atomics.load(i32, RingWord.Enq);
    for (;;) {
      if (((pos - this.#done) | 0) >= RING_SLOTS) {
        this.#done = Atomics.load(i32, RingWord.Done);
        // The slot still holds the item of one lap earlier.
        if (((pos - this.#done) | 0) >= RING_SLOTS) return -1;
      }
      const seen = Atomics.compareExchange(
        i32,
        RingWord.Enq,
        pos,
        (pos + 1) | 0,
      );
      if (seen === pos) return pos;
      pos = seen;
    }
  }

  /**
   * Waits for a batch of slots to come free after the one the next put
   * would claim (so the producer then writes several items while consumers
   * work elsewhere in the ring); returns whether they came free. It gives
   * up (false) when flags other than Overflow are set, when consumers free
   * no slot for `spinMs` plus `napMs` milliseconds (spinning first, then
   * napping in short sleeps, which lets a consumer paused by its garbage
   * collector or the scheduler catch up), at once when the last item was
   * taken by this very thread (nobody else is taking), and at once when no
   * consumer moved since the last wait in vain.
   */
  waitRoom(spinMs: number, napMs: number): boolean {
    const i32 = this.i32;
    let done = Atomics.load(i32, RingWord.Done);
    if (
      done === Atomics.load(i32, RingWord.Stalled) ||
      Atomics.load(i32, RingWord.Taker) === _ME
    ) return false;
    let since = performance.now();
    for (;;) {
      // Look only now and then: each look pulls the line a consumer writes.
      for (let k = 0; k < 8; k++) _sink = _pause(_sink);
      if (Atomics.load(i32, RingWord.Flags) & ~RingFlag.Overflow) return false;
      const now = Atomics.load(i32, RingWord.Done);
      if (((Atomics.load(i32, RingWord.Enq) - now) | 0) <= RING_SLOTS - BATCH) {
        this.#done = now;
        return true;
      }
      const t = performance.now();
      if (now !== done) {
        done = now;
        since = t;
      } else if (t - since > spinMs) {
        if (t - since > spinMs + napMs) break;
        // Woken by the consumer that frees the batch, or after NAP_MS.
        const want = (Atomics.load(i32, RingWord.Enq) - RING_SLOTS + BATCH) | 0;
        Atomics.store(i32, RingWord.Nap, want);
        if (((want - Atomics.load(i32, RingWord.Done)) | 0) > 0) {
          Atomics.wait(i32, RingWord.Done, now, NAP_MS);
        }
        Atomics.store(i32, RingWord.Nap, 0);
      }
    }
    Atomics.store(i32, RingWord.Stalled, done);
    return false;
  }

  /** Makes the item written at `pos` visible to consumers. */
  publish(pos: number): void {
    Atomics.store(this.i32, _seqAt(pos), (pos + 1) | 0);
  }

  /**
   * Claims the oldest item's position, or returns -1 when none is
   * published (the ring is empty, or its oldest item is being written:
   * {@linkcode pending} tells them apart).
   */
  claimTake(): number {
    const i32 = this.i32;
    let pos = Atomics.load(i32, RingWord.Deq);
    for (;;) {
      const d = (Atomics.load(i32, _seqAt(pos)) - pos - 1) | 0;
      if (d === 0) {
        const seen = Atomics.compareExchange(
          i32,
          RingWord.Deq,
          pos,
          (pos + 1) | 0,
        );
        if (seen === pos) return pos;
        pos = seen;
      } else if (d < 0) {
        return -1; // an earlier lap's item: nothing published at `pos` yet
      } else pos = Atomics.load(i32, RingWord.Deq); // a later lap's: `pos` was taken
    }
  }

  /**
   * Frees the slot of `pos` (claimed by {@linkcode claimTake}) for the next
   * lap, once every earlier position is free (consumers that claimed
   * earlier positions are finishing a copy of a few bytes).
   */
  release(pos: number): void {
    const i32 = this.i32;
    while (Atomics.load(i32, RingWord.Done) !== pos) _sink = _pause(_sink);
    Atomics.store(i32, RingWord.Done, (pos + 1) | 0);
    if (Atomics.load(i32, RingWord.Taker) !== _ME) {
      Atomics.store(i32, RingWord.Taker, _ME);
    }
    if (Atomics.load(i32, RingWord.Nap) === ((pos + 1) | 0)) {
      Atomics.notify(i32, RingWord.Done);
    }
  }

  /** Whether a producer has claimed a position no consumer has claimed (a hint). */
  pending(): boolean {
    return Atomics.load(this.i32, RingWord.Enq) !==
      Atomics.load(this.i32, RingWord.Deq);
  }

  /** Whether an item waits at the ring's front (a hint; no claim). */
  hasItem(): boolean {
    const pos = Atomics.load(this.i32, RingWord.Deq);
    return Atomics.load(this.i32, _seqAt(pos)) === ((pos + 1) | 0);
  }

  /** Positions claimed by producers and not yet by consumers (a hint). */
  size(): number {
    const n = (Atomics.load(this.i32, RingWord.Enq) -
      Atomics.load(this.i32, RingWord.Deq)) |
      0;
    return n > 0 ? n : 0;
  }

  /**
   * Copies of the slots of the items in the ring, oldest first, each kept
   * only if no consumer freed it before the copy was done (`snapshot`
   * support: the slots are decoded from the copies, never from shared
   * memory a producer may be rewriting).
   */
  copies(): Uint8Array[] {
    const i32 = this.i32;
    const out: Uint8Array[] = [];
    const end = Atomics.load(i32, RingWord.Enq);
    for (
      let pos = Atomics.load(i32, RingWord.Deq);
      pos !== end;
      pos = (pos + 1) | 0
    ) {
      const at = _seqAt(pos);
      if (Atomics.load(i32, at) !== ((pos + 1) | 0)) break; // not written yet
      const base = (pos & MASK) * SLOT_BYTES + HEAD_BYTES;
      const copy = this.u8.slice(base, base + SLOT_BYTES);
      if (((Atomics.load(i32, RingWord.Done) - pos) | 0) <= 0) out.push(copy);
    }
    return out;
  }
}

let _sink = 0;

/** A short busy pause (some 50 ns) that touches no shared memory. */
function _pause(x: number): number {
  for (let i = 0; i < 40; i++) x = (x * 1103515245 + 12345) | 0;
  return x;
}

/** The sequence word of position `pos`'s slot. */
function _seqAt(pos: number): number {
  return (HEAD_BYTES + (pos & MASK) * SLOT_BYTES) >> 2;
}

/** Views over one slot copied by {@linkcode Ring.copies}; its record's ref is 1. */
export function slotViews(copy: Uint8Array): Views {
  const b = copy.buffer as ArrayBuffer;
  return {
    u8: copy,
    u16: new Uint16Array(b),
    i32: new Int32Array(b),
    f64: new Float64Array(b),
    dv: new DataView(b),
    lat: latin1Reader(b, copy.byteOffset, copy.byteLength),
  };
}
