/**
 * Pipe and Connection: two connected ends that carry messages between
 * processes.
 *
 * @module
 */
import type { Buffer } from "node:buffer";
import { serialize } from "node:v8";
import { OSError } from "../_internal/core/errors.ts";
import { checkOptions, isOptionsObject } from "../_internal/core/options.ts";
import {
  messageBytes,
  packMessage,
  unpackMessage,
} from "../_internal/mp/pipe_message.ts";
import { decodeItem, encodeItem } from "./_item_handles.ts";
import { pid } from "../_internal/runtime/adapter.ts";
import { timeoutToMs } from "../_internal/core/time.ts";
import {
  shmAlloc,
  shmCell,
  shmFree,
  type ShmLoc,
} from "../_internal/shm/arena.ts";
import {
  type Frame,
  KIND_BYTES,
  Ring,
  RING_BLOCK,
  ringInit,
} from "../_internal/shm/pipe.ts";
import {
  _adopting,
  _newOid,
  _newRef,
  _preset,
  BaseProxy,
  type ProxyRef,
} from "./_proxy.ts";

const _PID = pid();

/** The rings of a pipe in shared memory: `r[e]` carries the messages to end `e`. */
interface _PipeState {
  duplex: boolean;
  creator: number;
  r?: (ShmLoc | null)[];
}

/** Maps ring `loc` here; `null` when it cannot be (the server then serves it). */
function _ring(loc: ShmLoc | null | undefined): Ring | null {
  const c = shmCell(loc);
  return c ? new Ring(c) : null;
}

function _encode(obj: unknown): { kind: number; bytes: Uint8Array } {
  return packMessage(encodeItem(obj, "Connection messages"));
}

interface _End {
  end: 0 | 1;
  readable: boolean;
  writable: boolean;
  token?: string;
}

let _tokens = 0;

/**
 * One end of a {@linkcode Pipe}, as Python's
 * `multiprocessing.connection.Connection`: `send` an object (copied with
 * structured clone, except that the shared objects of this module inside it,
 * even other Connections, arrive as live handles) or bytes, `recv` what the other end sent, in order.
 * `recv` is async, `recvSync` blocks the calling thread; `poll(timeout)`
 * says whether something can be read. Once every process holding the
 * other end has closed it or exited, `recv` throws {@linkcode EOFError}
 * after the last message, as with an OS pipe; so, as in Python, the parent
 * should close its copy of the end it passed to a child.
 *
 * @example
 * ```ts
 * import { Pipe } from "@pyconc/pyconc/multiprocessing";
 * const [a, b] = Pipe();
 * await a.send({ hello: "world" });
 * console.assert(await b.poll(1));
 * console.assert((await b.recv() as { hello: string }).hello === "world");
 * a.close();
 * let eof = false;
 * try {
 *   await b.recv();
 * } catch (err) {
 *   eof = (err as Error).name === "EOFError";
 * }
 * console.assert(eof);
 * ```
 */
export class Connection<T = unknown> extends BaseProxy {
  readonly #end: _End;
  #closed = false;
  /** The ring this end reads from, when mapped here. */
  readonly #rx: Ring | null = null;
  /** The ring this end writes to, when mapped here. */
  readonly #tx: Ring | null = null;
  /** The last async send or recv still in progress (they run in call order). */
  #sending: Promise<unknown> | null = null;
  #recving: Promise<unknown> | null = null;

