/**
 * The scheduling core shared by ThreadPoolExecutor and ProcessPoolExecutor:
 * the queue of work, batching per worker, replies, liveness, breakage and
 * shutdown. The executors supply the workers ("slots") and the errors.
 *
 * @module
 */
import { Deque } from "../_internal/core/deque.ts";
import { type ErrorRecord, recordToError } from "../_internal/share/codec.ts";
import { decode } from "../_internal/share/codec.ts";
import {
  type PoolReply,
  ResultFlag,
  type RunMessage,
} from "../_internal/pool/protocol.ts";
import type { TargetSpec } from "../_internal/share/target.ts";
import type { BrokenExecutor } from "./errors.ts";
import type { Future } from "./future.ts";

/** One queued or running task. */
export interface _Item {
  id: number;
  /** The estimated cost, in milliseconds, when it was sent. */
  est: number;
  /** Whether the future was marked running (a task put back in the queue). */
  started: boolean;
  future: Future<unknown>;
  fn: number;
  args: unknown;
  flags: number;
  transfer: Transferable[] | null;
  /** How many items it carries (a map chunk's length; 1 for a plain task). */
  size: number;
}

/** A worker or child process as the dispatcher sees it. */
export interface _Slot {
  /** Tasks sent and not yet answered. */
  inflight: number;
  /** The estimated milliseconds of work sent and unanswered. */
  inflightMs: number;
  /** Target ids it already knows. */
  known: Set<number>;
  /** Whether it is being stopped on purpose. */
  stopping: boolean;
  /** Whether its initializer ran (it said "ready"). */
  ready: boolean;
  /** Tasks sent to it in its life (for maxTasksPerChild). */
  sent: number;
  /** Sends a batch; throws when a value cannot be sent. */
  send(msg: RunMessage, transfer: Transferable[]): void;
  /** Keeps the program alive while it works. */
  ref(): void;
  /** Lets the program end while it idles. */
  unref(): void;
  /** Stops it (at once with `force`); resolves once it is gone. */
  stop(force: boolean): Promise<void>;
  /**
   * Ends it at once, whatever it is running: a process with SIGTERM (or
   * SIGKILL with `kill`), a worker with `terminate()`. Resolves once it is
   * gone. Without it, `stop(true)` does.
   */
  end?(kill: boolean): Promise<void>;
}

/** What an executor plugs into the dispatcher. */
export interface _DispatcherHost {
  /** The most slots to run at once. */
  maxWorkers: number;
  /** Starts slot number `index`; it reports back through the dispatcher. */
  spawn(index: number): _Slot;
  /** The error for futures when a slot dies. */
  crashed(detail: string): BrokenExecutor;
  /** The error for futures when an initializer fails. */
  initFailed(cause: unknown): BrokenExecutor;
  /** Whether replies may carry shareable objects to decode. */
  sharedResults: boolean;
  /** The most tasks in one batch. */
  maxBatch: number;
  /** Tasks a slot runs before it is replaced by a fresh one (Infinity: never). */
  maxTasksPerSlot: number;
}

// Batch sizing. Each target's cost per task is learned from the workers'
// replies. One message carries about _BATCH_MS of work (hundreds of tiny
// tasks, or a single slow one), and a slot holds at most two messages'
// worth, so it starts on the next batch while the reply to the last one
// travels. A target of unknown cost, or one that takes _BATCH_MS or more,
// is sent one task at a time to an idle slot: long tasks spread evenly over
// the workers and a queued task stays cancellable, as in Python.
const _BATCH_MS = 1;
// A message carries at most about this many items of map chunks (a bigger
// chunk goes alone): a worker starts on its first chunk while the next one
// is still on the way, and its results come back while it runs the next.
const _BATCH_ITEMS = 4096;

/** Schedules tasks onto slots. */
export class _Dispatcher {
  #host: _DispatcherHost;
  #queue = new Deque<_Item>();
  #running = new Map<number, { item: _Item; slot: _Slot }>();
  #slots: _Slot[] = [];
  /** Every slot started and not yet exited, retiring ones included. */
  #live = new Set<_Slot>();
  #spawned = 0;
  #nextTaskId = 1;
  #fnIds = new Map<string, number>();
  #specs: TargetSpec[] = [];
  #scheduled = false;
  /** Estimated milliseconds per task, by target id (Infinity: unknown). */
  #est: number[] = [];
  /** The most tasks one slot takes in one pass of #fill. */
  #share = 0;
  #shutdown = false;
  #broken: BrokenExecutor | null = null;
  #idleWaiters: (() => void)[] = [];
  #stopping = new Set<Promise<void>>();

