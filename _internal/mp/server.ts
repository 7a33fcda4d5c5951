/**
 * The server side of multiprocessing's shared objects (see `mp_wire.ts`):
 * the state of every lock, semaphore, event, condition, barrier, queue,
 * pipe, value, array and manager container created by one thread, and the
 * code that runs each operation. It runs in its own worker
 * (`mp_server_worker.ts`), so a thread of the owning process that blocks in
 * a `Sync` call never stops the server.
 *
 * Blocking operations park a {@linkcode Call} on the object and reply when
 * they can proceed or their timeout runs out. Hand-offs are first come,
 * first served. When a process's last connection closes, its parked calls
 * are dropped and what it held is released (locks it owned, its references
 * to pipe ends); an item that could not be delivered to a dead getter goes
 * back to the front of its queue.
 *
 * @module
 */
import { Deque } from "../core/deque.ts";
import net from "node:net";
import { errorToRecord } from "../share/codec.ts";
import { EOFError, OSError, RuntimeError, ValueError } from "../core/errors.ts";
import { encodeFrame, FrameDecoder } from "../child/protocol.ts";
import type { ObjectInit, Reply, Request } from "./wire.ts";
import type { MessagePort } from "node:worker_threads";
import { type ShmCell, shmCell, type ShmLoc } from "../shm/arena.ts";
import { typedArrayOf } from "./typecodes.ts";
import { packMessage, unpackMessage } from "./pipe_message.ts";
import { pid as _ownPid } from "../runtime/adapter.ts";
import {
  type Frame,
  KIND_BYTES,
  R_CLOSED,
  Ring,
  W_CLOSED,
} from "../shm/pipe.ts";
import {
  eventClear,
  eventIsSet,
  eventSet,
  eventWait,
  lockAcquire,
  lockAcquireSync,
  lockCount,
  lockFreeDead,
  lockIsOwner,
  lockLocked,
  lockRelease,
  lockReleaseAll,
  semAcquire,
  semAcquireSync,
  semRelease,
  semValue,
} from "../shm/sync.ts";

/** This process (the pid a ring's lock words name while the server holds them). */
const _SERVER_PID = _ownPid();

// ---------------------------------------------------------------------------
// Connections and calls

/** A client connection. */
class Conn {
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
}

/** One request being served. */
export class Call {
  done = false;
  timer: ReturnType<typeof setTimeout> | null = null;
  /** Undoes the parking (removes the call from the object's queues). */
  cancel: (() => void) | null = null;

  constructor(
    readonly conn: Conn,
    readonly id: number,
    readonly pid: number,
    readonly tid: number,
  ) {}

  /** Replies with `value`; false when the client is gone (nothing was delivered). */
  reply(value: unknown): boolean {
    if (this.done) return false;
    this.#end();
    if (this.id === 0) return this.conn.alive;
    return this.conn.write({ i: this.id, v: value });
  }

  /** Replies with an error. */
  fail(err: unknown): void {
    if (this.done) return;
    this.#end();
    if (this.id !== 0) this.conn.write({ i: this.id, e: errorToRecord(err) });
  }

  #end(): void {
    this.done = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.conn.parked.delete(this);
  }

  /**
   * Parks the call until the object replies; after `ms` milliseconds (if
   * finite) `onTimeout` runs. `cancel` removes it from the object's queues.
   */
  park(ms: number, onTimeout: (() => void) | null, cancel: () => void): void {
    this.cancel = cancel;
    this.conn.parked.add(this);
    if (onTimeout && ms !== Infinity) {
      this.timer = setTimeout(() => {
        this.timer = null;
        if (!this.done) onTimeout();
      }, Math.max(0, ms));
    }
  }

  /** Stops the timer without replying (the call waits on, for something else). */
  stopTimer(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  /** Whether the call still waits for its reply and its client is alive. */
  get live(): boolean {
    return !this.done && this.conn.alive;
  }
}

/** A value an operation returns to say "the reply comes later". */
export const PENDING: unique symbol = Symbol("pending");

function _named(name: string, message = ""): Error {
  const e = new Error(message);
  e.name = name;
  return e;
}

// ---------------------------------------------------------------------------
// Objects

/** The server-side state of one shared object. */
export abstract class SharedState {
  /** Runs method `m`; returns its result, or {@linkcode PENDING}. */
  abstract op(c: Call, m: string, a: unknown[]): unknown;
  /** Releases what process `pid` held; it has exited. */
  pidGone(_pid: number): void {}
  /** The object is freed (no holder is left anywhere). */
  dispose(): void {}
}

/** What a Condition needs of its lock, in the server's memory or in shared memory. */
interface CondLock {
  isOwner(pid: number, tid: number): boolean;
  releaseAll(pid: number, tid: number, what: string): number;
  acquireFor(c: Call, count: number, then: () => void): void;
}

function _ms(v: unknown): number {
  return typeof v === "number" ? v : Infinity;
}

/** Lock and RLock: an owner (process and thread), a count, and a queue. */
export class LockState extends SharedState implements CondLock {
  ownerPid = 0;
  ownerTid = 0;
  count = 0;
  readonly #waiters = new Deque<
    { c: Call; count: number; then: () => void }
  >();

  constructor(readonly recursive: boolean) {
    super();
  }

  isOwner(pid: number, tid: number): boolean {
    return this.count > 0 && this.ownerPid === pid && this.ownerTid === tid;
  }

