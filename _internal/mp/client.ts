/**
 * The client side of multiprocessing's shared objects (see `mp_wire.ts`),
 * one per thread: the server this thread's objects live on (a worker started
 * on first use), one connection per server it talks to, and the blocking
 * path for `Sync` calls.
 *
 * Async calls write a frame on this thread's connection and resolve with the
 * reply. A connection keeps the program alive only while a call on it
 * waits for its reply or a frame waits to be written.
 *
 * Sync calls cannot use this thread's sockets (their events need the event
 * loop the caller is blocking), so they go to a helper worker
 * (`mp_sync_worker.ts`) with connections of its own: the caller posts the
 * request on a `MessagePort`, blocks in `Atomics.wait` until the helper has
 * posted the reply, and takes it with `receiveMessageOnPort`.
 *
 * @module
 */
import net from "node:net";
import { deserialize, serialize } from "node:v8";
import {
  MessageChannel,
  type MessagePort,
  receiveMessageOnPort,
  type Worker,
} from "node:worker_threads";
import { agent } from "../runtime/agent.ts";
import { encodeFrame, FrameDecoder } from "../child/protocol.ts";
import { encode, type ErrorRecord, recordToError } from "../share/codec.ts";
import { EOFError } from "../core/errors.ts";
import { pidAlive } from "../runtime/proc_status.ts";
import {
  addressPid,
  newAddress,
  type ObjectInit,
  type Reply,
  type Request,
} from "./wire.ts";
import { pid } from "../runtime/adapter.ts";
import { entryUrl, startWorker } from "../runtime/entry.ts";
import { _setShmReclaim, shmFree, type ShmLoc } from "../shm/arena.ts";

// ---------------------------------------------------------------------------
// This thread's server

let _address: string | null = null;
let _server: Worker | null = null;

/**
 * The address of the server for objects created by this thread; the first
 * call starts it (an unref'd worker, so it never keeps the program alive).
 */
export function ownAddress(): string {
  if (_address) return _address;
  const address = newAddress(pid());
  // The server gives the blocks of shared memory of the objects it frees
  // back on this channel; this thread's arena takes them when it needs
  // memory (synchronously, so a thread that never returns to its event
  // loop still reuses them).
  const frees = new MessageChannel();
  (frees.port1 as { unref?: () => void }).unref?.();
  _setShmReclaim(() => {
    for (;;) {
      const r = receiveMessageOnPort(frees.port1);
      if (!r) return;
      shmFree(r.message as ShmLoc);
    }
  });
  const worker = startWorker(
    entryUrl("_internal/mp/server_entry.ts"),
    {
      workerData: {
        address,
        ready: new SharedArrayBuffer(4),
        frees: frees.port2,
      },
      transferList: [frees.port2],
    },
  );
  worker.on("error", (err: unknown) => {
    console.error("pyconc: multiprocessing server failed:", err);
  });
  worker.unref();
  _server = worker;
  _address = address;
  return address;
}

/**
 * Hands a shareable object of this thread (a queue of the queue module) to
 * this thread's server, which serves object `oid` from it.
 */
export function registerLocal(oid: number, value: object): void {
  ownAddress();
  _server!.postMessage({
    oid,
    encoded: encode(value),
    holder: `${pid()}:${agent.ident}`,
  });
}

// ---------------------------------------------------------------------------
// Connections

interface _Waiter {
  resolve(v: unknown): void;
  reject(e: unknown): void;
}

class _Conn {
  readonly address: string;
  #socket: net.Socket | null = null;
  #connected = false;
  #queue: { frame: Uint8Array; cb?: (err?: unknown) => void }[] = [];
  #pending = new Map<number, _Waiter>();
  #writing = 0;
  #introduced = new Set<number>();
  #nextId = 1;
  #dead: unknown = null;
  #refd = true;
  #attempts = 0;
  #decoder = new FrameDecoder((msg) => this.#onReply(msg as Reply));

  constructor(address: string) {
    this.address = address;
    this.#connect();
  }

  get dead(): boolean {
    return this.#dead !== null;
  }

