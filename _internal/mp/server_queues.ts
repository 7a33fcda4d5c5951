/**
 * The state of Queue, JoinableQueue and SimpleQueue: in the server's memory
 * ({@linkcode QueueState}), or a queue of the queue module in shared memory
 * of the thread this server serves ({@linkcode SabQueueState}).
 *
 * Design: docs/design/mp_server.md
 *
 * @module
 */
import { Deque } from "../core/deque.ts";
import { ValueError } from "../core/errors.ts";
import { type Call, PENDING } from "./server_call.ts";
import { namedError, SharedState, waitMs } from "./server_state.ts";

/** Queue, JoinableQueue and SimpleQueue: items, blocked getters and putters, unfinished tasks. */
export class QueueState extends SharedState {
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

  /** `put`: adds `item` now, or parks `c` until there is room (Full on timeout). */
  #put(c: Call, item: unknown, timeout: unknown): unknown {
    if (!this.#full()) {
      this.#add(item);
      return null;
    }
    const ms = waitMs(timeout);
    if (ms <= 0) throw namedError("Full");
    const p = { c, item };
    this.#putters.push(p);
    c.park(ms, () => {
      this.#putters.remove(p);
      c.fail(namedError("Full"));
    }, () => this.#putters.remove(p));
    return PENDING;
  }

  /** `get`: replies with the first item now, or parks `c` until one comes (Empty on timeout). */
  #get(c: Call, timeout: unknown): unknown {
    if (this.#items.length > 0) {
      const item = this.#items.shift();
      if (!c.reply(item)) this.#items.unshift(item);
      this.#admitPutters();
      return PENDING;
    }
    const ms = waitMs(timeout);
    if (ms <= 0) throw namedError("Empty");
    this.#getters.push(c);
    c.park(ms, () => {
      this.#getters.remove(c);
      c.fail(namedError("Empty"));
    }, () => this.#getters.remove(c));
    return PENDING;
  }

  op(c: Call, m: string, a: unknown[]): unknown {
    switch (m) {
      case "put":
        return this.#put(c, a[0], a[1]);
      case "putMany": {
        // Unbounded queues only: the client checks.
        for (const item of a[0] as unknown[]) this.#add(item);
        return null;
      }
      case "get":
        return this.#get(c, a[0]);
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
        const ms = waitMs(a[0]);
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
export class SabQueueState extends SharedState {
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
        c.fail(namedError("Empty"));
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
        c.fail(namedError("Full"));
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
          if ((err as Error)?.name !== "Full" || waitMs(a[1]) <= 0) throw err;
        }
        void this.#putSliced(c, a[0], waitMs(a[1]));
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
          if ((err as Error)?.name !== "Empty" || waitMs(a[0]) <= 0) throw err;
          void this.#getSliced(c, waitMs(a[0]));
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
        if (waitMs(a[0]) <= 0) return false;
        void this.#joinSliced(c, waitMs(a[0]));
        return PENDING;
      case "snapshot":
        return this.q.queue;
    }
    throw new TypeError(`Queue has no method ${m}`);
  }
}
