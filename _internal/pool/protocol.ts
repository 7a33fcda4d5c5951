/**
 * The wire protocol between a pool executor (`futures.ThreadPoolExecutor`,
 * `futures.ProcessPoolExecutor`, later `multiprocessing.Pool`) and the
 * workers or child processes that run its tasks.
 *
 * Tasks travel in batches: one {@linkcode RunMessage} carries any number of
 * tasks as parallel arrays (task ids, target ids, arguments, flags), and one
 * {@linkcode DoneMessage} returns any number of outcomes the same way. A
 * batch of one is the latency path; a deep queue sends hundreds per message,
 * which is what makes tiny tasks cheap. Every message has a `type`
 * discriminant; messages about tasks carry their task ids.
 *
 * @module
 */
import type { Encoded, ErrorRecord } from "../share/codec.ts";
import type { TargetSpec } from "../share/target.ts";

/** Flags of one task in a {@linkcode RunMessage}. */
export const TaskFlag = {
  /** The arguments hold shareable descriptors: decode them before the call. */
  Shared: 1,
  /** The task is a chunk: its arguments are a list of argument lists, and it returns a list of results. */
  Chunk: 2,
  /**
   * The task is a chunk of `multiprocessing.Pool`'s map family: its
   * arguments are the items themselves, flat (an array, or a
   * `Float64Array` when every item is a number, see `flat_items.ts`), each
   * run as `fn(item)`, one after another, until one throws. It returns an
   * {@linkcode ItemsResult}.
   */
  Items: 4,
  /** With `Items`: each item is an argument list, run as `fn(...item)` (starmap). */
  Star: 8,
} as const;

/**
 * What an `Items` task returns (as its `Ok` value): the results of the
 * items that ran, in order (an array, or a `Float64Array` when every
 * result is a number), and the record of the error that stopped the
 * chunk, or null when every item ran. The items after a failing one do
 * not run, as in Python's `mapstar`.
 */
export type ItemsResult = [
  results: unknown[] | Float64Array,
  error: ErrorRecord | null,
];

/** Flags of one outcome in a {@linkcode DoneMessage}. */
export const ResultFlag = {
  /** The call returned; the value is its result. */
  Ok: 0,
  /** The call threw; the value is an {@linkcode ErrorRecord}. */
  Error: 1,
  /** The call returned a value holding shareable descriptors: decode it. */
  Shared: 2,
} as const;

/**
 * Slots of a pool worker's control words (an `Int32Array` over
 * {@linkcode PoolStartData.control}); child processes have none.
 */
export const PoolControl = {
  /** 1 once the initializer has run and tasks may start; written by the worker, read by the parent when the worker dies (an error event can overtake the "ready" message). */
  Ready: 0,
  /** How many words there are. */
  Size: 1,
} as const;

/** Start-up data of a pool worker or child. */
export interface PoolStartData {
  /** The worker's control words (see {@linkcode PoolControl}); thread workers only. */
  control?: SharedArrayBuffer;
  /** Runs once before the first task; a failure breaks the pool. */
  initializer: TargetSpec | null;
  /** The initializer's arguments, encoded. */
  initargs: Encoded;
}

/** Parent to worker: run these tasks, in order. */
export interface RunMessage {
  type: "run";
  /** Task ids, unique within the pool. */
  ids: number[];
  /** For each task, the id of its target (see `defs`). */
  fns: number[];
  /** For each task, its argument list (a list of lists for a chunk). */
  args: unknown[];
  /** For each task, {@linkcode TaskFlag} bits. */
  flags: number[];
  /** Targets this worker has not seen yet: `[targetId, spec]` pairs. */
  defs: [number, TargetSpec][] | null;
}

/**
 * Messages from the parent to a pool worker or child. (A thread worker is
 * stopped by terminating it; a child by the child protocol's "stop".)
 */
export type PoolRequest = RunMessage;

/** Worker to parent: outcomes of tasks, in the order they finished. */
export interface DoneMessage {
  type: "done";
  /** Task ids. */
  ids: number[];
  /** For each task, its result or an {@linkcode ErrorRecord}. */
  values: unknown[];
  /** For each task, a {@linkcode ResultFlag}. */
  flags: number[];
  /** Milliseconds the worker spent on these tasks (for batch sizing). */
  busyMs: number;
}

/** Worker to parent: the initializer ran (or there was none). */
export interface ReadyMessage {
  type: "ready";
  /** Always 0: the message is about no task. */
  id: 0;
}

/** Worker to parent: the initializer threw; the pool is broken. */
export interface InitFailedMessage {
  type: "init-failed";
  /** Always 0: the message is about no task. */
  id: 0;
  /** What the initializer threw. */
  error: ErrorRecord;
}

/** Messages from a pool worker or child to the parent. */
export type PoolReply = DoneMessage | ReadyMessage | InitFailedMessage;