  #connect(): void {
    const s = net.connect(this.address);
    this.#socket = s;
    s.on("connect", () => {
      if (s !== this.#socket) return;
      this.#connected = true;
      for (const q of this.#queue.splice(0)) this.#send(q.frame, q.cb);
      this.#updateRef();
    });
    s.on("data", (chunk: Uint8Array) => this.#decoder.push(chunk));
    s.on("error", (err: NodeJS.ErrnoException) => {
      if (s !== this.#socket) return;
      if (
        !this.#connected &&
        (err.code === "ECONNREFUSED" || err.code === "ENOENT") &&
        this.#attempts++ < 1000 &&
        (addressPid(this.address) === pid() ||
          pidAlive(addressPid(this.address)))
      ) {
        // The server is still starting.
        this.#socket = null;
        s.destroy();
        setTimeout(() => this.#connect(), Math.min(this.#attempts, 20));
        return;
      }
      this.#die(err);
    });
    s.on("close", () => {
      if (s === this.#socket) this.#die(null);
    });
  }

  #die(err: unknown): void {
    if (this.#dead) return;
    this.#dead = new EOFError(
      "the process serving this shared object has exited",
      err ? { cause: err } : undefined,
    );
    this.#socket?.destroy();
    if (_conns.get(this.address) === this) _conns.delete(this.address);
    for (const w of this.#pending.values()) w.reject(this.#dead);
    this.#pending.clear();
    for (const q of this.#queue.splice(0)) q.cb?.(this.#dead);
  }

  #updateRef(): void {
    const need = this.#pending.size > 0 || this.#writing > 0 ||
      this.#queue.length > 0;
    if (need === this.#refd || !this.#socket) return;
    this.#refd = need;
    if (need) this.#socket.ref();
    else this.#socket.unref();
  }

  #send(frame: Uint8Array, cb?: (err?: unknown) => void): void {
    if (!cb) {
      this.#socket!.write(frame);
      return;
    }
    this.#writing++;
    this.#socket!.write(frame, (err?: unknown) => {
      this.#writing--;
      this.#updateRef();
      cb(err ?? undefined);
    });
  }

  #onReply(r: Reply): void {
    const w = this.#pending.get(r.i);
    if (!w) return;
    this.#pending.delete(r.i);
    this.#updateRef();
    if (r.e) w.reject(recordToError(r.e as ErrorRecord));
    else w.resolve(r.v);
  }

  /** Forgets that the server was told about `oid` on this connection. */
  forget(oid: number): void {
    this.#introduced.delete(oid);
  }

  /** Sends a request; resolves with the reply, or once written when `reply` is false. */
  request(
    oid: number,
    init: ObjectInit | null,
    m: string,
    args: unknown[],
    tid: number,
    reply: boolean,
    throwEncode = false,
  ): Promise<unknown> {
    if (this.#dead) return Promise.reject(this.#dead);
    const id = reply ? this.#nextId++ : 0;
    const req: Request = { i: id, o: oid, m, a: args, p: pid(), t: tid };
    const intro = init !== null && !this.#introduced.has(oid);
    if (intro) req.n = init!;
    let frame: Uint8Array;
    try {
      frame = encodeFrame(req);
    } catch (err) {
      if (throwEncode) throw err;
      return Promise.reject(err);
    }
    if (intro) this.#introduced.add(oid);
    return new Promise((resolve, reject) => {
      const cb = reply
        ? undefined
        : (err?: unknown) => err ? reject(err) : resolve(undefined);
      if (reply) this.#pending.set(id, { resolve, reject });
      if (this.#connected) this.#send(frame, cb);
      else this.#queue.push({ frame, cb });
      this.#updateRef();
    });
  }
}

const _conns = new Map<string, _Conn>();

function _conn(address: string): _Conn {
  let c = _conns.get(address);
  if (!c || c.dead) _conns.set(address, c = new _Conn(address));
  return c;
}

/**
 * Calls method `m` of object `oid` served at `address` and resolves with
 * its result (rejects with the error it threw, or {@linkcode EOFError} when
 * the serving process has exited).
 */
export function request(
  address: string,
  oid: number,
  init: ObjectInit | null,
  m: string,
  args: unknown[],
  tid: number = agent.ident,
): Promise<unknown> {
  return _conn(address).request(oid, init, m, args, tid, true);
}

/**
 * Sends method `m` of object `oid` without waiting for a reply; resolves
 * once the frame has been written to the socket. Frames of one thread reach
 * a server in the order they were sent.
 */
export function post(
  address: string,
  oid: number,
  init: ObjectInit | null,
  m: string,
  args: unknown[],
): Promise<void> {
  return _conn(address).request(
    oid,
    init,
    m,
    args,
    agent.ident,
    false,
  ) as Promise<void>;
}

/** Like {@linkcode post}, but a value that cannot be encoded throws at once. */
export function postNow(
  address: string,
  oid: number,
  init: ObjectInit | null,
  m: string,
  args: unknown[],
): Promise<void> {
  return _conn(address).request(
    oid,
    init,
    m,
    args,
    agent.ident,
    false,
    true,
  ) as Promise<void>;
}

/**
 * Tells the server at `address` that this thread dropped its last handle
 * to object `oid` (`kind` is the object's kind); the server frees the
 * object once no thread holds it and no handle is on its way anywhere.
 */
export function release(address: string, oid: number, kind: string): void {
  const c = _conns.get(address);
  if (c && !c.dead) c.forget(oid);
  // A server that is gone has freed everything.
  if (!c && !pidAlive(addressPid(address))) return;
  void _conn(address).request(oid, null, "_decref", [kind], agent.ident, false)
    .catch(() => {});
}

/** What the server at `address` keeps: its number of objects, and of threads holding some. */
export function serverStats(
  address: string = ownAddress(),
): Promise<{ objects: number; threads: number }> {
  return request(address, 0, null, "stats", []) as Promise<
    { objects: number; threads: number }
  >;
}

/** Resolves once every server this thread talks to has handled everything sent so far. */
export async function flushAll(): Promise<void> {
  await Promise.allSettled(
    [..._conns.values()].map((c) => c.request(0, null, "ping", [], 0, true)),
  );
}

// ---------------------------------------------------------------------------
// Sync calls

interface _Helper {
  port: MessagePort;
  flag: Int32Array;
  /** Holds the request, then the reply (replaced by a larger one when needed). */
  mailbox: SharedArrayBuffer;
}

/** A buffer size for `n` bytes: the next power of two, at least 64 KiB. */
export function _capacity(n: number): number {
  let c = 65536;
  while (c < n) c *= 2;
  return c;
}

let _helper: _Helper | null = null;

function _getHelper(): _Helper {
  if (_helper) return _helper;
  const { port1, port2 } = new MessageChannel();
  const flag = new Int32Array(new SharedArrayBuffer(4));
  const worker = startWorker(
    entryUrl("_internal/mp/sync_entry.ts"),
    {
      workerData: { port: port2, flag: flag.buffer },
      transferList: [port2] as never,
    },
  );
  worker.on("error", (err: unknown) => {
    console.error("pyconc: multiprocessing sync helper failed:", err);
  });
  worker.unref();
  (port1 as { unref?: () => void }).unref?.();
  _helper = { port: port1, flag, mailbox: new SharedArrayBuffer(65536) };
  return _helper;
}

/**
 * The blocking form of {@linkcode request}: blocks this thread until the
 * reply comes, through the helper worker.
 */
export function requestSync(
  address: string,
  oid: number,
  init: ObjectInit | null,
  m: string,
  args: unknown[],
): unknown {
  const h = _getHelper();
  Atomics.store(h.flag, 0, 0);
  // The request and the reply travel as v8 bytes in a shared buffer, and
  // the port carries only their length: structured clone through a
  // MessagePort is slow for large values on Deno (1 s for 10 MB).
  const req = serialize({ address, oid, init, m, args, tid: agent.ident });
  if (req.length > h.mailbox.byteLength) {
    h.mailbox = new SharedArrayBuffer(_capacity(req.length));
  }
  new Uint8Array(h.mailbox).set(req);
  h.port.postMessage({ sab: h.mailbox, len: req.length });
  let slice = 1;
  for (;;) {
    const r = receiveMessageOnPort(h.port);
    if (r) {
      const { sab, len } = r.message as {
        sab?: SharedArrayBuffer;
        len: number;
      };
      if (sab) h.mailbox = sab;
      const msg = deserialize(
        new Uint8Array(h.mailbox, 0, len).slice(),
      ) as { v?: unknown; e?: ErrorRecord };
      if (msg.e) throw recordToError(msg.e);
      return msg.v;
    }
    // Timed slices: a blocked thread stays terminable (seen on Bun).
    Atomics.wait(h.flag, 0, 0, slice);
    Atomics.store(h.flag, 0, 0);
    slice = Math.min(slice * 2, 50);
  }
}