  #take(pid: number, tid: number, count: number): void {
    this.ownerPid = pid;
    this.ownerTid = tid;
    this.count = count;
  }

  /** Gives the lock to `c` (with `count`) now or when it is free, then runs `then`. */
  acquireFor(c: Call, count: number, then: () => void): void {
    if (this.count === 0) {
      this.#take(c.pid, c.tid, count);
      then();
      return;
    }
    const w = { c, count, then };
    this.#waiters.push(w);
    c.park(Infinity, null, () => this.#waiters.remove(w));
  }

  /** Frees the lock and hands it to the next live waiter. */
  #free(): void {
    this.count = 0;
    this.ownerPid = 0;
    this.ownerTid = 0;
    for (;;) {
      const w = this.#waiters.shift();
      if (!w) return;
      if (!w.c.live) continue;
      this.#take(w.c.pid, w.c.tid, w.count);
      w.then();
      return;
    }
  }

  /** Releases entirely for a Condition wait; returns the count to restore. */
  releaseAll(pid: number, tid: number, what: string): number {
    if (!this.isOwner(pid, tid)) {
      throw new RuntimeError(`cannot ${what} on un-acquired lock`);
    }
    const n = this.count;
    this.#free();
    return n;
  }

  op(c: Call, m: string, a: unknown[]): unknown {
    switch (m) {
      case "acquire": {
        const ms = _ms(a[0]);
        if (this.recursive && this.isOwner(c.pid, c.tid)) {
          this.count++;
          return true;
        }
        if (this.count === 0) {
          this.#take(c.pid, c.tid, 1);
          return true;
        }
        if (ms <= 0) return false;
        const w = { c, count: 1, then: () => c.reply(true) };
        this.#waiters.push(w);
        c.park(ms, () => {
          this.#waiters.remove(w);
          c.reply(false);
        }, () => this.#waiters.remove(w));
        return PENDING;
      }
      case "release":
        if (this.recursive) {
          if (!this.isOwner(c.pid, c.tid)) {
            throw new RuntimeError("cannot release un-acquired lock");
          }
          if (--this.count === 0) this.#free();
        } else {
          if (this.count === 0) {
            throw new ValueError("semaphore or lock released too many times");
          }
          this.#free();
        }
        return null;
      case "locked":
        return this.count > 0;
      case "owned":
        return this.isOwner(c.pid, c.tid);
      case "count":
        return this.count;
    }
    throw new TypeError(`Lock has no method ${m}`);
  }

  override pidGone(pid: number): void {
    if (this.count > 0 && this.ownerPid === pid) this.#free();
  }
}

/** Semaphore and BoundedSemaphore: a counter and a queue. */
class SemState extends SharedState {
  readonly #waiters = new Deque<Call>();
  constructor(public value: number, readonly bound: number | null) {
    super();
  }

  op(c: Call, m: string, a: unknown[]): unknown {
    switch (m) {
      case "acquire": {
        const ms = _ms(a[0]);
        if (this.value > 0 && this.#waiters.length === 0) {
          this.value--;
          return true;
        }
        if (ms <= 0) return false;
        this.#waiters.push(c);
        c.park(ms, () => {
          this.#waiters.remove(c);
          c.reply(false);
        }, () => this.#waiters.remove(c));
        return PENDING;
      }
      case "release": {
        const n = typeof a[0] === "number" ? a[0] : 1;
        if (this.bound !== null && this.value + n > this.bound) {
          throw new ValueError("semaphore or lock released too many times");
        }
        this.value += n;
        while (this.value > 0) {
          const w = this.#waiters.shift();
          if (!w) break;
          if (!w.live) continue;
          this.value--;
          w.reply(true);
        }
        return null;
      }
      case "getValue":
        return this.value;
    }
    throw new TypeError(`Semaphore has no method ${m}`);
  }
}

/** Event: a flag and the calls waiting for it. */
class EventState extends SharedState {
  flag = false;
  readonly #waiters = new Set<Call>();

