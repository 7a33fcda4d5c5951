/**
 * Pipe and Connection of multiprocessing.dummy: two queues between threads.
 *
 * @module
 */
import { checkOptions } from "../../_internal/core/options.ts";
import {
  registerShareable,
  SHARE,
  type SharedDescriptor,
  shareUrl,
} from "../../_internal/share/codec.ts";
import { EOFError, OSError } from "../../_internal/core/errors.ts";
import { nextObjectId } from "../../_internal/runtime/agent.ts";
import { rememberHandle } from "../../_internal/share/codec.ts";
import { Deadline, sleepMs } from "../../_internal/core/time.ts";
import { Queue } from "../../queue/queue.ts";

const _SHARE_URL = shareUrl(
  import.meta.url,
  "multiprocessing/dummy/connection.ts",
);

const _EOF = "\u0000pyconc.dummy.eof";

/**
 * One end of a dummy {@linkcode Pipe}, with the API of the process
 * module's `Connection`: `send`/`recv` (async, with `Sync` twins), `poll`,
 * `sendBytes`/`recvBytes`, `close`. Messages travel through two
 * shared-memory queues, so an end can be passed to a thread.
 * `recv` throws {@linkcode EOFError} once the other end has closed and
 * everything sent before has been read.
 *
 * @example
 * ```ts
 * import { Pipe } from "@pyconc/pyconc/multiprocessing/dummy";
 * const [a, b] = Pipe<string>();
 * a.sendSync("hi");
 * console.assert(b.recvSync() === "hi");
 * ```
 */
export class Connection<T = unknown> {
  readonly #in: Queue<unknown>;
  readonly #out: Queue<unknown>;
  readonly #id: number;
  #closed = false;
  #eof = false;

  /** @internal Connections come from {@linkcode Pipe}. */
  constructor(inbox: Queue<unknown>, outbox: Queue<unknown>, id: number) {
    this.#in = inbox;
    this.#out = outbox;
    this.#id = id;
    rememberHandle(id, this);
  }

  /** Whether this end has been closed. */
  get closed(): boolean {
    return this.#closed;
  }

  #check(): void {
    if (this.#closed) throw new OSError("handle is closed");
  }

