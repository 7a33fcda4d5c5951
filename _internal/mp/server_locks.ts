/**
 * The state of Lock, RLock, Semaphore, BoundedSemaphore, Event, Condition
 * and Barrier when it lives in the server's memory: owners, counters and
 * the calls parked on them, served first come, first served.
 *
 * Design: docs/design/mp_server.md
 *
 * @module
 */
import { Deque } from "../core/deque.ts";
import { RuntimeError, ValueError } from "../core/errors.ts";
import { type Call, PENDING } from "./server_call.ts";
import { namedError, SharedState, waitMs } from "./server_state.ts";

/** What a Condition needs of its lock, in the server's memory or in shared memory. */
export interface CondLock {
  isOwner(pid: number, tid: number): boolean;
  releaseAll(pid: number, tid: number, what: string): number;
  acquireFor(c: Call, count: number, then: () => void): void;
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
        const ms = waitMs(a[0]);
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
export class SemState extends SharedState {
  readonly #waiters = new Deque<Call>();
  constructor(public value: number, readonly bound: number | null) {
    super();
  }

  op(c: Call, m: string, a: unknown[]): unknown {
    switch (m) {
      case "acquire": {
        const ms = waitMs(a[0]);
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
export class EventState extends SharedState {
  flag = false;
  readonly #waiters = new Set<Call>();

  op(c: Call, m: string, a: unknown[]): unknown {
    switch (m) {
      case "wait": {
        if (this.flag) return true;
        const ms = waitMs(a[0]);
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
export class CondState extends SharedState {
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
        const ms = waitMs(a[0]);
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
export class BarrierState extends SharedState {
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
    for (const w of ws) w.c.fail(namedError("BrokenBarrierError"));
    const next = this.#next;
    this.#next = [];
    for (const n of next) n.c.fail(namedError("BrokenBarrierError"));
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
    if (this.#broken) throw namedError("BrokenBarrierError");
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
        return this.#arrive(c, waitMs(a[0]));
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
        for (const w of ws) w.c.fail(namedError("BrokenBarrierError"));
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
