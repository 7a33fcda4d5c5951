/**
 * The base of every object the multiprocessing server keeps
 * ({@linkcode SharedState}), and what the kinds share: timeouts in
 * milliseconds, errors named after Python's, and giving the blocks of
 * shared memory of freed objects back to the arena they came from.
 *
 * Design: docs/design/mp_server.md
 *
 * @module
 */
import type { MessagePort } from "node:worker_threads";
import type { ShmLoc } from "../shm/arena.ts";
import type { Call } from "./server_call.ts";

/** The server-side state of one shared object. */
export abstract class SharedState {
  /** Runs method `m`; returns its result, or {@linkcode PENDING}. */
  abstract op(c: Call, m: string, a: unknown[]): unknown;
  /** Releases what process `pid` held; it has exited. */
  pidGone(_pid: number): void {}
  /** The object is freed (no holder is left anywhere). */
  dispose(): void {}
}

/** A timeout argument in milliseconds; anything but a number waits forever. */
export function waitMs(v: unknown): number {
  return typeof v === "number" ? v : Infinity;
}

/** An error that is only a name and a message (`Empty`, `Full`, `BrokenBarrierError`). */
export function namedError(name: string, message = ""): Error {
  const e = new Error(message);
  e.name = name;
  return e;
}

let _freePort: MessagePort | null = null;

/** Where this server gives back the blocks of freed objects (the arena of the thread it serves). */
export function setShmFreePort(port: MessagePort): void {
  _freePort = port;
}

/** Gives the block at `loc` back to its arena. */
export function freeBlock(loc: ShmLoc): void {
  _freePort?.postMessage(loc);
}
