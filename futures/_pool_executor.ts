/**
 * What ThreadPoolExecutor and ProcessPoolExecutor share: submit, chunked
 * map tasks, shutdown, and the checks before a task is accepted.
 *
 * @module
 */
import { encode } from "../_internal/share/codec.ts";
import { RuntimeError } from "../_internal/core/errors.ts";
import { moveUsed, unwrapMoves } from "../_internal/pool/move.ts";
import { allPrimitive, packNumbers } from "../_internal/pool/flat_items.ts";
import { type ItemsResult, TaskFlag } from "../_internal/pool/protocol.ts";
import { type Target, toTargetSpec } from "../_internal/share/target.ts";
import { _Dispatcher, type _DispatcherHost } from "./_dispatcher.ts";
import type { BrokenExecutor } from "./errors.ts";
import type { ShutdownOptions } from "./executor.ts";
import { Future } from "./future.ts";

/** Transfers `transfer` into a fresh clone of `value`; returns it and its buffers. */
function _moveNow(
  value: unknown,
  transfer: Transferable[],
): [unknown, Transferable[]] {
  const holder = structuredClone({ value, transfer }, {
    transfer: transfer as never,
  });
  return [holder.value, holder.transfer];
}

// What the codec's messages call a task's arguments, and where they go.
const _ENCODE = {
  threadArgs: { root: "args", to: "another thread" },
  threadItems: { root: "map() items", to: "another thread" },
  processArgs: { root: "args", to: "another process" },
  processItems: { root: "map() items", to: "another process" },
} as const;

function _encodeOptions(threads: boolean, flags: number) {
  const items = (flags & (TaskFlag.Chunk | TaskFlag.Items)) !== 0;
  if (threads) return items ? _ENCODE.threadItems : _ENCODE.threadArgs;
  return items ? _ENCODE.processItems : _ENCODE.processArgs;
}

/** How a pool executor differs from the other. */
export interface _PoolOptions {
  /** The dispatcher's host, given a way to reach the dispatcher itself. */
  host: (d: () => _Dispatcher) => _DispatcherHost;
  /** The error `submit` throws once the pool is broken. */
  brokenOnSubmit: (broken: BrokenExecutor) => BrokenExecutor;
  /** Whether shareable objects may be passed (threads) or not (processes). */
  shareables: boolean;
  /** Whether `move()` transfers (threads) or is ignored (processes). */
  transfers: boolean;
}

/** The shared body of the pool executors, which delegate to it. */
export class _PoolCore {
  readonly dispatcher: _Dispatcher;
  #options: _PoolOptions;
  #shutdown = false;
  #targets = new WeakMap<object, number>();

  constructor(options: _PoolOptions) {
    this.#options = options;
    this.dispatcher = new _Dispatcher(options.host(() => this.dispatcher));
  }

  #targetId(target: unknown): number {
    if (
      (typeof target === "function" || typeof target === "object") &&
      target !== null
    ) {
      const hit = this.#targets.get(target);
      if (hit !== undefined) return hit;
      const id = this.dispatcher.targetId(toTargetSpec(target));
      this.#targets.set(target, id);
      return id;
    }
    return this.dispatcher.targetId(toTargetSpec(target));
  }

  #check(): void {
    const broken = this.dispatcher.broken;
    if (broken) throw this.#options.brokenOnSubmit(broken);
    if (this.#shutdown) {
      throw new RuntimeError("cannot schedule new futures after shutdown");
    }
  }

  /** Queues `target(...args)`. */
  submit(target: unknown, args: unknown[]): Future<unknown> {
    this.#check();
    const fn = this.#targetId(target);
    return this.#add(fn, args, 0);
  }

  /** Queues one task running `target` over each argument list of `chunk`. */
  submitChunk(
    // deno-lint-ignore no-explicit-any
    target: Target<any[], unknown>,
    chunk: unknown[][],
  ): Future<unknown[]> {
    this.#check();
    const fn = this.#targetId(target);
    return this.#add(fn, chunk, TaskFlag.Chunk) as Future<unknown[]>;
  }

  /**
   * Queues one task running `target` over `items` (each called alone, or
   * spread with `star`), which resolves to an {@linkcode ItemsResult}: the
   * flat chunk of `multiprocessing.Pool`'s map family. A chunk of numbers
   * travels packed in a `Float64Array`.
   */
  submitItems(
    // deno-lint-ignore no-explicit-any
    target: Target<any[], unknown>,
    items: unknown[],
    star: boolean,
  ): Future<ItemsResult> {
    this.#check();
    const fn = this.#targetId(target);
    const flags = TaskFlag.Items | (star ? TaskFlag.Star : 0);
    const packed = star ? null : packNumbers(items);
    if (packed) {
      const future = new Future<unknown>();
      // Threads take the fresh buffer by transfer; processes copy anyway.
      const transfer = this.#options.transfers
        ? [packed.buffer as ArrayBuffer]
        : null;
      this.dispatcher.add(future, fn, packed, flags, transfer, items.length);
      return future as Future<ItemsResult>;
    }
    return this.#add(fn, items, flags, items.length) as Future<ItemsResult>;
  }

  #add(
    fn: number,
    args: unknown[],
    flags: number,
    size = 1,
  ): Future<unknown> {
    let value: unknown = args;
    let transfer: Transferable[] | null = null;
    // Arguments that are all primitives hold no mark and nothing to share.
    if (allPrimitive(args)) {
      const future = new Future<unknown>();
      this.dispatcher.add(future, fn, value, flags, transfer, size);
      return future;
    }
    if (moveUsed()) {
      const t: Transferable[] = [];
      value = unwrapMoves(args, t);
      if (t.length && this.#options.transfers) {
        // Detach the caller's buffers now (a same-thread transfer costs no
        // copy), so the task's data cannot change while it is queued.
        [value, transfer] = _moveNow(value, t);
      }
    }
    if (args.length) {
      // Registered classes and errors travel to any pool (issue 14);
      // shareable handles only to one that takes them.
      const e = encode(value, _encodeOptions(this.#options.transfers, flags));
      if (e.shared) {
        if (e.handles && !this.#options.shareables) {
          throw new TypeError(
            "a shareable object of the threading or queue module cannot be passed to a child process",
          );
        }
        value = e.value;
        flags |= TaskFlag.Shared;
      }
    }
    const future = new Future<unknown>();
    this.dispatcher.add(future, fn, value, flags, transfer, size);
    return future;
  }

  /** Stops accepting tasks; see `Executor.shutdown`. */
  async shutdown(options: ShutdownOptions = {}): Promise<void> {
    const { wait = true, cancelFutures = false } = options ?? {};
    this.#shutdown = true;
    if (cancelFutures) this.dispatcher.cancelQueued();
    this.dispatcher.shutdown();
    if (wait) await this.dispatcher.whenStopped();
  }

  /**
   * Shuts down with `cancelFutures`, then ends every worker at once (see
   * {@linkcode _Dispatcher.terminate}); the running futures fail with
   * `err`. Resolves once every worker is gone.
   */
  terminate(err: BrokenExecutor, kill: boolean): Promise<void> {
    this.#shutdown = true;
    return this.dispatcher.terminate(err, kill);
  }
}
