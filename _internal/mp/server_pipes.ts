/**
 * The state of a Pipe: its two ends, the messages waiting at each (in the
 * server's memory, or on rings in shared memory), the readers and pollers
 * parked on them, and who holds each end.
 *
 * Design: docs/design/mp_server.md
 *
 * @module
 */
import { Deque } from "../core/deque.ts";
import { EOFError, OSError } from "../core/errors.ts";
import { pid as _ownPid } from "../runtime/adapter.ts";
import {
  type Frame,
  KIND_BYTES,
  R_CLOSED,
  type Ring,
  W_CLOSED,
} from "../shm/pipe.ts";
import { packMessage, unpackMessage } from "./pipe_message.ts";
import { type Call, PENDING } from "./server_call.ts";
import { freeBlock, SharedState, waitMs } from "./server_state.ts";

/** This process (the pid a ring's lock words name while the server holds them). */
const _SERVER_PID = _ownPid();

/**
 * Pipe: two ends, a buffer of messages waiting to be read at each, and the
 * holders of each end (pids, and tokens for handles in transit to another
 * process). An end whose holders are all gone is closed: reading the other
 * end then throws EOFError once its buffer is empty, as with an OS pipe.
 *
 * A pipe made where shared memory is available has rings instead of
 * buffers (`../shm/pipe.ts`, `rings[e]` carrying the messages to end `e`):
 * the processes that map them read and write there directly, and this
 * state serves the others on the same rings; it still counts the holders,
 * and marks a ring's flags when an end closes.
 */
