/**
 * Batches the async puts of one thread to one unbounded queue, as Python's
 * feeder thread does: items go out in one frame per turn of the event loop
 * (or per 1024 items), and whatever is left is sent when the process exits.
 *
 * Design: docs/design/multiprocessing.md
 *
 * @module
 */
import { setImmediate } from "node:timers";
import { prepareItem } from "../queue/_item_codec.ts";
import { nodeProcess, writeStderr } from "../_internal/runtime/adapter.ts";
import type { BaseProxy } from "./_proxy.ts";

/** Items sent in one frame at most; a put that fills a frame waits for its write. */
const _FRAME_ITEMS = 1024;
const _done: Promise<void> = Promise.resolve();

/** The buffers holding items not yet sent. */
const _unsent = new Set<_PutBuffer>();
let _hooked = false;

function _sendAllAtExit(): void {
  for (const b of [..._unsent]) b._sendSync();
}

function _hookExit(): void {
  if (_hooked) return;
  _hooked = true;
  nodeProcess?.on?.("exit", _sendAllAtExit);
  // Deno.exit() fires "unload" only.
  globalThis.addEventListener?.("unload", _sendAllAtExit);
}

/** A buffer of items on their way to one queue. */
export class _PutBuffer {
  #items: unknown[] = [];
  #scheduled = false;
  #last: Promise<void> = _done;
  #error: unknown = null;
  #proxy: BaseProxy;
  #awaitWrite: boolean;
  #written: PromiseWithResolvers<void> | null = null;

  /**
   * @param proxy The queue.
   * @param awaitWrite Each put resolves once its frame is written, and
   *   frames go out at the end of the current task (a JoinableQueue, whose
   *   `join` must see every put that returned).
   */
  constructor(proxy: BaseProxy, awaitWrite = false) {
    this.#proxy = proxy;
    this.#awaitWrite = awaitWrite;
  }

  /**
   * Adds an item. Resolves at once, or, when it fills a frame, once that
   * frame is written (always, with `awaitWrite`). Rejects with the item's
   * own error when it cannot be cloned, and with the error of an earlier
   * frame that could not be sent.
   */
  put(item: unknown): Promise<void> {
    if (this.#error !== null) {
      const err = this.#error;
      this.#error = null;
      return Promise.reject(err);
    }
    // The frame is written later: refuse an item that cannot be cloned now,
    // as the queue module does for the process that made the queue.
    const type = typeof item;
    if (type === "object" || type === "function" || type === "symbol") {
      try {
        prepareItem(item);
      } catch (err) {
        return Promise.reject(err);
      }
    }
    this.#items.push(item);
    if (this.#items.length === 1) {
      _unsent.add(this);
      _hookExit();
    }
    if (this.#items.length >= _FRAME_ITEMS) return this.#send();
    if (!this.#scheduled) {
      this.#scheduled = true;
      const send = () => {
        this.#scheduled = false;
        this.#send().catch(() => {});
      };
      if (this.#awaitWrite) queueMicrotask(send);
      else setImmediate(send);
    }
    if (!this.#awaitWrite) return _done;
    this.#written ??= Promise.withResolvers<void>();
    return this.#written.promise;
  }

  #send(): Promise<void> {
    const batch = this.#items;
    if (batch.length === 0) return this.#last;
    this.#items = [];
    _unsent.delete(this);
    const written = this.#written;
    this.#written = null;
    let sent: Promise<void>;
    try {
      sent = this.#proxy._postNow("putMany", batch);
    } catch (err) {
      // Every item was cloned once in put(); one changed since.
      sent = Promise.reject(err);
    }
    if (written) {
      sent.then(written.resolve, written.reject);
      this.#last = sent.catch(() => {});
    } else {
      this.#last = sent.catch((err) => {
        this.#error ??= err;
      });
    }
    return sent;
  }

  /** @internal Sends what is buffered with a blocking call (at exit). */
  _sendSync(): void {
    const batch = this.#items;
    const written = this.#written;
    this.#items = [];
    this.#written = null;
    _unsent.delete(this);
    if (batch.length === 0) return;
    try {
      this.#proxy._callSync("putMany", batch);
      written?.resolve();
    } catch (err) {
      writeStderr(
        `pyconc: ${batch.length} queue item(s) could not be sent at exit: ${err}\n`,
      );
    }
  }

  /** Resolves once everything put so far has been written; rejects with a failure not yet reported. */
  async flush(): Promise<void> {
    await this.#send().catch(() => {});
    await this.#last;
    if (this.#error !== null) {
      const err = this.#error;
      this.#error = null;
      throw err;
    }
  }
}
