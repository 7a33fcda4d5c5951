/**
 * Locks, semaphores and events in shared memory (mechanism (2)): the
 * algorithms on the words of a block (`arena.ts`), with Atomics for the
 * state and the futex syscall (`ffi.ts`) to sleep. Every process's handles,
 * and the creating process's server on behalf of clients that cannot map
 * the memory, run this same code on the same words.
 *
 * Design: docs/design/shm.md
 *
 * @module
 */
import { RuntimeError, ValueError } from "../core/errors.ts";
import type { ShmCell } from "./arena.ts";

/**
 * Words of a Lock or RLock block (16 bytes).
 * - `Owner`: the owner's pid; 0 when free; -1 while the server frees the
 *   lock of a dead owner. Written by compare-and-swap to take it, by a
 *   store from the owner to free it.
 * - `Waiters`: how many sleep on `Owner` (each adds 1 around its sleep).
 * - `Tid`: the owning thread's ident; written by the owner only, cleared
 *   before `Owner` is, so a thread never sees a stale ident of its own.
 * - `Count`: the recursion count; written by the owner only.
 */
export const LockWord = {
  Owner: 0,
  Waiters: 1,
  Tid: 2,
  Count: 3,
} as const;

/**
 * Words of a Semaphore block: `Value` (the free slots, changed by
 * compare-and-swap; sleepers wait while it is 0) and `Waiters`.
 */
export const SemWord = {
  Value: 0,
  Waiters: 1,
} as const;

/**
 * Words of an Event block: `Flag` (0 or 1), `Waiters`, and `Seq`, which
 * every `set()` increments: waiters sleep on it, so a wait returns true
 * when a `set()` happened during it even if a `clear()` followed at once.
 */
export const EventWord = {
  Flag: 0,
  Waiters: 1,
  Seq: 2,
} as const;

/** The longest sleep before a waiter looks again (timeouts, dead owners, termination). */
export const SLICE_MS = 20;
/** The longest pause between two looks of an async wait that polls (Bun). */
export const POLL_MAX_MS = 2;

/** Tries once: `true` when it got its way, else the value of the word to sleep on. */
type _Attempt = () => true | number;
/** Called when the same value stayed through a whole slice: may take over; `true` when it did. */
type _Stale = (seen: number) => boolean;

function _runSync(
  c: ShmCell,
  k: number,
  ms: number,
  attempt: _Attempt,
  stale: _Stale | null,
  first: true | number = attempt(),
): boolean {
  let r = first;
  if (r === true) return true;
  if (ms <= 0) return false;
  const i32 = c.i32;
  const waiters = c.w + 1;
  const addr = c.addr(k);
  let now = performance.now();
  const end = now + ms;
  let seen = r;
  let since = now;
  for (;;) {
    const left = end - now;
    if (left <= 0) return false;
    Atomics.add(i32, waiters, 1);
    c.ffi.wait(addr, r, Math.min(left, SLICE_MS));
    Atomics.sub(i32, waiters, 1);
    r = attempt();
    if (r === true) return true;
    now = performance.now();
    if (r !== seen) {
      seen = r;
      since = now;
    } else if (stale && now - since >= SLICE_MS) {
      since = now;
      if (stale(r)) return true;
    }
  }
}

const _delay = (ms: number) => new Promise((r) => setTimeout(r, ms));

function _runAsync(
  c: ShmCell,
  k: number,
  ms: number,
  attempt: _Attempt,
  stale: _Stale | null,
  live: (() => boolean) | null,
  first: number,
  keep: unknown,
): Promise<boolean> {
  // `keep` (the waiting handle) stays reachable until the wait ends, so its
  // block is not freed and reused under the wait.
  return _loopAsync(c, k, ms, attempt, stale, live, first).finally(() => {
    void keep;
  });
}

