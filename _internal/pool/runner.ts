/**
 * The task runner inside a pool worker or pool child process: resolves
 * targets once and caches them by id, runs the tasks of each
 * {@linkcode RunMessage} one after another (an async target is awaited
 * before the next task starts, so a worker runs one call at a time, as a
 * Python pool thread does), and sends the outcomes back in batches.
 *
 * The transport is not its business: the thread worker entry posts through
 * its port, the child process bootstrap writes frames to its channel.
 *
 * @module
 */
import {
  decode,
  encode,
  type Encoded,
  type EncodeOptions,
  type ErrorRecord,
  errorToRecord,
} from "../share/codec.ts";
import { allPrimitive, packNumbers } from "./flat_items.ts";
import { isMovable, moveUsed, unwrapMoves } from "./move.ts";
import {
  type DoneMessage,
  type ItemsResult,
  type PoolStartData,
  ResultFlag,
  type RunMessage,
  TaskFlag,
} from "./protocol.ts";
import { explainTargetError, resolveTarget } from "../share/target.ts";

// deno-lint-ignore no-explicit-any
type _Fn = (...args: any[]) => unknown;

/** What the codec's messages call a task's result. */
const _RESULT: EncodeOptions = { root: "result", to: "the caller" };

/** How a runner hands a batch of outcomes to its transport. */
export type PostDone = (msg: DoneMessage, transfer: Transferable[]) => void;

/** The record of a task's error, explained when a function target misread its scope. */
function _record(err: unknown): ErrorRecord {
  return errorToRecord(explainTargetError(err));
}

function _isThenable(v: unknown): v is PromiseLike<unknown> {
  return (typeof v === "object" && v !== null || typeof v === "function") &&
    typeof (v as PromiseLike<unknown>).then === "function";
}

/** Runs a pool's tasks inside one worker or child. */
export class PoolRunner {
  #post: PostDone;
  #fns = new Map<number, _Fn | { error: unknown }>();
  #inbox: RunMessage[] = [];
  #draining = false;
  #ready: Promise<boolean>;
  #markReady!: (ok: boolean) => void;
  // The outcomes not yet sent.
  #ids: number[] = [];
  #values: unknown[] = [];
  #flags: number[] = [];
  #transfer: Transferable[] = [];
  #since = 0;
  // The task being awaited, and how to fail it from an uncaught error.
  #current = 0;
  #abort: ((err: unknown) => void) | null = null;

  /** A runner that sends outcomes through `post`. */
  constructor(post: PostDone) {
    this.#post = post;
    this.#ready = new Promise((r) => this.#markReady = r);
  }

  /**
   * Runs the initializer, if any. Returns the error record when it threw;
   * tasks are then never run.
   */
  async init(data: PoolStartData): Promise<ErrorRecord | null> {
    try {
      if (data.initializer) {
        const fn = await resolveTarget(data.initializer, { bootstrap: true });
        const args = await decode(data.initargs) as unknown[];
        await fn(...args);
      }
    } catch (err) {
      this.#markReady(false);
      return _record(err);
    }
    this.#markReady(true);
    return null;
  }

