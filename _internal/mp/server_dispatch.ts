/**
 * Routes each request a connection delivers to the object it names, and
 * keeps which processes and threads talk on which connections, so that
 * what they held is released when their last connection closes.
 *
 * Design: docs/design/mp_server.md
 *
 * @module
 */
import type { Request } from "./wire.ts";
import { Call, PENDING } from "./server_call.ts";
import type { Conn, ConnHost } from "./server_connection.ts";
import { BarrierState } from "./server_locks.ts";
import {
  addHolder,
  awaitsHandle,
  decref,
  handleArrived,
  handleSent,
  lookup,
  pidGone,
  serverStats,
  threadGone,
  whenAdopted,
} from "./server_registry.ts";

/** Serves the requests of every connection of one server. */
export class Dispatcher implements ConnHost {
  /** The connections each process talks to this server on. */
  readonly #byPid = new Map<number, Set<Conn>>();
  /** The connections each thread (`"pid:tid"`) talks to this server on. */
  readonly #byThread = new Map<string, Set<Conn>>();

  handle(conn: Conn, req: Request): void {
    if (conn.pid === 0) {
      conn.pid = req.p;
      let set = this.#byPid.get(req.p);
      if (!set) this.#byPid.set(req.p, set = new Set());
      set.add(conn);
    }
    const c = new Call(conn, req.i, req.p, req.t);
    try {
      this.#serve(conn, req, c);
    } catch (err) {
      c.fail(err);
    }
  }

  /** Serves `req` as call `c`; what it throws is the call's error. */
  #serve(conn: Conn, req: Request, c: Call): void {
    if (req.o === 0) {
      c.reply(req.m === "stats" ? serverStats() : null); // ping
      return;
    }
    if (req.m === "_decref") {
      // A thread dropped its last handle.
      decref(req.o, `${req.p}:${req.t}`, req.a[0]);
      c.reply(null);
      return;
    }
    if (awaitsHandle(req.o, req.n)) {
      // Its handle is on its way from the owning thread.
      whenAdopted(req.o, () => this.handle(conn, req));
      return;
    }
    const obj = lookup(req.o, req.n);
    // A thread that introduces an object holds a handle to it.
    if (req.n) this.#holder(conn, req, req.o);
    if (req.m === "_share") {
      handleSent(req.o);
      c.reply(null);
      return;
    }
    if (req.m === "_adopt") {
      this.#holder(conn, req, req.o);
      handleArrived(req.o);
      c.reply(null);
      return;
    }
    const r = obj.op(c, req.m, req.a);
    if (obj instanceof BarrierState && req.m === "wait") {
      const rr = r as { action?: boolean } | typeof PENDING;
      if (rr !== PENDING && rr.action) obj.setActionPid(req.p);
    }
    if (r !== PENDING) c.reply(r);
  }

  /** Records that the thread of `req`, talking on `conn`, holds `oid`. */
  #holder(conn: Conn, req: Request, oid: number): void {
    const key = `${req.p}:${req.t}`;
    if (!conn.threads.has(key)) {
      conn.threads.add(key);
      let set = this.#byThread.get(key);
      if (!set) this.#byThread.set(key, set = new Set());
      set.add(conn);
    }
    addHolder(oid, key);
  }

  closed(conn: Conn): void {
    const set = this.#byPid.get(conn.pid);
    if (set) {
      set.delete(conn);
      if (set.size === 0) {
        this.#byPid.delete(conn.pid);
        pidGone(conn.pid);
      }
    }
    // A thread whose connections are all closed holds nothing any more.
    for (const key of conn.threads) {
      const conns = this.#byThread.get(key);
      conns?.delete(conn);
      if (conns && conns.size > 0) continue;
      this.#byThread.delete(key);
      threadGone(key);
    }
  }
}
