// Batches the async puts of one thread to one unbounded queue: the puts of
// one turn of the event loop travel in one frame, as Python's feeder thread
// sends what accumulated in its buffer.
import type { BaseProxy } from "./_proxy.ts";

interface _Pending {
  item: unknown;
  resolve(): void;
  reject(err: unknown): void;
}

/** A buffer of items on their way to one queue. */
export class _PutBuffer {
  #items: _Pending[] = [];
  #scheduled = false;
  #last: Promise<unknown> = Promise.resolve();
  #proxy: BaseProxy;

  constructor(proxy: BaseProxy) {
    this.#proxy = proxy;
  }

  /** Adds an item; resolves once the frame holding it has been written. */
  put(item: unknown): Promise<void> {
    const p = new Promise<void>((resolve, reject) => {
      this.#items.push({ item, resolve, reject });
    });
    if (!this.#scheduled) {
      this.#scheduled = true;
      queueMicrotask(() => this.#send());
    }
    this.#last = p.catch(() => {});
    return p;
  }

  #send(): void {
    this.#scheduled = false;
    const batch = this.#items;
    this.#items = [];
    let sent: Promise<void>;
    try {
      sent = this.#proxy._postNow("putMany", batch.map((b) => b.item));
    } catch {
      // One of them cannot be cloned: send each alone, failing only that one.
      for (const b of batch) {
        try {
          this.#proxy._postNow("putMany", [b.item]).then(b.resolve, b.reject);
        } catch (err) {
          b.reject(err);
        }
      }
      return;
    }
    sent.then(
      () => batch.forEach((b) => b.resolve()),
      (err) => batch.forEach((b) => b.reject(err)),
    );
  }

  /** Resolves once everything put so far has been written. */
  async flush(): Promise<void> {
    await this.#last;
  }
}
