/**
 * Starting library workers. Every worker is a `node:worker_threads` Worker
 * (available on Deno and Bun alike, and unlike Deno's web `Worker` it can be
 * unref'd), loading a real module file next to the library, so it works from
 * JSR and from compiled binaries and imports the library by the same URL as
 * the program. Each handle has one ref/unref switch: a worker that must keep
 * the program alive (a running non-daemon thread, a pool worker with work)
 * is ref'd, every other one is not. Inside a worker, {@linkcode drainStdio}
 * waits until its output has left it.
 *
 * @module
 */
import type { Worker } from "node:worker_threads";
import { startWorker } from "./entry.ts";
import {
  type AgentInit,
  checkNotImporting,
  globals,
  WORKER_DATA_KEY,
} from "./agent.ts";
import { trackResource, untrackResource } from "./resources.ts";
import { nodeProcess } from "./adapter.ts";

/** Options for {@linkcode spawnWorker}. */
export interface SpawnWorkerOptions {
  /** The thread facts the worker adopts. */
  agent: Omit<AgentInit, "globals">;
  /** Extra start-up data for the entry module. */
  data: unknown;
  /** Whether the worker keeps the program alive from the start. */
  ref: boolean;
  /** A label for the resource ledger. */
  label: string;
  /** Receives every message from the worker. */
  onMessage?: (message: unknown) => void;
  /** Receives an error the worker did not catch. */
  onError?: (error: unknown) => void;
}

/** A running library worker. */
export class WorkerHandle {
  /** The underlying worker. */
  readonly worker: Worker;
  /** Settles when the worker has exited, with its exit code. */
  readonly exited: Promise<number>;
  #ref: boolean;
  #alive = true;

  constructor(entry: URL, options: SpawnWorkerOptions) {
    this.worker = startWorker(
      entry,
      {
        workerData: {
          [WORKER_DATA_KEY]: { ...options.agent, globals },
          data: options.data,
        },
        name: options.agent.name,
      },
    );
    this.#ref = true;
    trackResource("worker", this, options.label);
    // Every listener is attached before the ref state is applied: on some
    // runtimes adding a listener refs the worker again.
    if (options.onMessage) this.worker.on("message", options.onMessage);
    this.worker.on("error", options.onError ?? (() => {}));
    this.exited = new Promise<number>((resolve) => {
      this.worker.once("exit", (code: number) => {
        this.#alive = false;
        untrackResource(this);
        resolve(code);
      });
    });
    if (!options.ref) this.unref();
  }

  /** Whether the worker has not exited yet. */
  get alive(): boolean {
    return this.#alive;
  }

  /** Lets the worker keep the program alive. */
  ref(): void {
    if (this.#ref || !this.#alive) return;
    this.#ref = true;
    this.worker.ref();
  }

  /** Stops the worker from keeping the program alive. */
  unref(): void {
    if (!this.#ref || !this.#alive) return;
    this.#ref = false;
    this.worker.unref();
  }

  /** Stops the worker and resolves once it is gone. */
  async terminate(): Promise<void> {
    if (this.#alive) await this.worker.terminate();
    await this.exited;
  }
}

/**
 * Starts `entry` as a library worker.
 *
 * @throws {RuntimeError} this thread is still importing its target module.
 */
export function spawnWorker(
  entry: URL,
  options: SpawnWorkerOptions,
): WorkerHandle {
  checkNotImporting("thread");
  return new WorkerHandle(entry, options);
}

/**
 * Inside a library worker: waits until what it wrote to stdout and stderr
 * (`console` included) has reached the thread that started it, so that a
 * worker stopped right after loses none of it. Bun relays a worker's
 * `process.stdout`/`stderr` to its parent through a port, one batch at a
 * time, each acknowledged by the parent: a worker terminated while a batch
 * waits drops that batch and everything queued behind it. Deno's workers
 * write the descriptor directly, so there nothing is ever in flight.
 *
 * @returns `null` when nothing is in flight (the common case, decided
 * synchronously); otherwise a promise that settles once the parent has the
 * data, which takes a turn of the parent's event loop: never wait on it
 * while the parent may be blocked waiting for this worker.
 */
export function drainStdio(): Promise<void> | null {
  let pending: Promise<void>[] | null = null;
  for (const stream of [nodeProcess?.stdout, nodeProcess?.stderr]) {
    // `writableLength` counts the bytes not yet acknowledged, the batch in
    // flight included; an empty write completes after all of them.
    if (
      !stream || !(stream.writableLength > 0) || stream.writableEnded ||
      stream.destroyed
    ) continue;
    (pending ??= []).push(
      new Promise<void>((resolve) => stream.write("", () => resolve())),
    );
  }
  return pending && Promise.all(pending).then(() => {});
}