export class PipeState extends SharedState {
  readonly #buf = [new Deque<unknown>(), new Deque<unknown>()];
  readonly #readers = [new Deque<Call>(), new Deque<Call>()];
  readonly #pollers = [new Set<Call>(), new Set<Call>()];
  readonly #holders: Set<number | string>[];
  readonly #closed = [false, false];
  readonly #early = new Set<string>();
  /** The async sends and receives in progress on each ring, in order. */
  readonly #chains: (Promise<unknown> | null)[][] = [[null, null], [
    null,
    null,
  ]];
  constructor(
    readonly duplex: boolean,
    creator: number,
    readonly rings: (Ring | null)[] | null = null,
  ) {
    super();
    this.#holders = [new Set([creator]), new Set([creator])];
  }

  #wake(end: number): void {
    // Data or EOF arrived for `end`: serve its readers, then its pollers.
    const buf = this.#buf[end];
    const readers = this.#readers[end];
    while (readers.length > 0 && buf.length > 0) {
      const r = readers.shift()!;
      if (!r.live) continue;
      const msg = buf.shift();
      if (!r.reply(msg)) buf.unshift(msg);
    }
    if (this.#closed[1 - end] && buf.length === 0) {
      let r: Call | undefined;
      while ((r = readers.shift())) r.fail(new EOFError());
    }
    if (buf.length > 0 || this.#closed[1 - end]) {
      const ps = [...this.#pollers[end]];
      this.#pollers[end].clear();
      for (const p of ps) p.reply(true);
    }
  }

  #drop(end: number, who: number | string): void {
    const h = this.#holders[end];
    if (!h.delete(who) || h.size > 0 || this.#closed[end]) return;
    this.#closed[end] = true;
    if (this.rings) {
      // Nobody reads at `end` any more, nor writes from it.
      this.rings[end]?.setFlags(R_CLOSED);
      this.rings[1 - end]?.setFlags(W_CLOSED);
      return;
    }
    this.#buf[end].clear();
    this.#wake(1 - end);
  }

  /** Runs `op` on ring `r` after the earlier ones of its kind (0 send, 1 recv). */
  #chain<T>(r: number, kind: number, op: () => Promise<T>): Promise<T> {
    const prev = this.#chains[r][kind];
    const p = prev === null ? op() : prev.then(op, op);
    this.#chains[r][kind] = p;
    const done = () => {
      if (this.#chains[r][kind] === p) this.#chains[r][kind] = null;
    };
    p.then(done, done);
    return p;
  }

  #ringOp(c: Call, m: string, a: unknown[], rings: (Ring | null)[]): unknown {
    const end = a[0] as number;
    switch (m) {
      case "send": {
        const ring = rings[1 - end];
        if (!ring) throw new OSError("connection is read-only");
        const item = a[1];
        const { kind, bytes } = item instanceof Uint8Array
          ? { kind: KIND_BYTES, bytes: item }
          : packMessage(item);
        if (
          this.#chains[1 - end][0] === null &&
          ring.tryWrite(_SERVER_PID, kind, bytes)
        ) return null;
        c.park(Infinity, null, () => {});
        this.#chain(
          1 - end,
          0,
          () => ring.run(ring.writing(_SERVER_PID, kind, bytes)),
        ).then(() => c.reply(null), (err) => c.fail(err));
        return PENDING;
      }
      case "recv": {
        const ring = rings[end];
        if (!ring) throw new OSError("connection is write-only");
        const live = () => c.live;
        const f = this.#chains[end][1] === null
          ? ring.tryRead(_SERVER_PID)
          : null;
        if (f) return _frameItem(f);
        c.park(Infinity, null, () => {});
        this.#chain(
          end,
          1,
          () => ring.run(ring.reading(_SERVER_PID), live),
        ).then((f) => c.reply(_frameItem(f)), (err) => c.fail(err));
        return PENDING;
      }
      case "poll": {
        const ring = rings[end];
        if (!ring) throw new OSError("connection is write-only");
        if (ring.readable()) return true;
        const ms = waitMs(a[1]);
        if (ms <= 0) return false;
        const pollers = this.#pollers[end];
        pollers.add(c);
        c.park(Infinity, null, () => pollers.delete(c));
        void ring.poll(ms, () => !c.live).then((ok) => {
          pollers.delete(c);
          c.reply(ok);
        });
        return PENDING;
      }
    }
    return undefined;
  }

  /** `recv` at `end`: the first message now, or parks `c` until one comes (EOFError once the other end is closed). */
  #recv(c: Call, end: number): unknown {
    const buf = this.#buf[end];
    if (buf.length > 0) {
      const msg = buf.shift();
      if (!c.reply(msg)) buf.unshift(msg);
      return PENDING;
    }
    if (this.#closed[1 - end]) throw new EOFError();
    const readers = this.#readers[end];
    readers.push(c);
    c.park(Infinity, null, () => readers.remove(c));
    return PENDING;
  }

  /** `poll` at `end`: whether a message (or EOF) is there, waiting up to `timeout`. */
  #poll(c: Call, end: number, timeout: unknown): unknown {
    if (this.#buf[end].length > 0 || this.#closed[1 - end]) return true;
    const ms = waitMs(timeout);
    if (ms <= 0) return false;
    const pollers = this.#pollers[end];
    pollers.add(c);
    c.park(ms, () => {
      pollers.delete(c);
      c.reply(false);
    }, () => pollers.delete(c));
    return PENDING;
  }

  op(c: Call, m: string, a: unknown[]): unknown {
    const end = a[0] as number;
    if (this.rings && (m === "send" || m === "recv" || m === "poll")) {
      return this.#ringOp(c, m, a, this.rings);
    }
    switch (m) {
      case "send": {
        const to = 1 - end;
        if (this.#closed[to]) throw new OSError("[Errno 32] Broken pipe");
        this.#buf[to].push(a[1]);
        this.#wake(to);
        return null;
      }
      case "recv":
        return this.#recv(c, end);
      case "poll":
        return this.#poll(c, end, a[1]);
      case "unpoll":
        // A wait() of this thread is over: end its polls on this end.
        for (const p of [...this.#pollers[end]]) {
          if (p.conn === c.conn && p.tid === c.tid) {
            this.#pollers[end].delete(p);
            p.reply(false);
          }
        }
        return null;
      case "share":
        // A handle is on its way to another process: hold the end for it
        // (unless it arrived first, on another connection).
        if (!this.#early.delete(a[1] as string)) {
          this.#holders[end].add(a[1] as string);
        }
        return null;
      case "adopt":
        if (!this.#closed[end]) {
          this.#holders[end].add(c.pid);
          // Recorded in the rings too, for readers that outlive this server.
          this.rings?.[end]?.addHolder(c.pid, false);
          this.rings?.[1 - end]?.addHolder(c.pid, true);
        }
        if (!this.#holders[end].delete(a[1] as string)) {
          this.#early.add(a[1] as string);
        }
        return null;
      case "close":
        this.#drop(end, c.pid);
        return null;
    }
    throw new TypeError(`Connection has no method ${m}`);
  }

  override pidGone(pid: number): void {
    for (const end of [0, 1]) {
      for (const h of [...this.#holders[end]]) {
        if (
          h === pid || (typeof h === "string" && h.startsWith(`${pid}:`))
        ) this.#drop(end, h);
      }
    }
  }

  override dispose(): void {
    for (const r of this.rings ?? []) if (r) freeBlock(r.loc);
  }
}

/** A frame read for a client, as the client's `recv` expects it (encoded). */
function _frameItem(f: Frame): unknown {
  return unpackMessage(f.kind, f.bytes);
}
