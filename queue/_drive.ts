// The four blocking operations, once: put and get, each as a Promise and as
// a blocking call. They take the lock around each step of the core, wait
// without it, and copy large items in and out with the lock released.
import { keepPrepared, type Prepared, prepareItem } from "./_items.ts";
import { deadlineFor } from "./_options.ts";
import { LARGE, type QueueCore, SPIN_ASYNC_MS, SPIN_SYNC_MS } from "./_core.ts";

/** `get`, blocking this thread; `ms` as from `waitMs`. */
export function getSync(c: QueueCore, ms: number): unknown {
  const deadline = deadlineFor(ms);
  const s = c.s;
  if (ms > 0 && c.looksEmpty()) c.spin(true, SPIN_SYNC_MS);
  s.lockSync();
  let r: number;
  try {
    r = c.getBegin(ms);
  } finally {
    s.unlock();
  }
  while (r >= 0) {
    c.waitSlotSync(r, deadline);
    s.lockSync();
    try {
      r = c.getAfterWait(r);
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
  const deadline = deadlineFor(ms);
  const s = c.s;
  if (ms > 0 && c.looksEmpty()) c.spin(true, SPIN_ASYNC_MS);
  let l = s.lockAsync();
  if (l !== true) await l;
  let r: number;
  try {
    r = c.getBegin(ms);
  } finally {
    s.unlock();
  }
  while (r >= 0) {
    await c.waitSlotAsync(r, deadline);
    l = s.lockAsync();
    if (l !== true) await l;
    try {
      r = c.getAfterWait(r);
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
  const deadline = deadlineFor(ms);
  const p = prepareItem(item);
  const s = c.s;
  const ref = p !== undefined && p.length >= LARGE ? _reserveSync(c, p) : -1;
  if (ms > 0 && c.looksFull()) c.spin(false, SPIN_SYNC_MS);
  s.lockSync();
  let r: number;
  try {
    r = ref >= 0 ? c.putBeginRef(item, ref, ms) : c.putBegin(item, p, ms);
  } finally {
    s.unlock();
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
  const deadline = deadlineFor(ms);
  let p = prepareItem(item);
  const s = c.s;
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