  constructor(host: _DispatcherHost) {
    this.#host = host;
  }

  /** The error of a broken pool, or null. */
  get broken(): BrokenExecutor | null {
    return this.#broken;
  }

  /** Tasks queued or running. */
  get pending(): number {
    return this.#queue.length + this.#running.size;
  }

  /** The id of a target, assigning one on first sight. */
  targetId(spec: TargetSpec): number {
    const key = spec.kind === "fn"
      ? spec.source
      : `${spec.name}\u0000${spec.url}`;
    let id = this.#fnIds.get(key);
    if (id === undefined) {
      id = this.#specs.push(spec);
      this.#fnIds.set(key, id);
    }
    return id;
  }

  /** Queues a task. */
  add(
    future: Future<unknown>,
    fn: number,
    args: unknown,
    flags: number,
    transfer: Transferable[] | null,
    size = 1,
  ): void {
    const item: _Item = {
      id: this.#nextTaskId++,
      est: 0,
      started: false,
      future,
      fn,
      args,
      flags,
      transfer,
      size,
    };
    this.#queue.push(item);
    if (!this.#scheduled) {
      this.#scheduled = true;
      queueMicrotask(() => this.#flush());
    } else if ((this.#queue.length & 255) === 0) {
      // A long synchronous submit loop: start the workers on what is
      // queued already, instead of after the loop.
      this.#fill();
    }
  }

  #flush(): void {
    this.#scheduled = false;
    this.#fill();
  }

  #fill(): void {
    if (this.#broken) return;
    // Spread a short queue over the workers instead of filling the first.
    this.#share = Math.ceil(this.#queue.length / this.#host.maxWorkers);
    for (const slot of this.#slots) {
      if (this.#queue.length === 0) return;
      this.#feed(slot);
    }
    while (this.#queue.length > 0 && this.#spawned < this.#host.maxWorkers) {
      let slot: _Slot;
      try {
        slot = this.#host.spawn(this.#spawned);
      } catch (err) {
        // A worker that cannot even start (Deno's NotCapable for a missing
        // permission): the queued tasks fail with that error, and the pool
        // stays usable for when the cause is gone.
        this.#failQueued(err);
        return;
      }
      this.#spawned++;
      this.#slots.push(slot);
      this.#live.add(slot);
      this.#feed(slot);
    }
  }

  #failQueued(err: unknown): void {
    let item: _Item | undefined;
    while ((item = this.#queue.shift())) {
      if (!item.future.done()) item.future.setException(err);
    }
    this.#checkIdle();
  }

  #estimate(fn: number): number {
    return this.#est[fn] ?? Infinity;
  }

  /**
   * Sends a slot work, if it has room: one batch, or several when big map
   * chunks were cut into messages of their own (see _BATCH_ITEMS).
   */
  #feed(slot: _Slot): void {
    let share = this.#share;
    while (share > 0) {
      const [sent, cut] = this.#feedOne(slot, share);
      share -= sent;
      if (!cut) return;
    }
  }

