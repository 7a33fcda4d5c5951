/**
 * Python's blocking `put` and `get`, once each, as a Promise and as a
 * blocking call: they take the lock around each step of the core, wait
 * without it, and copy large items in and out with the lock released.
 *
 * @module
 */
import { keepPrepared, type Prepared, prepareItem } from "./_item_codec.ts";
import { type BlockOptions, deadlineFor, waitMs } from "./_options.ts";
import { Empty, Full } from "./errors.ts";
import {
  LARGE,
  NAP_SYNC_MS,
  type QueueCore,
  RETRY,
  SHORT_STRING,
  SPIN_ASYNC_MS,
  SPIN_SYNC_MS,
} from "./_core.ts";
import {
  type Deadline,
  overflows,
  timeoutOverflow,
} from "../_internal/core/time.ts";

/** What `waitOrOverflowMs` gives for a timeout above `TIMEOUT_MAX`. */
export const OVERFLOW_MS = -1;

/**
 * `waitMs`, except that a blocking call with a timeout above `TIMEOUT_MAX`
 * (`Infinity` included) gives `OVERFLOW_MS`: as CPython's, get and put then
 * take an item or room that is there at once, and throw `OverflowError`
 * only where they would have to wait.
 */
export function waitOrOverflowMs(options: BlockOptions | undefined): number {
  if (
    options !== null && typeof options === "object" &&
    options.block !== false && overflows(options.timeout)
  ) return OVERFLOW_MS;
  return waitMs(options);
}

function _overflow(err: unknown, none: typeof Empty | typeof Full): never {
  throw err instanceof none ? timeoutOverflow() : err;
}

/** What is left of a get's wait for another `getBegin` (see `RETRY`). */
function _left(ms: number, deadline: Deadline | null): number {
  return deadline ? Math.max(deadline.remainingMs(), 0) : ms;
}

let _sink = 0;

/** A pause of a microsecond or so, while a lock-free put finishes writing. */
function _pause(): void {
  for (let i = 0; i < 400; i++) _sink = (_sink * 1103515245 + 12345) | 0;
}

/** `get`, blocking this thread; `ms` as from `waitMs`. */
export function getSync(c: QueueCore, ms: number): unknown {
  if (ms === OVERFLOW_MS) {
    try {
      return getSync(c, 0);
    } catch (err) {
      _overflow(err, Empty);
    }
  }
  if (c.tryFastGet()) return c.result();
  const deadline = deadlineFor(ms);
  const s = c.s;
  if (ms > 0 && c.looksEmpty()) {
    c.spin(true, SPIN_SYNC_MS);
    if (c.tryFastGet()) return c.result();
  }
  s.lockSync();
  let r: number;
  try {
    r = c.getBegin(ms);
  } finally {
    s.unlock();
  }
  while (r !== -1) {
    if (r === RETRY) _pause();
    else c.waitSlotSync(r, deadline);
    s.lockSync();
    try {
      r = r === RETRY ? c.getBegin(_left(ms, deadline)) : c.getAfterWait(r);
    } finally {
      s.unlock();
    }
  }
  const large = c.takeLarge();
  try {
    return c.result(large);
  } finally {
    if (large >= 0) {
      s.lockSync();
      try {
        c.releaseLarge(large);
      } finally {
        s.unlock();
      }
    }
  }
}

/** `get`, without blocking the event loop. */
export async function getAsync(c: QueueCore, ms: number): Promise<unknown> {
  if (ms === OVERFLOW_MS) {
    try {
      return await getAsync(c, 0);
    } catch (err) {
      _overflow(err, Empty);
    }
  }
  if (c.tryFastGet()) return c.result();
  const deadline = deadlineFor(ms);
  const s = c.s;
  if (ms > 0 && c.looksEmpty()) {
    c.spin(true, SPIN_ASYNC_MS);
    if (c.tryFastGet()) return c.result();
  }
  let l = s.lockAsync();
  if (l !== true) await l;
  let r: number;
  try {
    r = c.getBegin(ms);
  } finally {
    s.unlock();
  }
  while (r !== -1) {
    if (r === RETRY) _pause();
    else await c.waitSlotAsync(r, deadline);
    l = s.lockAsync();
    if (l !== true) await l;
    try {
      r = r === RETRY ? c.getBegin(_left(ms, deadline)) : c.getAfterWait(r);
    } finally {
      s.unlock();
    }
  }
  // Take the item before anything else can run in this thread.
  const large = c.takeLarge();
  try {
    return c.result(large);
  } finally {
    if (large >= 0) {
      l = s.lockAsync();
      if (l !== true) await l;
      try {
        c.releaseLarge(large);
      } finally {
        s.unlock();
      }
    }
  }
}