  op(c: Call, m: string, a: unknown[]): unknown {
    switch (m) {
      case "wait": {
        if (this.flag) return true;
        const ms = _ms(a[0]);
        if (ms <= 0) return false;
        this.#waiters.add(c);
        c.park(ms, () => {
          this.#waiters.delete(c);
          c.reply(false);
        }, () => this.#waiters.delete(c));
        return PENDING;
      }
      case "set": {
        this.flag = true;
        const ws = [...this.#waiters];
        this.#waiters.clear();
        for (const w of ws) w.reply(true);
        return null;
      }
      case "clear":
        this.flag = false;
        return null;
      case "isSet":
        return this.flag;
    }
    throw new TypeError(`Event has no method ${m}`);
  }
}

/** Condition: waiters that give up a lock of the same server while they wait. */
class CondState extends SharedState {
  readonly #waiters = new Deque<{ c: Call; saved: number }>();
  constructor(readonly lock: CondLock) {
    super();
  }

  #reacquire(w: { c: Call; saved: number }, result: boolean): void {
    w.c.stopTimer();
    this.lock.acquireFor(w.c, w.saved, () => w.c.reply(result));
  }

  op(c: Call, m: string, a: unknown[]): unknown {
    switch (m) {
      case "wait": {
        const ms = _ms(a[0]);
        const saved = this.lock.releaseAll(c.pid, c.tid, "wait");
        const w = { c, saved };
        this.#waiters.push(w);
        c.park(ms, () => {
          this.#waiters.remove(w);
          this.#reacquire(w, false);
        }, () => this.#waiters.remove(w));
        return PENDING;
      }
      case "notify": {
        if (!this.lock.isOwner(c.pid, c.tid)) {
          throw new RuntimeError("cannot notify on un-acquired lock");
        }
        let n = typeof a[0] === "number" ? a[0] : 1;
        while (n > 0) {
          const w = this.#waiters.shift();
          if (!w) break;
          if (!w.c.live) continue;
          this.#reacquire(w, true);
          n--;
        }
        return null;
      }
    }
    throw new TypeError(`Condition has no method ${m}`);
  }
}

/** Barrier: parties, the current generation's waiters, and an optional action run by the last to arrive. */
class BarrierState extends SharedState {
  #count = 0;
  #broken = false;
  #inAction = false;
  #waiters: { c: Call; index: number }[] = [];
  #next: { c: Call; ms: number }[] = [];
  constructor(readonly parties: number, readonly hasAction: boolean) {
    super();
  }

  #break(): void {
    this.#broken = true;
    this.#inAction = false;
    const ws = this.#waiters;
    this.#waiters = [];
    this.#count = 0;
    for (const w of ws) w.c.fail(_named("BrokenBarrierError"));
    const next = this.#next;
    this.#next = [];
    for (const n of next) n.c.fail(_named("BrokenBarrierError"));
  }

  #release(): void {
    const ws = this.#waiters;
    this.#waiters = [];
    this.#count = 0;
    this.#inAction = false;
    for (const w of ws) w.c.reply({ index: w.index, action: false });
    const next = this.#next;
    this.#next = [];
    for (const n of next) {
      const r = this.#arrive(n.c, n.ms);
      if (r !== PENDING) n.c.reply(r);
    }
  }

  #arrive(c: Call, ms: number): unknown {
    if (this.#broken) throw _named("BrokenBarrierError");
    if (this.#inAction) {
      const n = { c, ms };
      this.#next.push(n);
      c.park(Infinity, null, () => {
        this.#next = this.#next.filter((x) => x !== n);
      });
      return PENDING;
    }
    const index = this.#count++;
    if (this.#count === this.parties) {
      if (this.hasAction) {
        this.#inAction = true;
        return { index, action: true };
      }
      this.#release();
      return { index, action: false };
    }
    const w = { c, index };
    this.#waiters.push(w);
    c.park(ms, () => {
      // As in Python, a timeout breaks the barrier for everyone.
      this.#break();
    }, () => {
      // A party that died while waiting leaves the others unable to pass.
      this.#waiters = this.#waiters.filter((x) => x !== w);
      this.#break();
    });
    return PENDING;
  }

  op(c: Call, m: string, a: unknown[]): unknown {
    switch (m) {
      case "wait":
        return this.#arrive(c, _ms(a[0]));
      case "actionDone":
        if (!this.#inAction) return null;
        if (a[0]) this.#release();
        else this.#break();
        return null;
      case "reset": {
        const ws = this.#waiters;
        this.#waiters = [];
        this.#count = 0;
        this.#broken = false;
        for (const w of ws) w.c.fail(_named("BrokenBarrierError"));
        return null;
      }
      case "abort":
        this.#break();
        return null;
      case "nWaiting":
        return this.#inAction ? 0 : this.#count;
      case "broken":
        return this.#broken;
    }
    throw new TypeError(`Barrier has no method ${m}`);
  }

  override pidGone(pid: number): void {
    // The last party died before its action reported back.
    if (this.#inAction && this.#actionPid === pid) this.#break();
  }
  #actionPid = 0;
  setActionPid(pid: number): void {
    this.#actionPid = pid;
  }
}

/** Queue, JoinableQueue and SimpleQueue: items, blocked getters and putters, unfinished tasks. */
class QueueState extends SharedState {
  readonly #items = new Deque<unknown>();
  readonly #getters = new Deque<Call>();
  readonly #putters = new Deque<{ c: Call; item: unknown }>();
  #unfinished = 0;
  #joiners = new Set<Call>();
  constructor(readonly maxsize: number) {
    super();
  }

  #full(): boolean {
    return this.maxsize > 0 && this.#items.length >= this.maxsize;
  }

  /** Adds an item: straight to the first live getter, else to the queue. */
  #add(item: unknown): void {
    this.#unfinished++;
    for (;;) {
      const g = this.#getters.shift();
      if (!g) break;
      if (g.live && g.reply(item)) return;
    }
    this.#items.push(item);
  }

  #admitPutters(): void {
    while (!this.#full()) {
      const p = this.#putters.shift();
      if (!p) return;
      if (!p.c.live) continue;
      this.#add(p.item);
      p.c.reply(null);
    }
  }