  #take(msg: unknown): T {
    if (msg === _EOF) {
      this.#eof = true;
      throw new EOFError();
    }
    return msg as T;
  }

  /**
   * Sends `obj` (copied with structured clone; shareable objects go live).
   *
   * @param obj The message.
   * @returns A settled promise.
   */
  send(obj: T): Promise<void> {
    try {
      this.sendSync(obj);
      return Promise.resolve();
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /**
   * The blocking twin of {@linkcode Connection.send}.
   *
   * @param obj The message.
   */
  sendSync(obj: T): void {
    this.#check();
    this.#out.putSync(obj);
  }

  /**
   * Receives the next message.
   *
   * @returns The message.
   * @throws {EOFError} the other end closed and nothing is left.
   */
  async recv(): Promise<T> {
    this.#check();
    if (this.#eof) throw new EOFError();
    return this.#take(await this.#in.get());
  }

  /**
   * The blocking twin of {@linkcode Connection.recv}.
   *
   * @returns The message.
   */
  recvSync(): T {
    this.#check();
    if (this.#eof) throw new EOFError();
    return this.#take(this.#in.getSync());
  }

  /**
   * Whether a message (or EOF) is there, waiting at most `timeout` seconds
   * (checking at short intervals, as the queue offers no peek).
   *
   * @param timeout Seconds; 0 only looks, `null` waits forever.
   * @returns Whether `recv` would not wait.
   */
  async poll(timeout: number | null = 0): Promise<boolean> {
    this.#check();
    const deadline = Deadline.fromSeconds(timeout);
    let pause = 1;
    for (;;) {
      if (this.#eof || !this.#in.empty()) return true;
      if (deadline.expired()) return false;
      await sleepMs(Math.min(pause, deadline.remainingMs()));
      pause = Math.min(pause * 2, 20);
    }
  }

  /**
   * The blocking twin of {@linkcode Connection.poll}.
   *
   * @param timeout Seconds.
   * @returns Whether `recv` would not wait.
   */
  pollSync(timeout: number | null = 0): boolean {
    this.#check();
    const deadline = Deadline.fromSeconds(timeout);
    const cell = new Int32Array(new SharedArrayBuffer(4));
    let pause = 1;
    for (;;) {
      if (this.#eof || !this.#in.empty()) return true;
      if (deadline.expired()) return false;
      Atomics.wait(cell, 0, 0, Math.min(pause, deadline.remainingMs()));
      pause = Math.min(pause * 2, 20);
    }
  }

  /**
   * Sends a copy of `buf[offset, offset + size)` as one message.
   *
   * @param buf The bytes.
   * @param offset Where to start.
   * @param size How many bytes.
   * @returns A settled promise.
   */
  sendBytes(
    buf: ArrayBufferView | ArrayBuffer,
    offset = 0,
    size?: number,
  ): Promise<void> {
    try {
      this.sendBytesSync(buf, offset, size);
      return Promise.resolve();
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /**
   * The blocking twin of {@linkcode Connection.sendBytes}.
   *
   * @param buf The bytes.
   * @param offset Where to start.
   * @param size How many bytes.
   */
  sendBytesSync(
    buf: ArrayBufferView | ArrayBuffer,
    offset = 0,
    size?: number,
  ): void {
    const bytes = buf instanceof ArrayBuffer
      ? new Uint8Array(buf)
      : new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
    const n = size ?? bytes.length - offset;
    if (offset < 0 || n < 0 || offset + n > bytes.length) {
      throw new RangeError("buffer length < offset + size");
    }
    this.sendSync(bytes.slice(offset, offset + n) as T);
  }

  /**
   * Receives the next message as bytes.
   *
   * @param maxlength The longest message accepted.
   * @returns The bytes.
   * @throws {OSError} "bad message length".
   */
  async recvBytes(maxlength?: number): Promise<Uint8Array> {
    return this.#bytes(await this.recv(), maxlength);
  }

  /**
   * The blocking twin of {@linkcode Connection.recvBytes}.
   *
   * @param maxlength The longest message accepted.
   * @returns The bytes.
   */
  recvBytesSync(maxlength?: number): Uint8Array {
    return this.#bytes(this.recvSync(), maxlength);
  }

  #bytes(msg: unknown, maxlength?: number): Uint8Array {
    if (!(msg instanceof Uint8Array)) {
      throw new TypeError("the message is not bytes");
    }
    if (maxlength !== undefined && msg.length > maxlength) {
      this.#closed = true;
      throw new OSError("bad message length");
    }
    return msg;
  }

  /** Closes this end: the other end reads EOF after what was sent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#out.putSync(_EOF);
  }

  /** Closes the end, for `using`. */
  [Symbol.dispose](): void {
    this.close();
  }

  /** @internal Describes this end for another thread. */
  [SHARE](): SharedDescriptor {
    return {
      url: _SHARE_URL,
      name: "Connection",
      id: this.#id,
      state: [this.#in, this.#out],
    };
  }

  /** @internal Rebuilds an end in another thread. */
  static _fromShared(state: unknown, id: number): Connection {
    const [inbox, outbox] = state as [Queue<unknown>, Queue<unknown>];
    return new Connection(inbox, outbox, id);
  }
}
registerShareable(_SHARE_URL, "Connection", Connection);

/**
 * Makes a pipe between threads and returns its two ends, as Python's
 * `multiprocessing.dummy.Pipe(duplex=True)`: both ends send and receive
 * (the `duplex` flag, positional or `{ duplex }`, is accepted for the same
 * signature and, as in CPython's dummy module, changes nothing).
 *
 * @param duplex Accepted for Python's signature: a boolean or `{ duplex }`.
 * @returns The two ends.
 * @throws {TypeError} `duplex` is neither a boolean nor `{ duplex }`.
 * @example
 * ```ts
 * import { Pipe } from "@pyconc/pyconc/multiprocessing/dummy";
 * const [a, b] = Pipe<number>();
 * await a.send(1);
 * console.assert(await b.recv() === 1);
 * ```
 */
export function Pipe<T = unknown>(
  duplex: boolean | { duplex?: boolean } | null = true,
): [Connection<T>, Connection<T>] {
  if (typeof duplex !== "boolean" && duplex !== null) {
    checkOptions(duplex, ["duplex"], "Pipe");
  }
  const ab = new Queue<unknown>();
  const ba = new Queue<unknown>();
  return [
    new Connection<T>(ba, ab, nextObjectId()),
    new Connection<T>(ab, ba, nextObjectId()),
  ];
}