async function _loopAsync(
  c: ShmCell,
  k: number,
  ms: number,
  attempt: _Attempt,
  stale: _Stale | null,
  live: (() => boolean) | null,
  first: number,
): Promise<boolean> {
  let r: true | number = first;
  const i32 = c.i32;
  const waiters = c.w + 1;
  const addr = c.addr(k);
  const native = c.ffi.waitAsync;
  const waitAsync = native ?? c.ffi.waitvAsync ?? null;
  // Bun's helper thread costs a thread round trip: look twice on timers
  // first, which catches a wake that is only microseconds away.
  let looks = native ? 0 : 2;
  let now = performance.now();
  const end = now + ms;
  let seen = r;
  let since = now;
  let pause = 0;
  for (;;) {
    const left = end - now;
    if (left <= 0) return false;
    if (waitAsync && looks === 0) {
      Atomics.add(i32, waiters, 1);
      try {
        await waitAsync(addr, r, Math.min(left, SLICE_MS));
      } finally {
        Atomics.sub(i32, waiters, 1);
      }
    } else if (looks > 0) {
      looks--;
      await _delay(0);
    } else {
      await _delay(Math.min(left, pause));
      pause = Math.min(pause + 1, POLL_MAX_MS);
    }
    // A server call whose client died stops here, before touching the
    // words again (the block may be freed and reused once it is gone).
    if (live && !live()) return false;
    r = attempt();
    if (r === true) return true;
    now = performance.now();
    if (r !== seen) {
      seen = r;
      since = now;
    } else if (stale && now - since >= SLICE_MS) {
      since = now;
      if (stale(r)) return true;
    }
  }
}

// ---------------------------------------------------------------------------
// Lock and RLock

function _lockTake(c: ShmCell, pid: number, tid: number, count: number) {
  const i32 = c.i32;
  const w = c.w;
  const v = Atomics.compareExchange(i32, w + LockWord.Owner, 0, pid);
  if (v !== 0) return v;
  Atomics.store(i32, w + LockWord.Tid, tid);
  i32[w + LockWord.Count] = count;
  return true;
}

function _lockStale(c: ShmCell, pid: number, tid: number, count: number) {
  return (owner: number): boolean => {
    if (owner <= 0 || owner === pid || !c.ffi.pidDead(owner)) return false;
    const i32 = c.i32;
    const w = c.w;
    if (Atomics.compareExchange(i32, w, owner, pid) !== owner) return false;
    Atomics.store(i32, w + LockWord.Tid, tid);
    i32[w + LockWord.Count] = count;
    return true;
  };
}

/** Whether thread `tid` of process `pid` owns the lock. */
export function lockIsOwner(c: ShmCell, pid: number, tid: number): boolean {
  const i32 = c.i32;
  return Atomics.load(i32, c.w + LockWord.Owner) === pid &&
    Atomics.load(i32, c.w + LockWord.Tid) === tid;
}

/** Whether some process holds the lock. */
export function lockLocked(c: ShmCell): boolean {
  return Atomics.load(c.i32, c.w + LockWord.Owner) !== 0;
}

/** The recursion count (0 when free). */
export function lockCount(c: ShmCell): number {
  return lockLocked(c) ? c.i32[c.w + LockWord.Count] : 0;
}

/**
 * Acquires the lock for thread `tid` of process `pid`, blocking this
 * thread at most `ms` milliseconds (0: only try). A recursive lock
 * already owned by the caller counts one more level.
 */
export function lockAcquireSync(
  c: ShmCell,
  pid: number,
  tid: number,
  recursive: boolean,
  ms: number,
): boolean {
  // The uncontended path allocates nothing: one compare-and-swap.
  const r = _lockTake(c, pid, tid, 1);
  if (r === true) return true;
  if (recursive && r === pid && lockIsOwner(c, pid, tid)) {
    c.i32[c.w + LockWord.Count]++;
    return true;
  }
  if (ms <= 0) return false;
  return _runSync(
    c,
    LockWord.Owner,
    ms,
    () => _lockTake(c, pid, tid, 1),
    _lockStale(c, pid, tid, 1),
    r,
  );
}