  /**
   * Sends a slot one batch of at most `share` tasks, if it has room for
   * one. Returns how many tasks went, and whether the batch was cut short
   * by its item count alone (more may follow at once).
   */
  #feedOne(slot: _Slot, share: number): [number, boolean] {
    if (slot.stopping) return [0, false];
    if (slot.inflight > 0 && slot.inflightMs >= _BATCH_MS) return [0, false];
    const limit = Math.min(
      this.#host.maxBatch,
      share,
      this.#host.maxTasksPerSlot - slot.sent,
    );
    const ids: number[] = [];
    const fns: number[] = [];
    const args: unknown[] = [];
    const flags: number[] = [];
    let defs: [number, TargetSpec][] | null = null;
    let transfer: Transferable[] | null = null;
    const items: _Item[] = [];
    let ms = 0;
    let size = 0;
    let cut = false;
    while (ids.length < limit) {
      const item = this.#queue.peek();
      if (!item) break;
      const est = this.#estimate(item.fn);
      if (
        ids.length > 0 || slot.inflight > 0 ? ms + est > _BATCH_MS : false
      ) break;
      if (ids.length > 0 && size + item.size > _BATCH_ITEMS) {
        cut = true;
        break;
      }
      this.#queue.shift();
      // A task cancelled while queued is dropped here, never run.
      if (!item.started && !item.future.setRunningOrNotifyCancel()) continue;
      item.started = true;
      // Capped so sums stay finite (Infinity - Infinity is NaN).
      item.est = Math.min(est, 1e6);
      ms += est;
      size += item.size;
      items.push(item);
      ids.push(item.id);
      fns.push(item.fn);
      args.push(item.args);
      flags.push(item.flags);
      if (!slot.known.has(item.fn)) {
        slot.known.add(item.fn);
        (defs ??= []).push([item.fn, this.#specs[item.fn - 1]]);
      }
      if (item.transfer) (transfer ??= []).push(...item.transfer);
    }
    if (items.length === 0) return [0, false];
    const msg: RunMessage = { type: "run", ids, fns, args, flags, defs };
    try {
      slot.send(msg, transfer ?? []);
    } catch (err) {
      this.#sendOneByOne(slot, items, defs, err);
      return [items.length, false];
    }
    this.#track(slot, items);
    return [items.length, cut];
  }

  #track(slot: _Slot, items: _Item[]): void {
    if (slot.inflight === 0) slot.ref();
    slot.sent += items.length;
    slot.inflight += items.length;
    for (const item of items) {
      slot.inflightMs += item.est;
      this.#running.set(item.id, { item, slot });
    }
  }

