/**
 * The state of Lock, RLock, Semaphore, BoundedSemaphore and Event made in
 * shared memory: every process that can map the block works on its words
 * directly, and this state does the same for the clients that cannot, with
 * their pid and thread ident, so both paths share one state.
 *
 * Design: docs/design/mp_server.md
 *
 * @module
 */
import type { ShmCell } from "../shm/arena.ts";
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
import { type Call, PENDING } from "./server_call.ts";
import type { CondLock } from "./server_locks.ts";
import { freeBlock, SharedState, waitMs } from "./server_state.ts";

/** Parks `c` while a wait runs on its behalf; the result tells whether to go on. */
function _parkFor(c: Call): () => boolean {
  c.park(Infinity, null, () => {});
  return () => c.live;
}

/** Lock and RLock in shared memory. */
export class ShmLockState extends SharedState implements CondLock {
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
        const ms = waitMs(a[0]);
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
    freeBlock(this.cell.loc);
  }
}

/** Semaphore and BoundedSemaphore in shared memory. */
export class ShmSemState extends SharedState {
  constructor(readonly cell: ShmCell, readonly bound: number | null) {
    super();
  }

  op(c: Call, m: string, a: unknown[]): unknown {
    const cell = this.cell;
    switch (m) {
      case "acquire": {
        const ms = waitMs(a[0]);
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
    freeBlock(this.cell.loc);
  }
}

/** Event in shared memory. */
export class ShmEventState extends SharedState {
  constructor(readonly cell: ShmCell) {
    super();
  }

  op(c: Call, m: string, a: unknown[]): unknown {
    const cell = this.cell;
    switch (m) {
      case "wait": {
        if (eventIsSet(cell)) return true;
        const ms = waitMs(a[0]);
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
    freeBlock(this.cell.loc);
  }
}