/**
 * The async form of {@linkcode lockAcquireSync}; `count` is the recursion
 * count to take it with (a Condition's waiter takes back all its levels),
 * and `live` (for the server) stops the wait when its client is gone.
 */
export function lockAcquire(
  c: ShmCell,
  pid: number,
  tid: number,
  recursive: boolean,
  ms: number,
  count = 1,
  live: (() => boolean) | null = null,
  keep: unknown = null,
): Promise<boolean> {
  const r = _lockTake(c, pid, tid, count);
  if (r === true) return Promise.resolve(true);
  if (recursive && count === 1 && r === pid && lockIsOwner(c, pid, tid)) {
    c.i32[c.w + LockWord.Count]++;
    return Promise.resolve(true);
  }
  if (ms <= 0) return Promise.resolve(false);
  const attempt = () => _lockTake(c, pid, tid, count);
  return _runAsync(
    c,
    LockWord.Owner,
    ms,
    attempt,
    _lockStale(c, pid, tid, count),
    live,
    r,
    keep,
  );
}

function _lockFree(c: ShmCell): void {
  const i32 = c.i32;
  const w = c.w;
  Atomics.store(i32, w + LockWord.Tid, 0);
  i32[w + LockWord.Count] = 0;
  Atomics.store(i32, w + LockWord.Owner, 0);
  if (Atomics.load(i32, w + LockWord.Waiters) > 0) {
    c.ffi.wake(c.addr(LockWord.Owner), 1);
  }
}

/**
 * Releases one level (an RLock, which only its owner may release) or the
 * lock (a Lock, which anyone may release).
 *
 * @throws {RuntimeError} "cannot release un-acquired lock" (an RLock not owned by the caller).
 * @throws {ValueError} "semaphore or lock released too many times" (a Lock not held).
 */
export function lockRelease(
  c: ShmCell,
  pid: number,
  tid: number,
  recursive: boolean,
): void {
  if (recursive) {
    if (!lockIsOwner(c, pid, tid)) {
      throw new RuntimeError("cannot release un-acquired lock");
    }
    if (--c.i32[c.w + LockWord.Count] > 0) return;
  } else if (Atomics.load(c.i32, c.w + LockWord.Owner) <= 0) {
    throw new ValueError("semaphore or lock released too many times");
  }
  _lockFree(c);
}

/**
 * Releases every level for a Condition's wait; returns the count to take
 * back.
 *
 * @throws {RuntimeError} "cannot WHAT on un-acquired lock".
 */
export function lockReleaseAll(
  c: ShmCell,
  pid: number,
  tid: number,
  what: string,
): number {
  if (!lockIsOwner(c, pid, tid)) {
    throw new RuntimeError(`cannot ${what} on un-acquired lock`);
  }
  const n = c.i32[c.w + LockWord.Count];
  _lockFree(c);
  return n;
}

/** Frees the lock if process `pid` (which has exited) holds it. */
export function lockFreeDead(c: ShmCell, pid: number): void {
  const i32 = c.i32;
  // -1 first, so nobody takes the lock before its owner's words are cleared.
  if (Atomics.compareExchange(i32, c.w + LockWord.Owner, pid, -1) !== pid) {
    return;
  }
  _lockFree(c);
}

// ---------------------------------------------------------------------------
// Semaphore

function _semTake(c: ShmCell): true | number {
  const i32 = c.i32;
  const w = c.w;
  for (;;) {
    const v = Atomics.load(i32, w);
    if (v <= 0) return 0;
    if (Atomics.compareExchange(i32, w, v, v - 1) === v) return true;
  }
}

/** The number of free slots. */
export function semValue(c: ShmCell): number {
  return Atomics.load(c.i32, c.w + SemWord.Value);
}

