/**
 * One client connection of the multiprocessing server ({@linkcode Conn}):
 * frames in, decoded into requests for the dispatcher; replies out, batched
 * per turn of the event loop; and, when it closes, its parked calls
 * dropped.
 *
 * @module
 */
import type net from "node:net";
import { errorToRecord } from "../share/codec.ts";
import { encodeFrame, FrameDecoder } from "../child/protocol.ts";
import type { Reply, Request } from "./wire.ts";
import type { Call } from "./server_call.ts";

/** A client connection. */
export class Conn {
  pid = 0;
  /** The threads (`"pid:tid"`) that registered handles on this connection. */
  readonly threads = new Set<string>();
  readonly socket: net.Socket;
  /** Calls parked on objects, dropped when the connection closes. */
  readonly parked = new Set<Call>();
  #out: Uint8Array[] = [];
  #scheduled = false;

  constructor(socket: net.Socket) {
    this.socket = socket;
  }

  get alive(): boolean {
    return !this.socket.destroyed;
  }

  /** Queues a reply; replies of one turn of the event loop go in one write. */
  write(reply: Reply): boolean {
    if (!this.alive) return false;
    let frame: Uint8Array;
    try {
      frame = encodeFrame(reply);
    } catch (err) {
      frame = encodeFrame({ i: reply.i, e: errorToRecord(err) });
    }
    this.#out.push(frame);
    if (!this.#scheduled) {
      this.#scheduled = true;
      queueMicrotask(() => this.#flush());
    }
    return true;
  }

  #flush(): void {
    this.#scheduled = false;
    const out = this.#out;
    this.#out = [];
    if (!this.alive) return;
    if (out.length === 1) this.socket.write(out[0]);
    else {
      let n = 0;
      for (const f of out) n += f.length;
      const all = new Uint8Array(n);
      let off = 0;
      for (const f of out) {
        all.set(f, off);
        off += f.length;
      }
      this.socket.write(all);
    }
  }

  /** Ends the calls parked on objects without replying (the client is gone). */
  dropParked(): void {
    for (const c of [...this.parked]) {
      c.done = true;
      c.stopTimer();
      c.cancel?.();
    }
    this.parked.clear();
  }
}

/** What serves the requests that arrive on connections. */
export interface ConnHost {
  /** Serves one request. */
  handle(conn: Conn, req: Request): void;
  /** The connection closed (its parked calls are dropped already). */
  closed(conn: Conn): void;
}

/** Serves the client connected on `socket`: its requests go to `host`. */
export function accept(socket: net.Socket, host: ConnHost): Conn {
  const conn = new Conn(socket);
  const decoder = new FrameDecoder((msg) => host.handle(conn, msg as Request));
  socket.on("data", (chunk: Uint8Array) => {
    try {
      decoder.push(chunk);
    } catch {
      socket.destroy();
    }
  });
  socket.on("error", () => {});
  socket.on("close", () => {
    conn.dropParked();
    host.closed(conn);
  });
  return conn;
}
