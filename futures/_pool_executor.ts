// What ThreadPoolExecutor and ProcessPoolExecutor share: submit, chunked
// map tasks, shutdown, and the checks before a task is accepted.
import { encode } from "../_internal/codec.ts";
import { RuntimeError } from "../_internal/errors.ts";
import { moveUsed, unwrapMoves } from "../_internal/pool_move.ts";
import { TaskFlag } from "../_internal/pool_protocol.ts";
import { type Target, toTargetSpec } from "../_internal/target.ts";
import { _Dispatcher, type _DispatcherHost } from "./_dispatcher.ts";
import type { BrokenExecutor } from "./errors.ts";
import { Executor, type ShutdownOptions } from "./executor.ts";
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

/** The shared body of the pool executors. */
export abstract class _PoolExecutor extends Executor {
  /** @internal */
  protected readonly _dispatcher: _Dispatcher;
  #shutdown = false;
  #targets = new WeakMap<object, number>();

  constructor(host: (d: () => _Dispatcher) => _DispatcherHost) {
    super();
    this._dispatcher = new _Dispatcher(host(() => this._dispatcher));
  }

  /** @internal The error `submit` throws once the pool is broken. */
  protected abstract _brokenOnSubmit(broken: BrokenExecutor): BrokenExecutor;

  /** @internal Checks (and may rewrite) encoded arguments; the process pool refuses shareables. */
  protected _checkShared(_shared: boolean): void {}

  /** @internal Whether `move()` transfers (threads) or is ignored (processes). */
  protected _transfers = true;

  #targetId(target: unknown): number {
    if (
      (typeof target === "function" || typeof target === "object") &&
      target !== null
    ) {
      const hit = this.#targets.get(target);
      if (hit !== undefined) return hit;
      const id = this._dispatcher.targetId(toTargetSpec(target));
      this.#targets.set(target, id);
      return id;
    }
    return this._dispatcher.targetId(toTargetSpec(target));
  }

  #check(): void {
    const broken = this._dispatcher.broken;
    if (broken) throw this._brokenOnSubmit(broken);
    if (this.#shutdown) {
      throw new RuntimeError("cannot schedule new futures after shutdown");
    }
  }

  /**
   * Schedules `target(...args)` on a worker and returns its
   * {@linkcode Future}.
   *
   * @param target A self-contained function or a `{ module, name }` reference.
   * @param args Its arguments.
   * @returns The future of the call.
   * @throws {RuntimeError} "cannot schedule new futures after shutdown".
   * @throws {BrokenExecutor} the pool is broken.
   * @throws {TypeError} a target that cannot be sent to a worker.
   */
  submit<A extends unknown[], R>(
    target: Target<A, R>,
    ...args: A
  ): Future<Awaited<R>> {
    this.#check();
    const fn = this.#targetId(target);
    return this.#add(fn, args, 0) as Future<Awaited<R>>;
  }

  /** @internal */
  override _submitChunk(
    // deno-lint-ignore no-explicit-any
    target: Target<any[], unknown>,
    chunk: unknown[][],
  ): Future<unknown[]> {
    this.#check();
    const fn = this.#targetId(target);
    return this.#add(fn, chunk, TaskFlag.Chunk) as Future<unknown[]>;
  }

  #add(fn: number, args: unknown[], flags: number): Future<unknown> {
    let value: unknown = args;
    let transfer: Transferable[] | null = null;
    if (moveUsed()) {
      const t: Transferable[] = [];
      value = unwrapMoves(args, t);
      if (t.length && this._transfers) {
        // Detach the caller's buffers now (a same-thread transfer costs no
        // copy), so the task's data cannot change while it is queued.
        [value, transfer] = _moveNow(value, t);
      }
    }
    if (args.length) {
      const e = encode(value);
      if (e.shared) {
        this._checkShared(true);
        value = e.value;
        flags |= TaskFlag.Shared;
      }
    }
    const future = new Future<unknown>();
    this._dispatcher.add(future, fn, value, flags, transfer);
    return future;
  }

  /**
   * Stops accepting tasks and releases the workers once pending tasks are
   * done; see {@linkcode Executor.shutdown}.
   *
   * @param options `{ wait = true, cancelFutures = false }`.
   */
  override async shutdown(options: ShutdownOptions = {}): Promise<void> {
    const { wait = true, cancelFutures = false } = options ?? {};
    this.#shutdown = true;
    if (cancelFutures) this._dispatcher.cancelQueued();
    this._dispatcher.shutdown();
    if (wait) await this._dispatcher.whenStopped();
  }
}