  /** Queues a batch of tasks; they run after those already queued. */
  enqueue(msg: RunMessage): void {
    this.#inbox.push(msg);
    if (!this.#draining) void this.#drain();
  }

  /** Whether a task is running now. */
  get busy(): boolean {
    return this.#current !== 0;
  }

  /**
   * Fails the task being awaited with `err` (an uncaught error or unhandled
   * rejection that happened while it ran). Returns false when no task is
   * waiting, so the caller reports the error instead.
   */
  failCurrent(err: unknown): boolean {
    const abort = this.#abort;
    if (!abort) return false;
    this.#abort = null;
    abort(err);
    return true;
  }

  async #drain(): Promise<void> {
    this.#draining = true;
    try {
      if (!await this.#ready) {
        this.#inbox.length = 0;
        return;
      }
      let msg: RunMessage | undefined;
      while ((msg = this.#inbox.shift())) {
        await this.#runBatch(msg);
        // Outcomes go back once per incoming batch, or sooner when a task
        // awaits (see #runOne), so a slow task never holds fast results.
        this.#flush();
      }
    } finally {
      this.#draining = false;
    }
  }

  async #define(defs: [number, unknown][]): Promise<void> {
    for (const [id, spec] of defs) {
      try {
        this.#fns.set(
          id,
          await resolveTarget(spec as never, { bootstrap: true }),
        );
      } catch (error) {
        this.#fns.set(id, { error });
      }
    }
  }

  async #runBatch(msg: RunMessage): Promise<void> {
    if (msg.defs) await this.#define(msg.defs);
    if (this.#ids.length === 0) this.#since = performance.now();
    const { ids, fns, args, flags } = msg;
    for (let i = 0; i < ids.length; i++) {
      const fn = this.#fns.get(fns[i]);
      if (fn === undefined) {
        this.#fail(ids[i], new Error(`unknown target id ${fns[i]}`));
      } else if (typeof fn !== "function") this.#fail(ids[i], fn.error);
      else {
        const r = this.#runOne(ids[i], fn, args[i], flags[i]);
        if (r) await r;
      }
    }
  }

  /** Runs one task; returns a promise only when it has to wait. */
  #runOne(
    id: number,
    fn: _Fn,
    rawArgs: unknown,
    flags: number,
  ): Promise<void> | undefined {
    if (flags & TaskFlag.Shared) {
      return decode({ value: rawArgs, shared: true }).then(
        (a) => this.#runOne(id, fn, a, flags & ~TaskFlag.Shared),
        (err) => this.#fail(id, err),
      );
    }
    if (flags & TaskFlag.Items) {
      return this.#runItems(
        id,
        fn,
        rawArgs as ArrayLike<unknown>,
        (flags & TaskFlag.Star) !== 0,
      );
    }
    let result: unknown;
    try {
      if (flags & TaskFlag.Chunk) {
        const out = (rawArgs as unknown[][]).map((a) => fn(...a));
        result = out.some(_isThenable) ? Promise.all(out) : out;
      } else result = fn(...(rawArgs as unknown[]));
    } catch (err) {
      this.#fail(id, err);
      return;
    }
    if (!_isThenable(result)) {
      this.#ok(id, result);
      return;
    }
    return this.#await(id, result, (ok, v) => {
      if (ok) this.#ok(id, v);
      else this.#fail(id, v);
    }, null);
  }

  /**
   * Waits for a task's promise, sending what is ready first, then hands the
   * outcome to `store`. An uncaught error meanwhile (see
   * {@linkcode failCurrent}) settles the task at once: as a failure, or, when
   * `onAbort` is given, with the value `onAbort` makes of the error.
   */
  #await(
    id: number,
    result: PromiseLike<unknown>,
    store: (ok: boolean, v: unknown) => void,
    onAbort: ((err: unknown) => unknown) | null,
  ): Promise<void> {
    // Send what is ready before waiting on this one.
    this.#flush();
    this.#since = performance.now();
    this.#current = id;
    return new Promise<void>((resolve) => {
      let settled = false;
      const settle = (ok: boolean, v: unknown) => {
        if (settled) return;
        settled = true;
        this.#abort = null;
        this.#current = 0;
        store(ok, v);
        resolve();
      };
      this.#abort = onAbort
        ? (err) => settle(true, onAbort(err))
        : (err) => settle(false, err);
      result.then(
        (v) => settle(true, v),
        (e) => settle(false, e),
      );
    });
  }

  /**
   * Runs an `Items` task: `fn` over each item, one at a time (an async
   * target is awaited before the next item starts), stopping at the first
   * that throws. Settles the task with an {@linkcode ItemsResult}.
   */
  #runItems(
    id: number,
    fn: _Fn,
    items: ArrayLike<unknown>,
    star: boolean,
  ): Promise<void> | undefined {
    const out: unknown[] = [];
    const n = items.length;
    let i = 0;
    let pending: PromiseLike<unknown> | null = null;
    try {
      // Two loops, so the hot one makes a plain call.
      if (star) {
        for (; i < n; i++) {
          const r = fn(...(items[i] as unknown[]));
          if (_isThenable(r)) {
            pending = r;
            break;
          }
          out.push(r);
        }
      } else {
        for (; i < n; i++) {
          const r = fn(items[i]);
          if (_isThenable(r)) {
            pending = r;
            break;
          }
          out.push(r);
        }
      }
    } catch (err) {
      this.#okItems(id, out, _record(err));
      return;
    }
    if (pending === null) {
      this.#okItems(id, out, null);
      return;
    }
    // Item i returned a promise: go on asynchronously from there. An
    // uncaught error while an item is awaited stops the chunk at that item
    // (`stopped` keeps the loop from running the items after it).
    let stopped = false;
    const call = (k: number) =>
      star ? fn(...(items[k] as unknown[])) : fn(items[k]);
    const rest = async (p: PromiseLike<unknown>): Promise<ItemsResult> => {
      try {
        for (;;) {
          const v = await p;
          if (stopped) break;
          out.push(v);
          // Run on synchronously until the next promise.
          let next: PromiseLike<unknown> | null = null;
          for (i++; i < n; i++) {
            const r = call(i);
            if (_isThenable(r)) {
              next = r;
              break;
            }
            out.push(r);
          }
          if (next === null) break;
          p = next;
        }
      } catch (err) {
        return [out, _record(err)];
      }
      return [out, null];
    };
    return this.#await(id, rest(pending), (ok, v) => {
      if (ok) {
        const [results, error] = v as [unknown[], ErrorRecord | null];
        this.#okItems(id, results, error);
      } else this.#okItems(id, out, _record(v));
    }, (err) => {
      stopped = true;
      return [out.slice(), _record(err)];
    });
  }

  #okItems(id: number, out: unknown[], error: ErrorRecord | null): void {
    const packed = packNumbers(out);
    if (packed) {
      this.#ids.push(id);
      this.#values.push([packed, error] satisfies ItemsResult);
      this.#flags.push(ResultFlag.Ok);
    } else if (allPrimitive(out)) {
      this.#ids.push(id);
      this.#values.push([out, error] satisfies ItemsResult);
      this.#flags.push(ResultFlag.Ok);
    } else this.#ok(id, [out, error] satisfies ItemsResult);
  }

  #ok(id: number, value: unknown): void {
    let flag: number = ResultFlag.Ok;
    if (typeof value === "object" && value !== null) {
      if (moveUsed() || isMovable(value)) {
        value = unwrapMoves(value, this.#transfer);
      }
      let e: Encoded;
      try {
        e = encode(value, _RESULT);
      } catch (err) {
        this.#fail(id, err); // a result that cannot be cloned (DataCloneError)
        return;
      }
      if (e.shared) {
        value = e.value;
        flag = ResultFlag.Shared;
      }
    }
    this.#ids.push(id);
    this.#values.push(value);
    this.#flags.push(flag);
  }

  #fail(id: number, err: unknown): void {
    this.#ids.push(id);
    this.#values.push(_record(err));
    this.#flags.push(ResultFlag.Error);
  }

  #flush(): void {
    if (this.#ids.length === 0) return;
    const msg: DoneMessage = {
      type: "done",
      ids: this.#ids,
      values: this.#values,
      flags: this.#flags,
      busyMs: performance.now() - this.#since,
    };
    const transfer = this.#transfer;
    this.#ids = [];
    this.#values = [];
    this.#flags = [];
    this.#transfer = [];
    try {
      this.#post(msg, transfer);
    } catch (err) {
      this.#postOneByOne(msg, transfer, err);
    }
  }

  /** A batch could not be sent (a result cannot be cloned): send each alone, failing the ones that cannot go. */
  #postOneByOne(msg: DoneMessage, transfer: Transferable[], _err: unknown) {
    for (let i = 0; i < msg.ids.length; i++) {
      const one: DoneMessage = {
        type: "done",
        ids: [msg.ids[i]],
        values: [msg.values[i]],
        flags: [msg.flags[i]],
        busyMs: msg.busyMs / msg.ids.length,
      };
      try {
        this.#post(one, transfer.filter((t) => _holds(msg.values[i], t)));
      } catch (err) {
        one.values = [_record(err)];
        one.flags = [ResultFlag.Error];
        this.#post(one, []);
      }
    }
  }
}

function _holds(value: unknown, t: Transferable, depth = 0): boolean {
  if (value === t) return true;
  if (typeof value !== "object" || value === null || depth > 8) return false;
  if (ArrayBuffer.isView(value)) return value.buffer === t;
  if (Array.isArray(value)) return value.some((v) => _holds(v, t, depth + 1));
  return Object.values(value).some((v) => _holds(v, t, depth + 1));
}