/** Takes a slot, blocking this thread at most `ms` milliseconds. */
export function semAcquireSync(c: ShmCell, ms: number): boolean {
  const r = _semTake(c);
  if (r === true || ms <= 0) return r === true;
  return _runSync(c, SemWord.Value, ms, () => _semTake(c), null, r);
}

/** The async form of {@linkcode semAcquireSync}. */
export function semAcquire(
  c: ShmCell,
  ms: number,
  live: (() => boolean) | null = null,
  keep: unknown = null,
): Promise<boolean> {
  const r = _semTake(c);
  if (r === true) return Promise.resolve(true);
  if (ms <= 0) return Promise.resolve(false);
  return _runAsync(
    c,
    SemWord.Value,
    ms,
    () => _semTake(c),
    null,
    live,
    r,
    keep,
  );
}

/**
 * Gives back `n` slots and wakes as many sleepers.
 *
 * @throws {ValueError} "semaphore or lock released too many times" (above `bound`).
 */
export function semRelease(c: ShmCell, n: number, bound: number | null): void {
  const i32 = c.i32;
  const w = c.w;
  for (;;) {
    const v = Atomics.load(i32, w);
    if (bound !== null && v + n > bound) {
      throw new ValueError("semaphore or lock released too many times");
    }
    if (Atomics.compareExchange(i32, w, v, v + n) === v) break;
  }
  if (Atomics.load(i32, w + SemWord.Waiters) > 0) {
    c.ffi.wake(c.addr(SemWord.Value), n);
  }
}

/** Sets the initial value of a new semaphore's block. */
export function semInit(c: ShmCell, value: number): void {
  Atomics.store(c.i32, c.w + SemWord.Value, value);
}

// ---------------------------------------------------------------------------
// Event

/** Whether the flag is set. */
export function eventIsSet(c: ShmCell): boolean {
  return Atomics.load(c.i32, c.w + EventWord.Flag) === 1;
}

/** Sets the flag and wakes every waiter. */
export function eventSet(c: ShmCell): void {
  const i32 = c.i32;
  const w = c.w;
  Atomics.store(i32, w + EventWord.Flag, 1);
  Atomics.add(i32, w + EventWord.Seq, 1);
  if (Atomics.load(i32, w + EventWord.Waiters) > 0) {
    c.ffi.wake(c.addr(EventWord.Seq), 0x7fffffff);
  }
}

/** Resets the flag. */
export function eventClear(c: ShmCell): void {
  Atomics.store(c.i32, c.w + EventWord.Flag, 0);
}

/** What an event wait sleeps on: `true` when set, else the `Seq` value to sleep on. */
function _eventStart(c: ShmCell): true | number {
  const i32 = c.i32;
  const w = c.w;
  const g = Atomics.load(i32, w + EventWord.Seq);
  // Read `Seq` before `Flag`: a set() after this read changes `Seq`.
  return Atomics.load(i32, w + EventWord.Flag) === 1 ? true : g;
}

/** Waits until the flag is set (or was set during the wait), blocking this thread at most `ms` ms. */
export function eventWaitSync(c: ShmCell, ms: number): boolean {
  const g = _eventStart(c);
  if (g === true) return true;
  return _runSync(
    c,
    EventWord.Seq,
    ms,
    () => Atomics.load(c.i32, c.w + EventWord.Seq) !== g ? true : g,
    null,
  ) || eventIsSet(c);
}

/** The async form of {@linkcode eventWaitSync}. */
export function eventWait(
  c: ShmCell,
  ms: number,
  live: (() => boolean) | null = null,
  keep: unknown = null,
): Promise<boolean> {
  const g = _eventStart(c);
  if (g === true) return Promise.resolve(true);
  if (ms <= 0) return Promise.resolve(false);
  return _runAsync(
    c,
    EventWord.Seq,
    ms,
    () => Atomics.load(c.i32, c.w + EventWord.Seq) !== g ? true : g,
    null,
    live,
    g,
    keep,
  ).then((r) => r || eventIsSet(c));
}