  op(c: Call, m: string, a: unknown[]): unknown {
    switch (m) {
      case "put": {
        const item = a[0];
        if (!this.#full()) {
          this.#add(item);
          return null;
        }
        const ms = _ms(a[1]);
        if (ms <= 0) throw _named("Full");
        const p = { c, item };
        this.#putters.push(p);
        c.park(ms, () => {
          this.#putters.remove(p);
          c.fail(_named("Full"));
        }, () => this.#putters.remove(p));
        return PENDING;
      }
      case "putMany": {
        // Unbounded queues only: the client checks.
        for (const item of a[0] as unknown[]) this.#add(item);
        return null;
      }
      case "get": {
        if (this.#items.length > 0) {
          const item = this.#items.shift();
          if (!c.reply(item)) this.#items.unshift(item);
          this.#admitPutters();
          return PENDING;
        }
        const ms = _ms(a[0]);
        if (ms <= 0) throw _named("Empty");
        this.#getters.push(c);
        c.park(ms, () => {
          this.#getters.remove(c);
          c.fail(_named("Empty"));
        }, () => this.#getters.remove(c));
        return PENDING;
      }
      case "qsize":
        return this.#items.length;
      case "empty":
        return this.#items.length === 0;
      case "full":
        return this.#full();
      case "taskDone":
        if (this.#unfinished <= 0) {
          throw new ValueError("task_done() called too many times");
        }
        if (--this.#unfinished === 0) {
          const js = [...this.#joiners];
          this.#joiners.clear();
          for (const j of js) j.reply(null);
        }
        return null;
      case "join": {
        if (this.#unfinished === 0) return null;
        const ms = _ms(a[0]);
        if (ms <= 0) return false;
        this.#joiners.add(c);
        c.park(ms, () => {
          this.#joiners.delete(c);
          c.reply(false);
        }, () => this.#joiners.delete(c));
        return PENDING;
      }
      case "snapshot":
        return this.#items.toArray();
    }
    throw new TypeError(`Queue has no method ${m}`);
  }
}

/**
 * Pipe: two ends, a buffer of messages waiting to be read at each, and the
 * holders of each end (pids, and tokens for handles in transit to another
 * process). An end whose holders are all gone is closed: reading the other
 * end then throws EOFError once its buffer is empty, as with an OS pipe.
 *
 * A pipe made where shared memory is available has rings instead of
 * buffers (`shm_pipe.ts`, `rings[e]` carrying the messages to end `e`):
 * the processes that map them read and write there directly, and this
 * state serves the others on the same rings; it still counts the holders,
 * and marks a ring's flags when an end closes.
 */
class PipeState extends SharedState {
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
        const ms = _ms(a[1]);
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
      case "recv": {
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
      case "poll": {
        if (this.#buf[end].length > 0 || this.#closed[1 - end]) return true;
        const ms = _ms(a[1]);
        if (ms <= 0) return false;
        const pollers = this.#pollers[end];
        pollers.add(c);
        c.park(ms, () => {
          pollers.delete(c);
          c.reply(false);
        }, () => pollers.delete(c));
        return PENDING;
      }
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
    for (const r of this.rings ?? []) if (r) _freeBlock(r.loc);
  }
}

/** A frame read for a client, as the client's `recv` expects it (encoded). */
function _frameItem(f: Frame): unknown {
  return unpackMessage(f.kind, f.bytes);
}

/** Value and Array: a typed array (of length 1 for a Value), in this server's memory or over a block of shared memory (`loc`). */
class ArrayState extends SharedState {
  constructor(
    readonly data: ArrayLike<number | bigint> & {
      [i: number]: number | bigint;
      length: number;
      slice(a?: number, b?: number): unknown;
    },
    readonly loc: ShmLoc | null = null,
  ) {
    super();
  }

  override dispose(): void {
    if (this.loc) _freeBlock(this.loc);
  }

  op(_c: Call, m: string, a: unknown[]): unknown {
    const d = this.data;
    switch (m) {
      case "get":
        return d[a[0] as number];
      case "set":
        d[a[0] as number] = a[1] as number;
        return null;
      case "slice":
        return d.slice(a[0] as number, a[1] as number);
      case "setSlice": {
        const start = a[0] as number;
        const vals = a[1] as ArrayLike<number | bigint>;
        for (let i = 0; i < vals.length; i++) d[start + i] = vals[i];
        return null;
      }
      case "add": {
        // An atomic read-modify-write, for counters.
        const i = a[0] as number;
        d[i] = (d[i] as number) + (a[1] as number);
        return d[i];
      }
    }
    throw new TypeError(`Array has no method ${m}`);
  }
}

/** A manager's dict: a Map of structured-clone values. */
class DictState extends SharedState {
  readonly map: Map<unknown, unknown>;
  constructor(init: Iterable<[unknown, unknown]> | null) {
    super();
    this.map = new Map(init ?? []);
  }

  op(_c: Call, m: string, a: unknown[]): unknown {
    const map = this.map;
    switch (m) {
      case "get": {
        if (map.has(a[0])) return { has: true, v: map.get(a[0]) };
        return { has: false };
      }
      case "set":
        map.set(a[0], a[1]);
        return null;
      case "delete":
        return map.delete(a[0]);
      case "has":
        return map.has(a[0]);
      case "len":
        return map.size;
      case "keys":
        return [...map.keys()];
      case "values":
        return [...map.values()];
      case "items":
        return [...map.entries()];
      case "clear":
        map.clear();
        return null;
      case "update":
        for (const [k, v] of a[0] as [unknown, unknown][]) map.set(k, v);
        return null;
      case "pop":
        if (map.has(a[0])) {
          const v = map.get(a[0]);
          map.delete(a[0]);
          return { has: true, v };
        }
        return { has: false };
      case "setdefault":
        if (!map.has(a[0])) map.set(a[0], a[1]);
        return map.get(a[0]);
      case "popitem": {
        if (map.size === 0) return { has: false };
        const k = [...map.keys()].pop();
        const v = map.get(k);
        map.delete(k);
        return { has: true, v: [k, v] };
      }
      case "add": {
        const v = (map.get(a[0]) ?? 0) as number;
        const r = v + (a[1] as number);
        map.set(a[0], r);
        return r;
      }
    }
    throw new TypeError(`dict has no method ${m}`);
  }
}

/** A manager's list. */
class ListState extends SharedState {
  list: unknown[];
  constructor(init: unknown[] | null) {
    super();
    this.list = [...(init ?? [])];
  }

  #index(i: number, forInsert = false): number {
    const n = this.list.length;
    const j = i < 0 ? i + n : i;
    if (forInsert) return Math.max(0, Math.min(n, j));
    if (j < 0 || j >= n) throw new RangeError("list index out of range");
    return j;
  }

  op(_c: Call, m: string, a: unknown[]): unknown {
    const l = this.list;
    switch (m) {
      case "get":
        return l[this.#index(a[0] as number)];
      case "set":
        l[this.#index(a[0] as number)] = a[1];
        return null;
      case "append":
        l.push(a[0]);
        return null;
      case "extend":
        l.push(...(a[0] as unknown[]));
        return null;
      case "insert":
        l.splice(this.#index(a[0] as number, true), 0, a[1]);
        return null;
      case "pop": {
        if (l.length === 0) throw new RangeError("pop from empty list");
        const i = this.#index(a[0] === undefined ? -1 : a[0] as number);
        return l.splice(i, 1)[0];
      }
      case "remove": {
        const i = l.findIndex((x) => _equal(x, a[0]));
        if (i < 0) throw new ValueError("list.remove(x): x not in list");
        l.splice(i, 1);
        return null;
      }
      case "index": {
        const i = l.findIndex((x) => _equal(x, a[0]));
        if (i < 0) throw new ValueError(`${String(a[0])} is not in list`);
        return i;
      }
      case "count":
        return l.filter((x) => _equal(x, a[0])).length;
      case "len":
        return l.length;
      case "slice":
        return l.slice(a[0] as number | undefined, a[1] as number | undefined);
      case "reverse":
        l.reverse();
        return null;
      case "sort":
        l.sort(a[0] ? (x, y) => _cmp(y, x) : _cmp);
        return null;
      case "clear":
        l.length = 0;
        return null;
    }
    throw new TypeError(`list has no method ${m}`);
  }
}

function _equal(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== "object" || typeof b !== "object" || !a || !b) {
    return a === b;
  }
  try {
    return JSON.stringify(a) === JSON.stringify(b);
  } catch {
    return false;
  }
}

function _cmp(a: unknown, b: unknown): number {
  if (typeof a === "number" && typeof b === "number") return a - b;
  const x = String(a);
  const y = String(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** What the server needs of a queue of the queue module. */
export interface LocalQueue {
  putNowait(item: unknown): void;
  put(item: unknown, options: { timeout: number | null }): Promise<void>;
  getNowait(): unknown;
  get(options: { timeout: number | null }): Promise<unknown>;
  qsize(): number;
  empty(): boolean;
  full(): boolean;
  taskDone(): void;
  readonly unfinishedTasks: number;
  readonly queue: unknown[];
}

/** The longest single wait on a shared-memory queue, so a dead client's wait ends soon. */
const _SLICE_MS = 500;

/**
 * Queue, JoinableQueue and SimpleQueue made by the thread this server
 * serves: the items live in a queue of the queue module (shared memory),
 * which that thread uses directly; other processes reach it through here.
 * A blocked call waits in slices, and stops when its client is gone; an
 * item taken for a client that died meanwhile is put back (at the end).
 */
class SabQueueState extends SharedState {
  constructor(readonly q: LocalQueue) {
    super();
  }

  #deliver(c: Call, item: unknown): void {
    if (!c.reply(item)) {
      try {
        this.q.putNowait(item);
      } catch { /* full: the item is lost with its dead client */ }
    }
  }

  async #getSliced(c: Call, ms: number): Promise<void> {
    const end = performance.now() + ms;
    c.park(Infinity, null, () => {});
    while (c.live) {
      const left = end - performance.now();
      if (left <= 0) {
        c.fail(_named("Empty"));
        return;
      }
      let item: unknown;
      try {
        item = await this.q.get({ timeout: Math.min(left, _SLICE_MS) / 1000 });
      } catch (err) {
        if ((err as Error)?.name === "Empty") continue;
        c.fail(err);
        return;
      }
      this.#deliver(c, item);
      return;
    }
  }

  async #putSliced(c: Call, item: unknown, ms: number): Promise<void> {
    const end = performance.now() + ms;
    c.park(Infinity, null, () => {});
    while (c.live) {
      const left = end - performance.now();
      if (left <= 0) {
        c.fail(_named("Full"));
        return;
      }
      try {
        await this.q.put(item, {
          timeout: Math.min(left, _SLICE_MS) / 1000,
        });
      } catch (err) {
        if ((err as Error)?.name === "Full") continue;
        c.fail(err);
        return;
      }
      c.reply(null);
      return;
    }
  }

  async #joinSliced(c: Call, ms: number): Promise<void> {
    const end = performance.now() + ms;
    c.park(Infinity, null, () => {});
    let pause = 1;
    while (c.live) {
      if (this.q.unfinishedTasks === 0) {
        c.reply(null);
        return;
      }
      const left = end - performance.now();
      if (left <= 0) {
        c.reply(false);
        return;
      }
      await new Promise((r) => setTimeout(r, Math.min(pause, left)));
      pause = Math.min(pause * 2, 20);
    }
  }

  op(c: Call, m: string, a: unknown[]): unknown {
    switch (m) {
      case "put": {
        try {
          this.q.putNowait(a[0]);
          return null;
        } catch (err) {
          if ((err as Error)?.name !== "Full" || _ms(a[1]) <= 0) throw err;
        }
        void this.#putSliced(c, a[0], _ms(a[1]));
        return PENDING;
      }
      case "putMany":
        for (const item of a[0] as unknown[]) this.q.putNowait(item);
        return null;
      case "get": {
        let item: unknown;
        try {
          item = this.q.getNowait();
        } catch (err) {
          if ((err as Error)?.name !== "Empty" || _ms(a[0]) <= 0) throw err;
          void this.#getSliced(c, _ms(a[0]));
          return PENDING;
        }
        this.#deliver(c, item);
        return PENDING;
      }
      case "qsize":
        return this.q.qsize();
      case "empty":
        return this.q.empty();
      case "full":
        return this.q.full();
      case "taskDone":
        this.q.taskDone();
        return null;
      case "join":
        if (this.q.unfinishedTasks === 0) return null;
        if (_ms(a[0]) <= 0) return false;
        void this.#joinSliced(c, _ms(a[0]));
        return PENDING;
      case "snapshot":
        return this.q.queue;
    }
    throw new TypeError(`Queue has no method ${m}`);
  }
}

// ---------------------------------------------------------------------------
// Objects in shared memory (mechanism (2), see shm_sync.ts): every process
// that can map the block works on its words directly; the server does the
// same on behalf of a client that cannot (Deno without the ffi permission),
// with the client's pid and thread ident, so both paths share one state.
// The server also frees the locks of a process whose connections all
// closed, and gives a block back to its arena once the object is freed.

let _freePort: MessagePort | null = null;

/** Where this server gives back the blocks of freed objects (the arena of the thread it serves). */
export function setShmFreePort(port: MessagePort): void {
  _freePort = port;
}

function _freeBlock(loc: ShmLoc): void {
  _freePort?.postMessage(loc);
}

function _cell(s: Record<string, unknown>): ShmCell {
  const c = shmCell(s.m as ShmLoc);
  if (!c) {
    throw new RuntimeError(
      "the process serving this object cannot map its shared memory",
    );
  }
  return c;
}

/** Parks `c` while a wait runs on its behalf; the result tells whether to go on. */
function _parkFor(c: Call): () => boolean {
  c.park(Infinity, null, () => {});
  return () => c.live;
}

/** Lock and RLock in shared memory. */
class ShmLockState extends SharedState implements CondLock {
  constructor(readonly recursive: boolean, readonly cell: ShmCell) {
    super();
  }

  isOwner(pid: number, tid: number): boolean {
    return lockIsOwner(this.cell, pid, tid);
  }

  releaseAll(pid: number, tid: number, what: string): number {
    return lockReleaseAll(this.cell, pid, tid, what);
  }

  /** Takes the lock for a client that is gone again. */
  #drop(c: Call): void {
    if (lockIsOwner(this.cell, c.pid, c.tid)) {
      lockReleaseAll(this.cell, c.pid, c.tid, "release");
    }
  }

  acquireFor(c: Call, count: number, then: () => void): void {
    const live = _parkFor(c);
    void lockAcquire(
      this.cell,
      c.pid,
      c.tid,
      this.recursive,
      Infinity,
      count,
      live,
    ).then((ok) => {
      if (!ok) return;
      if (c.live) then();
      else this.#drop(c);
    });
  }

  op(c: Call, m: string, a: unknown[]): unknown {
    const cell = this.cell;
    switch (m) {
      case "acquire": {
        const ms = _ms(a[0]);
        if (lockAcquireSync(cell, c.pid, c.tid, this.recursive, 0)) return true;
        if (ms <= 0) return false;
        const live = _parkFor(c);
        void lockAcquire(cell, c.pid, c.tid, this.recursive, ms, 1, live)
          .then((ok) => {
            if (!ok) c.reply(false);
            else if (!c.reply(true)) this.#drop(c);
          });
        return PENDING;
      }
      case "release":
        lockRelease(cell, c.pid, c.tid, this.recursive);
        return null;
      case "locked":
        return lockLocked(cell);
      case "owned":
        return lockIsOwner(cell, c.pid, c.tid);
      case "count":
        return lockCount(cell);
    }
    throw new TypeError(`Lock has no method ${m}`);
  }

  override pidGone(pid: number): void {
    lockFreeDead(this.cell, pid);
  }

  override dispose(): void {
    _freeBlock(this.cell.loc);
  }
}

/** Semaphore and BoundedSemaphore in shared memory. */
class ShmSemState extends SharedState {
  constructor(readonly cell: ShmCell, readonly bound: number | null) {
    super();
  }

  op(c: Call, m: string, a: unknown[]): unknown {
    const cell = this.cell;
    switch (m) {
      case "acquire": {
        const ms = _ms(a[0]);
        if (semAcquireSync(cell, 0)) return true;
        if (ms <= 0) return false;
        const live = _parkFor(c);
        void semAcquire(cell, ms, live).then((ok) => {
          if (!ok) c.reply(false);
          else if (!c.reply(true)) {
            // The client is gone: its slot goes back.
            try {
              semRelease(cell, 1, this.bound);
            } catch { /* released meanwhile by others */ }
          }
        });
        return PENDING;
      }
      case "release":
        semRelease(cell, typeof a[0] === "number" ? a[0] : 1, this.bound);
        return null;
      case "getValue":
        return semValue(cell);
    }
    throw new TypeError(`Semaphore has no method ${m}`);
  }

  override dispose(): void {
    _freeBlock(this.cell.loc);
  }
}

/** Event in shared memory. */
class ShmEventState extends SharedState {
  constructor(readonly cell: ShmCell) {
    super();
  }

  op(c: Call, m: string, a: unknown[]): unknown {
    const cell = this.cell;
    switch (m) {
      case "wait": {
        if (eventIsSet(cell)) return true;
        const ms = _ms(a[0]);
        if (ms <= 0) return false;
        const live = _parkFor(c);
        void eventWait(cell, ms, live).then((r) => c.reply(r));
        return PENDING;
      }
      case "set":
        eventSet(cell);
        return null;
      case "clear":
        eventClear(cell);
        return null;
      case "isSet":
        return eventIsSet(cell);
    }
    throw new TypeError(`Event has no method ${m}`);
  }

  override dispose(): void {
    _freeBlock(this.cell.loc);
  }
}

const _ctors: Record<
  string,
  (
    s: Record<string, unknown>,
    lookup: (oid: number, init: ObjectInit) => SharedState,
  ) => SharedState
> = {
  lock: (s) => s?.m ? new ShmLockState(false, _cell(s)) : new LockState(false),
  rlock: (s) => s?.m ? new ShmLockState(true, _cell(s)) : new LockState(true),
  sem: (s) =>
    s.m
      ? new ShmSemState(_cell(s), (s.bound as number) ?? null)
      : new SemState(s.value as number, (s.bound as number) ?? null),
  event: (s) => s?.m ? new ShmEventState(_cell(s)) : new EventState(),
  cond: (s, lookup) => {
    const lock = lookup(s.lock as number, s.lockInit as ObjectInit);
    if (!(lock instanceof LockState || lock instanceof ShmLockState)) {
      throw new TypeError("a Condition needs a Lock or RLock");
    }
    return new CondState(lock);
  },
  barrier: (s) => new BarrierState(s.parties as number, Boolean(s.action)),
  queue: (s) => new QueueState(s.maxsize as number),
  pipe: (s) =>
    new PipeState(
      Boolean(s.duplex),
      s.creator as number,
      Array.isArray(s.r)
        ? (s.r as (ShmLoc | null)[]).map((l) => {
          if (!l) return null;
          const c = shmCell(l);
          if (!c) {
            throw new RuntimeError(
              "the process serving this pipe cannot map its shared memory",
            );
          }
          return new Ring(c);
        })
        : null,
    ),
  array: (s) => {
    if (!s.m) return new ArrayState(s.data as never);
    const c = _cell(s);
    const ctor = typedArrayOf(s.t as string);
    return new ArrayState(
      new ctor(c.map.buffer, c.loc.o, s.l as number) as never,
      c.loc,
    );
  },
  dict: (s) => new DictState(s.init as [unknown, unknown][] | null),
  list: (s) => new ListState(s.init as unknown[] | null),
};

// ---------------------------------------------------------------------------
// The server

const objects = new Map<number, SharedState>();
/** Requests about a shared-memory object whose handle has not arrived yet. */
const _early = new Map<number, (() => void)[]>();

/**
 * Who holds each object: the threads (`"pid:tid"`) with a live handle, and
 * the handles in transit (shared, not yet adopted; it goes below zero when
 * an adoption overtakes its share on another connection). An object whose
 * holders are gone and with nothing in transit is freed.
 */
interface _Refs {
  holders: Set<string>;
  transit: number;
}
const _refs = new Map<number, _Refs>();
/** The objects each thread holds, so a thread that goes drops them all. */
const _held = new Map<string, Set<number>>();
/** Releases of a shared-memory queue that overtook its registration. */
const _earlyDecref = new Map<number, Set<string>>();

function _refsOf(oid: number): _Refs {
  let r = _refs.get(oid);
  if (!r) _refs.set(oid, r = { holders: new Set(), transit: 0 });
  return r;
}

function _addHolder(oid: number, key: string): void {
  _refsOf(oid).holders.add(key);
  let set = _held.get(key);
  if (!set) _held.set(key, set = new Set());
  set.add(oid);
}

function _maybeFree(oid: number): void {
  const r = _refs.get(oid);
  if (!r || r.holders.size > 0 || r.transit !== 0) return;
  _refs.delete(oid);
  const obj = objects.get(oid);
  objects.delete(oid);
  obj?.dispose();
  _threadGone(`o:${oid}`);
}

function _dropHolder(oid: number, key: string): void {
  const r = _refs.get(oid);
  _held.get(key)?.delete(oid);
  if (!r) return;
  r.holders.delete(key);
  _maybeFree(oid);
}

/** Drops every handle thread `key` held (its connections are all closed). */
function _threadGone(key: string): void {
  const oids = _held.get(key);
  _held.delete(key);
  for (const oid of oids ?? []) {
    const r = _refs.get(oid);
    if (!r) continue;
    r.holders.delete(key);
    _maybeFree(oid);
  }
}

/** How many objects this server keeps now, and how many threads hold some. */
export function serverStats(): { objects: number; threads: number } {
  return { objects: objects.size, threads: _held.size };
}

/**
 * Registers an object whose state lives in shared memory of this process
 * (a queue made by the thread this server serves): the server works on the
 * same memory, so that thread uses it directly, without a round trip.
 * `holder` is the creating thread, whose handle counts as a reference.
 */
export function adoptLocal(oid: number, q: LocalQueue, holder?: string): void {
  objects.set(oid, new SabQueueState(q));
  if (holder !== undefined) {
    const gone = _earlyDecref.get(oid);
    if (gone?.delete(holder)) {
      if (gone.size === 0) _earlyDecref.delete(oid);
    } else _addHolder(oid, holder);
  }
  _refsOf(oid);
  const waiting = _early.get(oid);
  _early.delete(oid);
  for (const run of waiting ?? []) run();
  _maybeFree(oid);
}

/** Serves shared objects on `address` until the process exits. */
export function serve(address: string): Promise<void> {
  const byPid = new Map<number, Set<Conn>>();

  const lookup = (oid: number, init: ObjectInit | undefined): SharedState => {
    let obj = objects.get(oid);
    if (obj) return obj;
    if (!init) {
      throw new RuntimeError(`unknown shared object ${oid}`);
    }
    const ctor = _ctors[init.k];
    if (!ctor) throw new TypeError(`unknown kind of shared object ${init.k}`);
    // An object built on another (a Condition's lock) holds it.
    obj = ctor(init.s as Record<string, unknown>, (o, i) => {
      const inner = lookup(o, i);
      _addHolder(o, `o:${oid}`);
      return inner;
    });
    objects.set(oid, obj);
    return obj;
  };

  const pidGone = (pid: number) => {
    for (const obj of objects.values()) obj.pidGone(pid);
  };

  /** The connections each thread (`"pid:tid"`) talks to this server on. */
  const byThread = new Map<string, Set<Conn>>();
  const holder = (conn: Conn, req: Request, oid: number): void => {
    const key = `${req.p}:${req.t}`;
    if (!conn.threads.has(key)) {
      conn.threads.add(key);
      let set = byThread.get(key);
      if (!set) byThread.set(key, set = new Set());
      set.add(conn);
    }
    _addHolder(oid, key);
  };

  const handle = (conn: Conn, req: Request) => {
    if (conn.pid === 0) {
      conn.pid = req.p;
      let set = byPid.get(req.p);
      if (!set) byPid.set(req.p, set = new Set());
      set.add(conn);
    }
    const c = new Call(conn, req.i, req.p, req.t);
    try {
      if (req.o === 0) {
        c.reply(req.m === "stats" ? serverStats() : null); // ping
        return;
      }
      if (req.m === "_decref") {
        // A thread dropped its last handle.
        const key = `${req.p}:${req.t}`;
        if (!objects.has(req.o) && req.a[0] === "squeue") {
          let set = _earlyDecref.get(req.o);
          if (!set) _earlyDecref.set(req.o, set = new Set());
          set.add(key);
        }
        _dropHolder(req.o, key);
        c.reply(null);
        return;
      }
      if (
        !objects.has(req.o) && (req.n?.k === "squeue" || _early.has(req.o))
      ) {
        // Its handle is on its way from the owning thread.
        let list = _early.get(req.o);
        if (!list) _early.set(req.o, list = []);
        list.push(() => handle(conn, req));
        return;
      }
      const obj = lookup(req.o, req.n);
      // A thread that introduces an object holds a handle to it.
      if (req.n) holder(conn, req, req.o);
      if (req.m === "_share") {
        _refsOf(req.o).transit++;
        c.reply(null);
        return;
      }
      if (req.m === "_adopt") {
        holder(conn, req, req.o);
        _refsOf(req.o).transit--;
        c.reply(null);
        return;
      }
      const r = obj.op(c, req.m, req.a);
      if (obj instanceof BarrierState && req.m === "wait") {
        const rr = r as { action?: boolean } | typeof PENDING;
        if (rr !== PENDING && rr.action) obj.setActionPid(req.p);
      }
      if (r !== PENDING) c.reply(r);
    } catch (err) {
      c.fail(err);
    }
  };

  const server = net.createServer((socket) => {
    const conn = new Conn(socket);
    const decoder = new FrameDecoder((msg) => handle(conn, msg as Request));
    socket.on("data", (chunk: Uint8Array) => {
      try {
        decoder.push(chunk);
      } catch {
        socket.destroy();
      }
    });
    socket.on("error", () => {});
    socket.on("close", () => {
      for (const c of [...conn.parked]) {
        c.done = true;
        c.stopTimer();
        c.cancel?.();
      }
      conn.parked.clear();
      const set = byPid.get(conn.pid);
      if (set) {
        set.delete(conn);
        if (set.size === 0) {
          byPid.delete(conn.pid);
          pidGone(conn.pid);
        }
      }
      // A thread whose connections are all closed holds nothing any more.
      for (const key of conn.threads) {
        const conns = byThread.get(key);
        conns?.delete(conn);
        if (conns && conns.size > 0) continue;
        byThread.delete(key);
        _threadGone(key);
      }
    });
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(address, () => resolve());
  });
}