  /** A batch could not be sent: send each task alone and fail those that cannot go. */
  #sendOneByOne(
    slot: _Slot,
    items: _Item[],
    defs: [number, TargetSpec][] | null,
    _err: unknown,
  ): void {
    for (const item of items) {
      const msg: RunMessage = {
        type: "run",
        ids: [item.id],
        fns: [item.fn],
        args: [item.args],
        flags: [item.flags],
        defs,
      };
      try {
        slot.send(msg, item.transfer ?? []);
        defs = null;
      } catch (err) {
        item.future.setException(err);
        continue;
      }
      this.#track(slot, [item]);
    }
  }

  /** Handles a message from a slot. */
  onReply(slot: _Slot, msg: PoolReply): void {
    if (msg.type === "done") {
      this.#done(slot, msg.ids, msg.values, msg.flags, msg.busyMs);
    } else if (msg.type === "init-failed" && !this.#broken) {
      this.#break(this.#host.initFailed(recordToError(msg.error)));
    }
  }

  #done(
    slot: _Slot,
    ids: number[],
    values: unknown[],
    flags: number[],
    busyMs: number,
  ): void {
    const per = busyMs / ids.length;
    const settled: [Future<unknown>, number, unknown][] = [];
    for (let i = 0; i < ids.length; i++) {
      const entry = this.#running.get(ids[i]);
      if (!entry) continue; // failed already when the pool broke
      this.#running.delete(ids[i]);
      slot.inflight--;
      const { fn, est } = entry.item;
      slot.inflightMs = slot.inflight === 0 ? 0 : slot.inflightMs - est;
      const known = this.#est[fn];
      this.#est[fn] = known === undefined ? per : (known + per) / 2;
      settled.push([entry.item.future, flags[i], values[i]]);
    }
    if (slot.sent >= this.#host.maxTasksPerSlot && slot.inflight === 0) {
      this.#retire(slot);
    }
    // Give the slot more work before running callbacks, so it never idles
    // while the program looks at results.
    if (this.#queue.length > 0) this.#fill();
    if (slot.inflight === 0) slot.unref();
    for (const [future, flag, value] of settled) {
      if (flag === ResultFlag.Error) {
        future.setException(recordToError(value as ErrorRecord));
      } else if (flag === ResultFlag.Shared) {
        // Errors and registered classes come back from any pool; live
        // handles only from one whose host takes them.
        decode({ value, shared: true }, this.#host.sharedResults).then(
          (v) => future.setResult(v),
          (e) => future.setException(e),
        );
      } else future.setResult(value);
    }
    this.#checkIdle();
  }

  /**
   * Handles an error that is ending a slot (a runtime that would not let
   * the worker survive an uncaught error): the task it was running fails
   * with that error, the tasks queued behind it go back to the pool's queue,
   * and a new slot takes its place. Before the slot was ready (its
   * initializer or start-up failed) the pool breaks instead.
   */
  onCrash(slot: _Slot, err: unknown): void {
    if (slot.stopping || this.#broken) return;
    if (!slot.ready) {
      this.#break(this.#host.initFailed(err));
      return;
    }
    slot.stopping = true;
    const i = this.#slots.indexOf(slot);
    if (i >= 0) this.#slots.splice(i, 1);
    this.#spawned--;
    const mine: _Item[] = [];
    for (const [id, entry] of this.#running) {
      if (entry.slot !== slot) continue;
      this.#running.delete(id);
      mine.push(entry.item);
    }
    slot.inflight = 0;
    slot.inflightMs = 0;
    void slot.stop(true);
    for (let k = mine.length - 1; k >= 1; k--) this.#queue.unshift(mine[k]);
    if (mine.length) mine[0].future.setException(err);
    else console.error(err);
    this.#fill();
    this.#checkIdle();
  }

  /** Replaces a slot that ran its share of tasks (maxTasksPerChild). */
  #retire(slot: _Slot): void {
    slot.stopping = true;
    const i = this.#slots.indexOf(slot);
    if (i >= 0) this.#slots.splice(i, 1);
    this.#spawned--;
    this.#trackStop(slot.stop(false));
  }

  /** Handles a slot that ended; unless it was stopped on purpose, the pool breaks. */
  onExit(slot: _Slot, detail: string): void {
    this.#live.delete(slot);
    const i = this.#slots.indexOf(slot);
    if (i >= 0) this.#slots.splice(i, 1);
    if (slot.stopping) return;
    this.#break(this.#host.crashed(detail));
  }

  /** Fails every queued and running task and stops every slot. */
  #break(err: BrokenExecutor): void {
    if (this.#broken) return;
    this.#broken = err;
    const futures: Future<unknown>[] = [];
    for (const { item } of this.#running.values()) futures.push(item.future);
    this.#running.clear();
    let item: _Item | undefined;
    while ((item = this.#queue.shift())) futures.push(item.future);
    this.#stopAll(true);
    for (const f of futures) {
      if (!f.done()) f.setException(err);
    }
    this.#checkIdle();
  }

  #stopAll(force: boolean): void {
    for (const slot of this.#slots) {
      if (slot.stopping) continue;
      slot.stopping = true;
      this.#trackStop(slot.stop(force));
    }
  }

  #trackStop(p: Promise<void>): void {
    this.#stopping.add(p);
    void p.finally(() => this.#stopping.delete(p));
  }

  /** Cancels every queued task; returns how many. */
  cancelQueued(): number {
    let n = 0;
    let item: _Item | undefined;
    while ((item = this.#queue.shift())) {
      if (item.future.cancel()) n++;
    }
    this.#checkIdle();
    return n;
  }

  /**
   * Ends every slot at once (`terminateWorkers`/`killWorkers`): the running
   * tasks fail with `err`, the queued ones are cancelled, no task is taken
   * any more, and every live slot is ended with {@linkcode _Slot.end}.
   * Resolves once every slot is gone.
   */
  terminate(err: BrokenExecutor, kill: boolean): Promise<void> {
    this.#shutdown = true;
    this.cancelQueued();
    const futures: Future<unknown>[] = [];
    for (const { item, slot } of this.#running.values()) {
      futures.push(item.future);
      slot.inflight = 0;
      slot.inflightMs = 0;
    }
    this.#running.clear();
    const ends: Promise<void>[] = [];
    for (const slot of this.#live) {
      slot.stopping = true;
      const p = slot.end ? slot.end(kill) : slot.stop(true);
      this.#trackStop(p);
      ends.push(p);
    }
    for (const f of futures) {
      if (!f.done()) f.setException(err);
    }
    this.#checkIdle();
    return Promise.all(ends).then(() => {});
  }

  /** No more tasks will come: stop the slots once the work is done. */
  shutdown(): void {
    this.#shutdown = true;
    this.#checkIdle();
  }

  #checkIdle(): void {
    if (!this.#shutdown && !this.#broken) return;
    if (this.pending > 0) return;
    this.#stopAll(false);
    const waiters = this.#idleWaiters;
    this.#idleWaiters = [];
    const stopping = Promise.all([...this.#stopping]);
    for (const w of waiters) void stopping.then(w);
  }

  /** Resolves once shut down, with all work done and every slot gone. */
  whenStopped(): Promise<void> {
    if ((this.#shutdown || this.#broken) && this.pending === 0) {
      return Promise.all([...this.#stopping]).then(() => {});
    }
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }
}
