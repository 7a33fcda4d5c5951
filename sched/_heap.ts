/**
 * The event queue: a binary min-heap in CPython's order (time, priority,
 * sequence), stored as parallel arrays so that sifting compares numbers in
 * contiguous typed arrays and never touches the event objects.
 *
 * Cancelling is lazy: the event forgets its owner (see _owner.ts) and its
 * entry stays in the heap until it reaches the top, where it is dropped, or
 * until cancelled entries outnumber live ones, when the heap is rebuilt
 * without them (amortized O(1) per cancel, at most 2x memory). `size`
 * counts live events only, so `empty()` and `queue` stay exact.
 *
 * @module
 */
import type { Event } from "./event.ts";
import { _owner } from "./_owner.ts";

const ownerOf = _owner.get;
const setOwner = _owner.set;

/** A comparator for `Array.prototype.sort` in run order. */
export function _compare(a: Event, b: Event): number {
  if (a.time !== b.time) return a.time < b.time ? -1 : 1;
  if (a.priority !== b.priority) return a.priority < b.priority ? -1 : 1;
  return a.sequence - b.sequence;
}

/** The heap of upcoming events. */
export class _EventHeap {
  #times = new Float64Array(64);
  #prios = new Float64Array(64);
  #seqs = new Float64Array(64);
  /** The events, parallel to the keys; its length is the number of entries. */
  #events: Event[] = [];
  /** Entries whose event was cancelled and that are still in the arrays. */
  #dead = 0;

  /** The number of upcoming (not cancelled) events. */
  get size(): number {
    return this.#events.length - this.#dead;
  }

  /** The upcoming events, in no particular order. */
  live(): Event[] {
    if (this.#dead === 0) return this.#events.slice();
    return this.#events.filter((e) => ownerOf(e) === this);
  }

  /** Whether `event` is queued here. */
  has(event: unknown): boolean {
    return typeof event === "object" && event !== null &&
      ownerOf(event as Event) === this;
  }

  /** The next event to run; `size` must be positive. */
  peek(): Event {
    const events = this.#events;
    // Drop cancelled entries that reached the top.
    while (ownerOf(events[0]) !== this) {
      this.#removeTop();
      this.#dead--;
    }
    return events[0];
  }

  push(event: Event): void {
    const n = this.#events.length;
    if (n === this.#times.length) this.#grow();
    setOwner(event, this);
    this.#events.push(event);
    this.#siftUp(0, n, event.time, event.priority, event.sequence, event);
  }

  /** Removes and returns the next event; `size` must be positive. */
  pop(): Event {
    const top = this.peek();
    this.#removeTop();
    setOwner(top, null);
    return top;
  }

  /** Cancels `event`, which must be queued here (see {@linkcode has}). */
  remove(event: Event): void {
    setOwner(event, null);
    this.#dead++;
    const n = this.#events.length;
    if (this.#dead === n) this.#clear();
    else if (this.#dead > 32 && this.#dead * 2 > n) this.#compact();
  }

  #grow(): void {
    const grow = (a: Float64Array) => {
      const b = new Float64Array(a.length * 2);
      b.set(a);
      return b;
    };
    this.#times = grow(this.#times);
    this.#prios = grow(this.#prios);
    this.#seqs = grow(this.#seqs);
  }

  #clear(): void {
    this.#events.length = 0;
    this.#dead = 0;
  }

  /** Rebuilds the heap from its live entries (Floyd's heapify, O(n)). */
  #compact(): void {
    const events = this.#events, times = this.#times;
    const prios = this.#prios, seqs = this.#seqs;
    let j = 0;
    for (let i = 0; i < events.length; i++) {
      const e = events[i];
      if (ownerOf(e) !== this) continue;
      events[j] = e;
      times[j] = times[i];
      prios[j] = prios[i];
      seqs[j] = seqs[i];
      j++;
    }
    events.length = j;
    this.#dead = 0;
    for (let i = (j >> 1) - 1; i >= 0; i--) this.#siftDown(i);
  }

  /** Removes entry 0, as CPython's heappop does. */
  #removeTop(): void {
    const events = this.#events;
    const last = events.pop()!;
    const n = events.length;
    if (n === 0) return;
    const i = n; // the last entry's old index
    const times = this.#times, prios = this.#prios, seqs = this.#seqs;
    const t = times[i], p = prios[i], s = seqs[i];
    // The hole at the root walks down to a leaf along the smaller children,
    // then the last entry is sifted up from there (CPython's _siftup): about
    // one comparison per level instead of two.
    let pos = 0;
    let child = 1;
    while (child < n) {
      const right = child + 1;
      if (right < n) {
        const ct = times[child], rt = times[right];
        if (
          rt < ct ||
          (rt === ct &&
            (prios[right] < prios[child] ||
              (prios[right] === prios[child] && seqs[right] < seqs[child])))
        ) child = right;
      }
      events[pos] = events[child];
      times[pos] = times[child];
      prios[pos] = prios[child];
      seqs[pos] = seqs[child];
      pos = child;
      child = 2 * pos + 1;
    }
    this.#siftUp(0, pos, t, p, s, last);
  }

  /** Moves entry `pos` down to where it belongs (for heapify). */
  #siftDown(pos: number): void {
    const events = this.#events, times = this.#times;
    const prios = this.#prios, seqs = this.#seqs;
    const n = events.length;
    const start = pos;
    const e = events[pos], t = times[pos], p = prios[pos], s = seqs[pos];
    let child = 2 * pos + 1;
    while (child < n) {
      const right = child + 1;
      if (right < n) {
        const ct = times[child], rt = times[right];
        if (
          rt < ct ||
          (rt === ct &&
            (prios[right] < prios[child] ||
              (prios[right] === prios[child] && seqs[right] < seqs[child])))
        ) child = right;
      }
      events[pos] = events[child];
      times[pos] = times[child];
      prios[pos] = prios[child];
      seqs[pos] = seqs[child];
      pos = child;
      child = 2 * pos + 1;
    }
    this.#siftUp(start, pos, t, p, s, e);
  }

  /** Places the entry (t, p, s, e) at `pos` or above, but not above `start`. */
  #siftUp(
    start: number,
    pos: number,
    t: number,
    p: number,
    s: number,
    e: Event,
  ): void {
    const events = this.#events, times = this.#times;
    const prios = this.#prios, seqs = this.#seqs;
    while (pos > start) {
      const parent = (pos - 1) >> 1;
      const pt = times[parent];
      if (
        !(t < pt ||
          (t === pt &&
            (p < prios[parent] || (p === prios[parent] && s < seqs[parent]))))
      ) break;
      events[pos] = events[parent];
      times[pos] = pt;
      prios[pos] = prios[parent];
      seqs[pos] = seqs[parent];
      pos = parent;
    }
    events[pos] = e;
    times[pos] = t;
    prios[pos] = p;
    seqs[pos] = s;
  }
}
