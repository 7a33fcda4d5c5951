/**
 * The map family's chunks, as CPython's pool sends them: each chunk is one
 * task carrying its items flat (`mapstar`/`starmapstar`), which returns one
 * list of results. Here the chunks are submitted, their outcomes gathered
 * into one list (map, starmap) or streamed (imap, imapUnordered).
 *
 * @module
 */
import { type ErrorRecord, recordToError } from "../_internal/share/codec.ts";
import { allPrimitive } from "../_internal/pool/flat_items.ts";

/** A task's handle as the backends return it (a futures `Future`). */
export interface _ChunkFuture {
  /** Calls `fn` once the task is done (at once if it is). */
  addDoneCallback(fn: () => unknown): void;
  /** The task's value (an `ItemsResult`); throws its error. Only called once done. */
  resultSync(): [results: ArrayLike<unknown>, error: unknown];
}

/** What the map family needs of a pool's backend. */
export interface _ChunkRunner {
  /** Throws when `items` cannot be sent to a worker. */
  check(items: unknown): void;
  /** Runs `fn` over `items` (spread with `star`) as one task. */
  submitItems(fn: unknown, items: unknown[], star: boolean): _ChunkFuture;
}

/** How one chunk ended. */
export interface _Chunk {
  /** The results of the items that ran, in order. */
  values: ArrayLike<unknown>;
  /** Whether an item threw (or the task failed as a whole). */
  failed: boolean;
  /** What was thrown, when `failed`. */
  error: unknown;
}

function _outcome(f: _ChunkFuture): _Chunk {
  let pair: [ArrayLike<unknown>, unknown];
  try {
    pair = f.resultSync();
  } catch (error) {
    // The task failed as a whole (its worker died, the pool broke, its
    // result could not be sent): none of its results are known.
    return { values: [], failed: true, error };
  }
  const error = pair[1] as ErrorRecord | null;
  return error === null
    ? { values: pair[0], failed: false, error: undefined }
    : { values: pair[0], failed: true, error: recordToError(error) };
}

/**
 * Submits `items` in chunks of `size`, each as one task, and calls
 * `onChunk(index, chunk)` as each one ends (in the order they end).
 * Everything is checked before anything is submitted.
 *
 * @returns How many chunks there are.
 */
export function submitChunks(
  runner: _ChunkRunner,
  fn: unknown,
  items: unknown[],
  size: number,
  star: boolean,
  onChunk: (index: number, chunk: _Chunk) => void,
): number {
  if (!allPrimitive(items)) runner.check(items);
  let index = 0;
  for (let start = 0; start < items.length; start += size, index++) {
    // A copy, so the caller may change its array once the call returned.
    const chunk = items.slice(start, start + size);
    const f = runner.submitItems(fn, chunk, star);
    const k = index;
    f.addDoneCallback(() => onChunk(k, _outcome(f)));
  }
  return index;
}

/**
 * Runs the items in chunks and resolves with every result in order, or
 * rejects with the error of the first chunk to fail, as Python's
 * `MapResult` (the other chunks run on; their results are dropped).
 */
export function mapChunks(
  runner: _ChunkRunner,
  fn: unknown,
  items: unknown[],
  size: number,
  star: boolean,
): Promise<unknown[]> {
  const n = items.length;
  if (n === 0) return Promise.resolve([]);
  return new Promise((resolve, reject) => {
    const parts: ArrayLike<unknown>[] = [];
    let left = -1;
    let settled = false;
    // No callback runs before submitChunks returns: a task's future is
    // settled from a later message of its worker.
    left = submitChunks(runner, fn, items, size, star, (k, chunk) => {
      if (settled) return;
      if (chunk.failed) {
        settled = true;
        reject(chunk.error);
        return;
      }
      parts[k] = chunk.values;
      if (--left === 0) {
        settled = true;
        resolve(_join(parts, n));
      }
    });
  });
}

function _join(parts: ArrayLike<unknown>[], n: number): unknown[] {
  if (parts.length === 1 && Array.isArray(parts[0])) return parts[0];
  const out = new Array(n);
  let o = 0;
  for (const p of parts) {
    for (let i = 0; i < p.length; i++) out[o++] = p[i];
  }
  return out;
}

/**
 * The chunks of one `imap` or `imapUnordered` call as they end, read by
 * its iterator; the pool fails it through `_abandon` when terminated.
 */
export class _ChunkStream {
  /** Ended chunks not yet read, by index. */
  #chunks: (_Chunk | undefined)[] = [];
  /** Chunk indices in the order they ended. */
  #arrived: number[] = [];
  #total = 0;
  #ended = 0;
  #abandoned: { error: unknown } | null = null;
  #wake: (() => void) | null = null;
  #onEnd: () => void;

  /** A stream that calls `onEnd` once every chunk has ended. */
  constructor(onEnd: () => void) {
    this.#onEnd = onEnd;
  }

  /** Submits the chunks (see {@linkcode submitChunks}). */
  start(
    runner: _ChunkRunner,
    fn: unknown,
    items: unknown[],
    size: number,
    star: boolean,
  ): void {
    this.#total = submitChunks(runner, fn, items, size, star, (k, chunk) => {
      this.#chunks[k] = chunk;
      this.#arrived.push(k);
      if (++this.#ended === this.#total) this.#onEnd();
      this.#notify();
    });
    if (this.#total === 0) this.#onEnd();
  }

  /** @internal Fails the chunks that have not ended (the pool was terminated). */
  _abandon(error: unknown): void {
    if (this.#ended === this.#total) return;
    this.#abandoned = { error };
    this.#notify();
  }

  #notify(): void {
    const wake = this.#wake;
    this.#wake = null;
    wake?.();
  }

  async #next(pick: () => number): Promise<_Chunk> {
    for (;;) {
      const k = pick();
      const chunk = k < 0 ? undefined : this.#chunks[k];
      if (chunk) {
        this.#chunks[k] = undefined;
        return chunk;
      }
      if (this.#abandoned) throw this.#abandoned.error;
      await new Promise<void>((r) => this.#wake = r);
    }
  }

  /** Yields the results chunk by chunk, in input order, or in the order chunks end. */
  async *results(ordered: boolean): AsyncGenerator<unknown> {
    let read = 0;
    const pick = ordered
      ? () => read
      : () => (read < this.#arrived.length ? this.#arrived[read] : -1);
    for (; read < this.#total; read++) {
      const chunk = await this.#next(pick);
      const values = chunk.values;
      for (let i = 0; i < values.length; i++) yield values[i];
      // The results before the failing item came first, as they would
      // with a chunksize of 1.
      if (chunk.failed) throw chunk.error;
    }
  }
}
