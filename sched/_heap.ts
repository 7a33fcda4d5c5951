// A binary min-heap of events in CPython's order (time, priority, sequence).
// Every event records its own index (see _slot.ts), so removing any event is
// O(log n) and the heap never holds cancelled events: its length is exactly
// the number of upcoming events.
import { Event } from "./event.ts";
import { _slot } from "./_slot.ts";

const setSlot = _slot.set;
const getSlot = _slot.get;

/** Whether `a` runs before `b`: CPython's tuple comparison on numbers. */
export function _before(a: Event, b: Event): boolean {
  const at = a.time, bt = b.time;
  if (at !== bt) return at < bt;
  const ap = a.priority, bp = b.priority;
  if (ap !== bp) return ap < bp;
  return a.sequence < b.sequence;
}

/** A comparator for `Array.prototype.sort` in run order. */
export function _compare(a: Event, b: Event): number {
  return _before(a, b) ? -1 : _before(b, a) ? 1 : 0;
}

/** The heap of upcoming events. */
export class _EventHeap {
  readonly items: Event[] = [];

  get size(): number {
    return this.items.length;
  }

  /** The next event to run; the heap must not be empty. */
  peek(): Event {
    return this.items[0];
  }

  /** Whether `event` is in this heap. */
  has(event: unknown): boolean {
    if (!(event instanceof Event)) return false;
    const i = getSlot(event);
    return i >= 0 && this.items[i] === event;
  }

  push(event: Event): void {
    const items = this.items;
    items.push(event);
    this.#up(items.length - 1, event);
  }

  /** Removes and returns the next event; the heap must not be empty. */
  pop(): Event {
    const items = this.items;
    const top = items[0];
    const last = items.pop()!;
    if (items.length > 0) this.#down(0, last);
    setSlot(top, -1);
    return top;
  }

  /** Removes `event`, which must be in this heap (see {@linkcode has}). */
  remove(event: Event): void {
    const items = this.items;
    const i = getSlot(event);
    const last = items.pop()!;
    setSlot(event, -1);
    if (i === items.length) return; // it was the last one
    if (i > 0 && _before(last, items[(i - 1) >> 1])) this.#up(i, last);
    else this.#down(i, last);
  }

  /** Places `event` at `i` or above, moving larger parents down. */
  #up(i: number, event: Event): void {
    const items = this.items;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const parent = items[p];
      if (!_before(event, parent)) break;
      items[i] = parent;
      setSlot(parent, i);
      i = p;
    }
    items[i] = event;
    setSlot(event, i);
  }

  /** Places `event` at `i` or below, moving smaller children up. */
  #down(i: number, event: Event): void {
    const items = this.items;
    const n = items.length;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      let child = items[c];
      if (c + 1 < n) {
        const right = items[c + 1];
        if (_before(right, child)) {
          c++;
          child = right;
        }
      }
      if (!_before(child, event)) break;
      items[i] = child;
      setSlot(child, i);
      i = c;
    }
    items[i] = event;
    setSlot(event, i);
  }
}
