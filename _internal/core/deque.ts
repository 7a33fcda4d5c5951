/**
 * A first-in first-out list with O(1) `shift` and `unshift`: a plain array
 * read from a moving head, compacted once the dead prefix is large.
 *
 * @module
 */

/** A first-in first-out list with O(1) shift and unshift. */
export class Deque<T> {
  #items: (T | undefined)[] = [];
  #head = 0;

  /** How many items are queued. */
  get length(): number {
    return this.#items.length - this.#head;
  }

  /** Adds `v` at the back. */
  push(v: T): void {
    this.#items.push(v);
  }

  /** Puts `v` back at the front. */
  unshift(v: T): void {
    if (this.#head > 0) this.#items[--this.#head] = v;
    else this.#items.unshift(v);
  }

  /** The front item, without taking it. */
  peek(): T | undefined {
    return this.#items[this.#head];
  }

  /** Takes the front item. */
  shift(): T | undefined {
    if (this.#head >= this.#items.length) return undefined;
    const v = this.#items[this.#head];
    this.#items[this.#head++] = undefined;
    if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
    return v;
  }

  /** Removes the first occurrence of `v`, wherever it is. */
  remove(v: T): void {
    const i = this.#items.indexOf(v, this.#head);
    if (i >= 0) this.#items.splice(i, 1);
  }

  /** The queued items, front first. */
  toArray(): T[] {
    return this.#items.slice(this.#head) as T[];
  }

  /** Drops every item. */
  clear(): void {
    this.#items = [];
    this.#head = 0;
  }
}
