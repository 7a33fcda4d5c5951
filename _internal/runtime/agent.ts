/**
 * Who "this thread" is, and the counters every thread of the program shares.
 *
 * The main thread creates a small `SharedArrayBuffer` of global counters;
 * every worker the library starts receives it in `workerData`, so thread
 * idents and shared-object ids are unique across the whole program.
 *
 * @module
 */
import { isMainThread, threadId, workerData } from "node:worker_threads";
import { readlinkSync } from "node:fs";
import { pid, readAllowed } from "./adapter.ts";
import { RuntimeError } from "../core/errors.ts";

/**
 * Slots of the global counters, written by any thread with `Atomics.add`
 * only (the main thread stores the first `Ident` when it creates them).
 */
const _GlobalWord = {
  /** The last thread ident handed out (the main thread is 1). */
  Ident: 0,
  /** The last shared-object id handed out. */
  ObjectId: 1,
  /** Threads started and not yet finished, program-wide. */
  LiveThreads: 2,
  /** How many words the block has (not a counter; the rest are spare). */
  Size: 8,
} as const;

/** What a worker started by the library learns about itself at start-up. */
export interface AgentInit {
  /** The global counters of the program. */
  globals: SharedArrayBuffer;
  /** The thread's ident. */
  ident: number;
  /** The thread's name. */
  name: string;
  /** Whether the thread is a daemon. */
  daemon: boolean;
  /** The ident of the thread that started this one. */
  parentIdent: number;
}

/** The key under which the library's data sits in `workerData`. */
export const WORKER_DATA_KEY = "__pyconc";

const _init: AgentInit | undefined = !isMainThread
  ? workerData?.[WORKER_DATA_KEY]
  : undefined;

/** The global counters; created by the main thread, inherited by workers. */
export const globals: SharedArrayBuffer = _init?.globals ??
  new SharedArrayBuffer(_GlobalWord.Size * 4);
const _g = new Int32Array(globals);
if (!_init) Atomics.store(_g, _GlobalWord.Ident, 1);

/** Facts about the thread running this code. */
export const agent: {
  readonly ident: number;
  name: string;
  readonly daemon: boolean;
  readonly isMain: boolean;
  readonly parentIdent: number;
} = {
  ident: _init?.ident ?? 1,
  name: _init?.name ?? "MainThread",
  daemon: _init?.daemon ?? false,
  isMain: !_init,
  parentIdent: _init?.parentIdent ?? 0,
};

/** A new thread ident, unique in the program. */
export function nextIdent(): number {
  return Atomics.add(_g, _GlobalWord.Ident, 1) + 1;
}

/** A new shared-object id, unique in the program. */
export function nextObjectId(): number {
  return Atomics.add(_g, _GlobalWord.ObjectId, 1) + 1;
}

/** Adds `delta` to the program-wide count of live threads; returns the new count. */
export function addLiveThreads(delta: number): number {
  return Atomics.add(_g, _GlobalWord.LiveThreads, delta) + delta;
}

let _nativeId: number | undefined;

/**
 * The operating system's id for this thread (Linux: the TID from
 * `/proc/thread-self`, the pid for the main thread), as Python's
 * `threading.get_native_id()`. Where that cannot be read, the main thread
 * answers the pid and a worker the pid plus its worker id.
 */
export function nativeId(): number {
  if (_nativeId !== undefined) return _nativeId;
  try {
    if (!readAllowed("/proc/thread-self")) {
      throw new Error("no read permission");
    }
    const link = readlinkSync("/proc/thread-self");
    _nativeId = Number(link.split("/").pop());
    if (!Number.isInteger(_nativeId)) throw new Error(link);
  } catch {
    _nativeId = _init ? pid() + threadId : pid();
  }
  return _nativeId;
}

// The target module this thread is importing to bootstrap, if any.
let _importing: string | null = null;

/**
 * Runs `load`, the import of the target module at `url` by a worker or
 * child that is bootstrapping (the target of a thread, process or pool
 * task, or a pool's initializer). Until it settles, starting a thread, pool
 * worker or process here throws (see {@linkcode checkNotImporting}): a
 * module that starts one at its top level without an `import.meta.main`
 * guard would otherwise start another in every worker, forever.
 */
export async function importingTarget<T>(
  url: string,
  load: () => Promise<T>,
): Promise<T> {
  const outer = _importing;
  _importing = url;
  try {
    return await load();
  } finally {
    _importing = outer;
  }
}

/**
 * Throws Python's bootstrapping `RuntimeError` when this thread is still
 * importing its target module: called by every path that starts a thread,
 * a pool worker or a child process.
 *
 * @throws {RuntimeError} "An attempt has been made to start a new thread
 * before the current one has finished importing its target module ...".
 */
export function checkNotImporting(starting: "thread" | "process"): void {
  if (_importing === null) return;
  // A child process's library code runs on its main thread.
  const current = _init ? "thread" : "process";
  throw new RuntimeError(
    `An attempt has been made to start a new ${starting} before the ` +
      `current ${current} has finished importing its target module ` +
      `${_importing}.\n\n` +
      "This probably means that the module starts threads, pools or " +
      "processes at its top level and is also a { module, name } target: " +
      "every worker and child process that runs it imports it again, and " +
      "would start another, without end. Guard the program's top level " +
      "with `if (import.meta.main)`, which is false where the library " +
      "imports a target:\n\n" +
      "    if (import.meta.main) {\n" +
      "      ...\n" +
      "    }",
  );
}
