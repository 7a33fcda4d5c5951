/**
 * The objects one multiprocessing server keeps, by id: building each on
 * first sight, counting who holds it (threads with a live handle, handles
 * in transit), freeing it when nobody does, and holding back the requests
 * about a queue whose handle has not arrived from the owning thread yet.
 *
 * Design: docs/design/mp_server.md
 *
 * @module
 */
import { RuntimeError } from "../core/errors.ts";
import type { ObjectInit } from "./wire.ts";
import type { SharedState } from "./server_state.ts";
import { ctors } from "./server_kinds.ts";
import { type LocalQueue, SabQueueState } from "./server_queues.ts";

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

/** Records that thread (or object) `key` holds object `oid`. */
export function addHolder(oid: number, key: string): void {
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
  threadGone(`o:${oid}`);
}

/** Records that `key` holds `oid` no more; frees it if nobody does. */
export function dropHolder(oid: number, key: string): void {
  const r = _refs.get(oid);
  _held.get(key)?.delete(oid);
  if (!r) return;
  r.holders.delete(key);
  _maybeFree(oid);
}

/** Drops every handle thread `key` held (its connections are all closed). */
export function threadGone(key: string): void {
  const oids = _held.get(key);
  _held.delete(key);
  for (const oid of oids ?? []) {
    const r = _refs.get(oid);
    if (!r) continue;
    r.holders.delete(key);
    _maybeFree(oid);
  }
}

/** A handle to `oid` is on its way to another process (`_share`). */
export function handleSent(oid: number): void {
  _refsOf(oid).transit++;
}

/** A handle to `oid` in transit has arrived (`_adopt`; maybe before its share). */
export function handleArrived(oid: number): void {
  _refsOf(oid).transit--;
}

/** Process `pid` has exited: every object releases what it held. */
export function pidGone(pid: number): void {
  for (const obj of objects.values()) obj.pidGone(pid);
}

/**
 * Thread `key` dropped its last handle to `oid` (`kind` is the kind the
 * client named; a shared-memory queue's release may come before the queue).
 */
export function decref(oid: number, key: string, kind: unknown): void {
  if (!objects.has(oid) && kind === "squeue") {
    let set = _earlyDecref.get(oid);
    if (!set) _earlyDecref.set(oid, set = new Set());
    set.add(key);
  }
  dropHolder(oid, key);
}

/** Whether a request about `oid` must wait for its handle from the owning thread. */
export function awaitsHandle(
  oid: number,
  init: ObjectInit | undefined,
): boolean {
  return !objects.has(oid) && (init?.k === "squeue" || _early.has(oid));
}

/** Runs `run` once the handle of `oid` has arrived (see {@linkcode adoptLocal}). */
export function whenAdopted(oid: number, run: () => void): void {
  let list = _early.get(oid);
  if (!list) _early.set(oid, list = []);
  list.push(run);
}

/** The object `oid`, built from `init` if this server has not seen it yet. */
export function lookup(oid: number, init: ObjectInit | undefined): SharedState {
  let obj = objects.get(oid);
  if (obj) return obj;
  if (!init) {
    throw new RuntimeError(`unknown shared object ${oid}`);
  }
  const ctor = ctors[init.k];
  if (!ctor) throw new TypeError(`unknown kind of shared object ${init.k}`);
  // An object built on another (a Condition's lock) holds it.
  obj = ctor(init.s as Record<string, unknown>, (o, i) => {
    const inner = lookup(o, i);
    addHolder(o, `o:${oid}`);
    return inner;
  });
  objects.set(oid, obj);
  return obj;
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
    } else addHolder(oid, holder);
  }
  _refsOf(oid);
  const waiting = _early.get(oid);
  _early.delete(oid);
  for (const run of waiting ?? []) run();
  _maybeFree(oid);
}
