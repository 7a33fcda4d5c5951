/**
 * Finding and starting the library's own entry modules (the files a worker
 * or child process starts on) wherever the library was loaded from: a
 * checkout, https URLs (jsr: on Deno), JSR's npm form (each file a `.js` at
 * the path of its `.ts`, string URLs not rewritten), or one compiled binary.
 * Design: docs/design/install.md
 *
 * @module
 */
import { Worker, type WorkerOptions } from "node:worker_threads";
import { RuntimeError } from "../core/errors.ts";
import { bunNs, denoNs, nodeProcess } from "./adapter.ts";

const _SELF = import.meta.url;
/** The folder the library was loaded from (this file is two levels down). */
const _ROOT = new URL("../../", _SELF);
/** Whether the library runs as transpiled `.js` (JSR's npm form). */
const _JS = /\.m?js$/.test(new URL(_SELF).pathname);

/** The scheme of an entry's URL inside a compiled program. */
export const ENTRY_SCHEME = "pyconc-entry:";
/** The `workerData` key that names the entry a compiled worker runs. */
export const ENTRY_KEY = "__pyconcEntry";
/** The argument that names the entry a compiled child process runs. */
export const ENTRY_FLAG = "--pyconc-entry";

/**
 * Whether this program runs from one compiled binary (`bun build
 * --compile`, `deno compile`): there the library's files are not separate
 * modules, so workers and children start the binary itself.
 */
export const compiled: boolean = _SELF.startsWith("file:///$bunfs/") ||
  _SELF.includes("/~BUN/") || /\/deno-compile-[^/]+\//.test(_SELF);

/**
 * The URL of the library file at `path` (relative to the library's root,
 * written with `.ts`), in the flavour the library was loaded as; inside a
 * compiled program, a `pyconc-entry:` URL naming it.
 */
export function entryUrl(path: string): URL {
  if (compiled) return new URL(ENTRY_SCHEME + path);
  const url = new URL(path, _ROOT);
  if (_JS) url.pathname = url.pathname.replace(/\.ts$/, ".js");
  return url;
}

/** What `freezeSupport()` installs: how to load each entry by its path. */
export type EntryLoaders = Record<string, () => Promise<unknown>>;

const _FROZEN = Symbol.for("pyconc.frozenEntries");

/** Records the entry loaders of a compiled program (by `freezeSupport()`). */
export function installEntryLoaders(loaders: EntryLoaders): void {
  (globalThis as Record<symbol, unknown>)[_FROZEN] = loaders;
}

function _loaders(): EntryLoaders {
  const loaders = (globalThis as Record<symbol, unknown>)[_FROZEN];
  if (loaders) return loaders as EntryLoaders;
  throw new RuntimeError(
    "this program is compiled into one binary, so threads, pools and " +
      "processes start the binary itself: call `await freezeSupport()` " +
      '(from "@pyconc/pyconc") at the top of the main module, before ' +
      "anything starts a thread, pool or process",
  );
}

/** The main module of the program, which a compiled program's workers run. */
function _mainModule(): string {
  if (bunNs) return bunNs.main;
  if (denoNs) return denoNs.mainModule;
  return nodeProcess.argv[1];
}

/**
 * Starts a `node:worker_threads` Worker on `entry`. Deno's Worker accepts
 * only file: and data: URLs, so a module served over http(s) starts through
 * a one-line data: module that imports it statically (so the whole graph is
 * loaded before the worker takes its first message); the entry and the
 * library keep their own URLs, so module state is not split. In a compiled
 * program the worker runs the main module, whose `freezeSupport()` runs the
 * entry named in `workerData`.
 */
export function startWorker(entry: URL, options: WorkerOptions): Worker {
  if (entry.protocol === ENTRY_SCHEME) {
    _loaders();
    return new Worker(_mainModule(), {
      ...options,
      workerData: {
        ...(options.workerData as object),
        [ENTRY_KEY]: entry.pathname,
      },
    });
  }
  if (entry.protocol === "file:" || entry.protocol === "data:") {
    return new Worker(entry, options);
  }
  const stub = `import ${JSON.stringify(entry.href)};`;
  return new Worker(
    new URL(`data:text/javascript,${encodeURIComponent(stub)}`),
    options,
  );
}

/** Imports a module by URL; an entry of a compiled program by its loader. */
export async function importEntry(href: string): Promise<unknown> {
  if (!href.startsWith(ENTRY_SCHEME)) return await import(href);
  const path = href.slice(ENTRY_SCHEME.length);
  const load = _loaders()[path];
  if (!load) {
    throw new RuntimeError(`no entry module ${path} in this compiled program`);
  }
  return await load();
}

/**
 * The argv that starts a child process on `entry` inside a compiled
 * program: the binary itself, told which entry to run.
 */
export function compiledCommand(entry: URL, args: readonly string[]): string[] {
  _loaders();
  const exe = denoNs ? denoNs.execPath() : nodeProcess.execPath;
  return [exe, ENTRY_FLAG, entry.pathname, ...args];
}
