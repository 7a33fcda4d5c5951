/**
 * `freezeSupport()`: what lets a program compiled into one binary start
 * threads, pools and processes, after Python's
 * `multiprocessing.freeze_support()`. Design: docs/design/install.md
 *
 * @module
 */
import { isMainThread, workerData } from "node:worker_threads";
import {
  compiled,
  ENTRY_FLAG,
  ENTRY_KEY,
  type EntryLoaders,
  installEntryLoaders,
} from "../_internal/runtime/entry.ts";
import { nodeProcess } from "../_internal/runtime/adapter.ts";

// Written out one by one so that a bundler sees every entry and puts it in
// the binary; none is loaded unless a worker or child asks for it.
const _LOADERS: EntryLoaders = {
  "_internal/thread/entry.ts": () => import("../_internal/thread/entry.ts"),
  "_internal/pool/worker_entry.ts": () =>
    import("../_internal/pool/worker_entry.ts"),
  "_internal/child/entry.ts": () => import("../_internal/child/entry.ts"),
  "_internal/child/pool_role.ts": () =>
    import("../_internal/child/pool_role.ts"),
  "_internal/shm/waitv_entry.ts": () =>
    import("../_internal/shm/waitv_entry.ts"),
  "_internal/mp/server_entry.ts": () =>
    import("../_internal/mp/server_entry.ts"),
  "_internal/mp/sync_entry.ts": () => import("../_internal/mp/sync_entry.ts"),
  "_internal/spawn/output_sync_entry.ts": () =>
    import("../_internal/spawn/output_sync_entry.ts"),
  "multiprocessing/_process_role.ts": () => import("./_process_role.ts"),
};

/**
 * Lets a program compiled into one binary (`bun build --compile`) start
 * threads, pools and processes. There the library's worker and child entry
 * modules are not files of their own, so every worker and child process
 * starts the binary itself; `freezeSupport()` at the top of the main module
 * turns such a start into the library's work, and never settles there, so
 * the rest of the program does not run again. In the program itself, and in
 * any program that is not compiled, it resolves at once and does nothing.
 *
 * Call it before the program starts anything; a compiled program that
 * starts a thread, pool or process without it gets a `RuntimeError` that
 * says so. As with Python's guard, code above the call (and the top level
 * of the modules the main module imports) runs again in every worker and
 * child, so keep side effects below it.
 *
 * @returns A promise that resolves at once in the program itself, and never
 *   settles in a worker or child started by the library.
 *
 * @example Top of a program built with `bun build --compile app.ts`
 * ```ts
 * import { freezeSupport } from "@pyconc/pyconc";
 * import { ThreadPoolExecutor } from "@pyconc/pyconc/futures";
 *
 * await freezeSupport();
 *
 * await using ex = new ThreadPoolExecutor({ maxWorkers: 2 });
 * console.log(await ex.submit((n: number) => n * n, 12).result()); // 144
 * ```
 */
export function freezeSupport(): Promise<void> {
  if (!compiled) return Promise.resolve();
  installEntryLoaders(_LOADERS);
  const argv = nodeProcess.argv as string[];
  let entry: string | undefined;
  if (!isMainThread) {
    entry = (workerData as Record<string, string> | null)?.[ENTRY_KEY];
  } else if (argv[2] === ENTRY_FLAG) {
    entry = argv[3];
    // The child's own arguments follow, where its entry expects them.
    argv.splice(2, 2);
  }
  if (entry === undefined) return Promise.resolve();
  const load = _LOADERS[entry];
  if (!load) {
    throw new Error(`pyconc: no entry module ${entry} in this program`);
  }
  return load().then(() => new Promise<void>(() => {}));
}