/** Writes a large item into a record of its own, the lock released for the copy. */
function _reserveSync(c: QueueCore, p: Prepared): number {
  const s = c.s;
  s.lockSync();
  let ref: number;
  try {
    ref = c.reserve(p);
  } finally {
    s.unlock();
  }
  c.copyIn(ref, p);
  return ref;
}

/** `put`, blocking this thread. */
export function putSync(c: QueueCore, item: unknown, ms: number): void {
  if (ms === OVERFLOW_MS) {
    try {
      return putSync(c, item, 0);
    } catch (err) {
      _overflow(err, Full);
    }
  }
  const s = c.s;
  // A short string skips prepareItem's scratch copy when the ring takes it.
  const short = typeof item === "string" && item.length <= SHORT_STRING;
  let p = short ? undefined : prepareItem(item);
  const fast = short
    ? c.tryFastPutString(item, SPIN_SYNC_MS, NAP_SYNC_MS)
    : c.tryFastPut(item, p, SPIN_SYNC_MS, NAP_SYNC_MS);
  if (fast !== 0) {
    if (fast === 2) {
      s.lockSync();
      try {
        c.serve();
      } finally {
        s.unlock();
      }
    }
    return;
  }
  if (short) p = prepareItem(item);
  const deadline = deadlineFor(ms);
  const ref = p !== undefined && p.length >= LARGE ? _reserveSync(c, p) : -1;
  if (ms > 0 && c.looksFull()) c.spin(false, SPIN_SYNC_MS);
  s.lockSync();
  let r: number;
  try {
    r = ref >= 0 ? c.putBeginRef(item, ref, ms) : c.putBegin(item, p, ms, true);
  } finally {
    s.unlock();
  }
  // The ring is full (or items wait in the overflow): while consumers keep
  // freeing slots, wait for them rather than make every put the slow way.
  while (r === RETRY) {
    const wait = c.waitRoom(SPIN_SYNC_MS, NAP_SYNC_MS);
    s.lockSync();
    try {
      r = c.putBegin(item, p, ms, wait);
    } finally {
      s.unlock();
    }
  }
  while (r >= 0) {
    c.waitSlotSync(r, deadline);
    s.lockSync();
    try {
      r = c.putAfterWait(r, item);
    } finally {
      s.unlock();
    }
  }
}

/** `put`, without blocking the event loop. */
export async function putAsync(
  c: QueueCore,
  item: unknown,
  ms: number,
): Promise<void> {
  if (ms === OVERFLOW_MS) {
    try {
      return await putAsync(c, item, 0);
    } catch (err) {
      _overflow(err, Full);
    }
  }
  let p = prepareItem(item);
  const s = c.s;
  const fast = c.tryFastPut(item, p, SPIN_ASYNC_MS, 0);
  if (fast !== 0) {
    if (fast === 2) {
      const l = s.lockAsync();
      if (l !== true) await l;
      try {
        c.serve();
      } finally {
        s.unlock();
      }
    }
    return;
  }
  const deadline = deadlineFor(ms);
  let ref = -1;
  if (p !== undefined && p.length >= LARGE) {
    // The caller's buffer is copied into the record before anything else
    // can run in this thread (or the lock is awaited on a private copy).
    let l = s.lockAsync();
    if (l !== true) {
      p = keepPrepared(p)!;
      await l;
    }
    try {
      ref = c.reserve(p);
    } finally {
      s.unlock();
    }
    c.copyIn(ref, p);
    if (ms > 0 && c.looksFull()) c.spin(false, SPIN_ASYNC_MS);
    l = s.lockAsync();
    if (l !== true) await l;
  } else {
    if (ms > 0 && c.looksFull()) c.spin(false, SPIN_ASYNC_MS);
    const l = s.lockAsync();
    if (l !== true) {
      p = keepPrepared(p);
      await l;
    }
  }
  let r: number;
  try {
    r = ref >= 0 ? c.putBeginRef(item, ref, ms) : c.putBegin(item, p, ms);
  } finally {
    s.unlock();
  }
  while (r >= 0) {
    await c.waitSlotAsync(r, deadline);
    const l = s.lockAsync();
    if (l !== true) await l;
    try {
      r = c.putAfterWait(r, item);
    } finally {
      s.unlock();
    }
  }
}