  /** @internal Connections come from {@linkcode Pipe}. */
  constructor() {
    const adopted = _adopting();
    if (!adopted) {
      throw new TypeError("Connection objects are made by Pipe()");
    }
    super(adopted);
    this.#end = adopted.extra as _End;
    const rings = (adopted.init.s as _PipeState).r;
    if (rings) {
      const e = this.#end.end;
      const rx = this.#end.readable ? _ring(rings[e]) : null;
      const tx = this.#end.writable ? _ring(rings[1 - e]) : null;
      // Both directions here, or both through the server (never half).
      if (
        (rx !== null || !this.#end.readable) &&
        (tx !== null || !this.#end.writable)
      ) {
        this.#rx = rx;
        this.#tx = tx;
        rx?.addHolder(_PID, false);
        tx?.addHolder(_PID, true);
      }
    }
    if (this.#end.token !== undefined) {
      // Arrived from another process: hold the end in our own name.
      void this._post("adopt", this.#end.end, this.#end.token).catch(() => {});
      this.#end = { ...this.#end, token: undefined };
    }
  }

  /** @internal The same end arrived again while this handle is open. */
  override _readopt(ref: ProxyRef): void {
    super._readopt(ref);
    const end = ref.extra as _End;
    if (end.token !== undefined) {
      void this._post("adopt", end.end, end.token).catch(() => {});
    }
  }

  /** @internal */
  override _onShare(): unknown {
    this.#check();
    const token = `${pid()}:${++_tokens}`;
    void this._post("share", this.#end.end, token).catch(() => {});
    return { ...this._ref, extra: { ...this.#end, token } };
  }

  /** Whether this end has been closed. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Whether this end can receive. */
  get readable(): boolean {
    return this.#end.readable;
  }

  /** Whether this end can send. */
  get writable(): boolean {
    return this.#end.writable;
  }

  #check(): void {
    if (this.#closed) throw new OSError("handle is closed");
  }

  #checkWritable(): void {
    this.#check();
    if (!this.#end.writable) throw new OSError("connection is read-only");
  }

  #checkReadable(): void {
    this.#check();
    if (!this.#end.readable) throw new OSError("connection is write-only");
  }

  /**
   * Sends `obj` to the other end; resolves once it is on its way.
   *
   * @param obj A value structured clone can copy.
   * @returns A promise that settles when the message has been written.
   * @throws {OSError} the end is closed or read-only.
   */
  send(obj: T): Promise<void> {
    try {
      this.#checkWritable();
      const tx = this.#tx;
      if (tx !== null) {
        const m = _encode(obj);
        return this.#write(tx, m.kind, m.bytes);
      }
      return this._postNow(
        "send",
        this.#end.end,
        encodeItem(obj, "Connection messages"),
      );
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /**
   * The blocking twin of {@linkcode Connection.send}: returns once the
   * message is waiting at the other end.
   *
   * @param obj A value structured clone can copy.
   * @throws {OSError} the end is closed or read-only, or the other end is closed ("Broken pipe").
   */
  sendSync(obj: T): void {
    this.#checkWritable();
    const tx = this.#tx;
    if (tx !== null) {
      const m = _encode(obj);
      return this.#writeSync(tx, m.kind, m.bytes);
    }
    this._callSync(
      "send",
      this.#end.end,
      encodeItem(obj, "Connection messages"),
    );
  }

  /**
   * Receives the next message, waiting for one.
   *
   * @returns The message.
   * @throws {EOFError} nothing is left and the other end is closed.
   * @throws {OSError} this end is closed or write-only.
   */
  recv(): Promise<T> {
    try {
      this.#checkReadable();
    } catch (err) {
      return Promise.reject(err);
    }
    const rx = this.#rx;
    if (rx !== null) {
      return this.#read(rx).then((f) => this.#value(f, decodeItem<T>));
    }
    return this._call("recv", this.#end.end).then(decodeItem<T>);
  }

  #value<R>(f: Frame, decode: (item: unknown) => R): R {
    return decode(unpackMessage(f.kind, f.bytes));
  }

  /** Writes a frame, after the async sends of this handle still running. */
  #write(tx: Ring, kind: number, bytes: Uint8Array): Promise<void> {
    if (this.#sending === null && tx.tryWrite(_PID, kind, bytes)) {
      return Promise.resolve();
    }
    const run = () => tx.run(tx.writing(_PID, kind, bytes));
    const p = this.#sending === null ? run() : this.#sending.then(run, run);
    this.#sending = p;
    const done = () => {
      if (this.#sending === p) this.#sending = null;
    };
    p.then(done, done);
    return p;
  }

  #writeSync(tx: Ring, kind: number, bytes: Uint8Array): void {
    if (this.#sending !== null) {
      // Its frame would wait for an async send that needs this thread.
      throw new OSError("an async send() of this Connection is in progress");
    }
    if (tx.tryWrite(_PID, kind, bytes)) return;
    tx.runSync(tx.writing(_PID, kind, bytes));
  }

  /** Reads a frame, after the async receives of this handle still running. */
  #read(rx: Ring): Promise<Frame> {
    if (this.#recving === null) {
      const f = rx.tryRead(_PID);
      if (f !== null) return Promise.resolve(f);
    }
    const run = () => rx.run(rx.reading(_PID));
    const p = this.#recving === null ? run() : this.#recving.then(run, run);
    this.#recving = p;
    const done = () => {
      if (this.#recving === p) this.#recving = null;
    };
    p.then(done, done);
    return p;
  }

  #readSync(rx: Ring): Frame {
    if (this.#recving !== null) {
      throw new OSError("an async recv() of this Connection is in progress");
    }
    return rx.tryRead(_PID) ?? rx.runSync(rx.reading(_PID));
  }

  /**
   * The blocking twin of {@linkcode Connection.recv}.
   *
   * @returns The message.
   * @throws {EOFError} nothing is left and the other end is closed.
   */
  recvSync(): T {
    this.#checkReadable();
    const rx = this.#rx;
    if (rx !== null) return this.#value(this.#readSync(rx), decodeItem<T>);
    return decodeItem<T>(this._callSync("recv", this.#end.end));
  }

  /**
   * Whether a message (or the end of the stream) can be read now, waiting
   * at most `timeout` seconds: 0 (the default) only looks, `null` waits
   * forever.
   *
   * @param timeout Seconds.
   * @returns Whether `recv` would not wait.
   * @throws {OSError} this end is closed or write-only.
   */
  poll(timeout: number | null = 0): Promise<boolean> {
    let ms: number;
    try {
      this.#checkReadable();
      ms = timeoutToMs(timeout);
    } catch (err) {
      return Promise.reject(err);
    }
    const rx = this.#rx;
    if (rx !== null) {
      return rx.readable() || ms <= 0
        ? Promise.resolve(rx.readable())
        : rx.poll(ms);
    }
    return this._call("poll", this.#end.end, ms) as Promise<boolean>;
  }

  /**
   * The blocking twin of {@linkcode Connection.poll}.
   *
   * @param timeout Seconds; 0 by default, `null` for forever.
   * @returns Whether `recv` would not wait.
   */
  pollSync(timeout: number | null = 0): boolean {
    this.#checkReadable();
    const rx = this.#rx;
    if (rx !== null) return rx.pollSync(timeoutToMs(timeout));
    return this._callSync(
      "poll",
      this.#end.end,
      timeoutToMs(timeout),
    ) as boolean;
  }

  /**
   * @internal Resolves to true once something can be read, or to false
   * after `ms` milliseconds or once `stop` settles (its poll on the server
   * is then withdrawn, so nothing is left waiting there).
   */
  async _readableWithin(ms: number, stop: Promise<void>): Promise<boolean> {
    this.#checkReadable();
    const end = performance.now() + ms;
    let stopped = false;
    const halt = stop.then(() => {
      stopped = true;
      return false;
    });
    const rx = this.#rx;
    if (rx !== null) return rx.poll(ms, () => stopped);
    for (;;) {
      const left = end - performance.now();
      if (left <= 0) return false;
      // Slices, so that a poll withdrawn by a concurrent wait() of this
      // thread is simply made again.
      const poll = this._call(
        "poll",
        this.#end.end,
        Math.min(left, 5000),
      ) as Promise<boolean>;
      poll.catch(() => {});
      const ok = await Promise.race([poll, halt]);
      if (stopped) {
        void this._post("unpoll", this.#end.end).catch(() => {});
        return false;
      }
      if (ok) return true;
    }
  }

  #slice(buf: ArrayBufferView | ArrayBuffer, offset: number, size?: number) {
    const bytes = buf instanceof ArrayBuffer
      ? new Uint8Array(buf)
      : new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
    if (offset < 0) throw new RangeError("offset is negative");
    if (bytes.length < offset) throw new RangeError("buffer length < offset");
    const n = size ?? bytes.length - offset;
    if (n < 0) throw new RangeError("size is negative");
    if (offset + n > bytes.length) {
      throw new RangeError("buffer length < offset + size");
    }
    return bytes.slice(offset, offset + n);
  }

  /**
   * Sends bytes (a copy of `buf[offset, offset + size)`) as one message.
   *
   * @param buf The bytes.
   * @param offset Where to start (in bytes).
   * @param size How many bytes; to the end when omitted.
   * @returns A promise that settles when the message has been written.
   * @throws {RangeError} offset or size outside the buffer.
   */
  sendBytes(
    buf: ArrayBufferView | ArrayBuffer,
    offset = 0,
    size?: number,
  ): Promise<void> {
    try {
      this.#checkWritable();
      const bytes = this.#slice(buf, offset, size);
      const tx = this.#tx;
      if (tx !== null) return this.#write(tx, KIND_BYTES, bytes);
      return this._postNow("send", this.#end.end, bytes);
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
    this.#checkWritable();
    const bytes = this.#slice(buf, offset, size);
    const tx = this.#tx;
    if (tx !== null) return this.#writeSync(tx, KIND_BYTES, bytes);
    this._callSync("send", this.#end.end, bytes);
  }

  #bytes(msg: unknown, maxlength?: number): Uint8Array {
    const out = msg instanceof Uint8Array
      ? msg
      : ArrayBuffer.isView(msg)
      ? new Uint8Array(msg.buffer, msg.byteOffset, msg.byteLength)
      : new Uint8Array(serialize(msg) as Buffer);
    if (maxlength !== undefined && out.length > maxlength) {
      this.#closed = true;
      throw new OSError("bad message length");
    }
    return out;
  }

  /**
   * Receives the next message as bytes.
   *
   * @param maxlength The longest message accepted.
   * @returns The bytes.
   * @throws {OSError} "bad message length" when the message is longer than `maxlength` (the end is then closed, as in Python).
   * @throws {EOFError} nothing is left and the other end is closed.
   */
  async recvBytes(maxlength?: number): Promise<Uint8Array> {
    const rx = this.#rx;
    if (rx !== null) {
      this.#checkReadable();
      const f = await this.#read(rx);
      return this.#bytes(messageBytes(f.kind, f.bytes), maxlength);
    }
    return this.#bytes(await this.recv(), maxlength);
  }

  /**
   * The blocking twin of {@linkcode Connection.recvBytes}.
   *
   * @param maxlength The longest message accepted.
   * @returns The bytes.
   */
  recvBytesSync(maxlength?: number): Uint8Array {
    const rx = this.#rx;
    if (rx !== null) {
      this.#checkReadable();
      const f = this.#readSync(rx);
      return this.#bytes(messageBytes(f.kind, f.bytes), maxlength);
    }
    return this.#bytes(this.recvSync(), maxlength);
  }

  /** Closes this end in this process; the other end sees EOF once no process holds this one. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    void this._post("close", this.#end.end).catch(() => {});
    this._release();
  }

  /** Closes the end, for `using`. */
  [Symbol.dispose](): void {
    this.close();
  }
}

/**
 * Makes a pipe and returns its two ends, as Python's
 * `multiprocessing.Pipe(duplex)`. With `duplex` (the default) both ends send
 * and receive; otherwise the first only receives and the second only
 * sends. Either end can be passed to a child process.
 *
 * @param duplex Whether both ends send and receive (`true` when omitted),
 *   positionally as in Python or as `{ duplex }`. With `false`, the first
 *   end only receives and the second only sends.
 * @returns The two ends.
 * @example
 * ```ts
 * import { Pipe, Process } from "@pyconc/pyconc/multiprocessing";
 * import type { Connection } from "@pyconc/pyconc/multiprocessing";
 * const [parentEnd, childEnd] = Pipe();
 * const p = new Process({
 *   target: (c: Connection) => c.sendSync("hello from the child"),
 *   args: [childEnd],
 * });
 * await p.start();
 * childEnd.close();
 * console.assert(await parentEnd.recv() === "hello from the child");
 * await p.join();
 * ```
 */
export function Pipe<T = unknown>(
  duplexOrOptions: boolean | { duplex?: boolean } = true,
): [Connection<T>, Connection<T>] {
  const duplex = Boolean(
    isOptionsObject(duplexOrOptions)
      ? checkOptions(duplexOrOptions, ["duplex"], "Pipe").duplex ?? true
      : duplexOrOptions,
  );
  const state: _PipeState = { duplex: Boolean(duplex), creator: _PID };
  // A ring in shared memory per direction, where this thread has some.
  const r0 = shmAlloc(RING_BLOCK);
  const r1 = r0 && duplex ? shmAlloc(RING_BLOCK) : null;
  if (r0 && (r1 || !duplex)) {
    for (const loc of [r0, r1]) {
      const c = shmCell(loc);
      if (c) ringInit(c);
    }
    state.r = [r0, r1];
  } else if (r0) shmFree(r0);
  const base = _newRef("pipe", state);
  const a: ProxyRef = {
    ...base,
    extra: { end: 0, readable: true, writable: Boolean(duplex) },
  };
  const b: ProxyRef = {
    ...base,
    hid: _newOid(),
    extra: { end: 1, readable: Boolean(duplex), writable: true },
  };
  _preset(a);
  const ca = new Connection<T>();
  _preset(b);
  const cb = new Connection<T>();
  return [ca, cb];
}
