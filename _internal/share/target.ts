/**
 * Targets: the code a worker or child process runs. A target is either a
 * self-contained function, sent as source and evaluated on the other side,
 * or a module reference `{ module, name }` that the other side imports.
 *
 * @module
 */
import { importingTarget } from "../runtime/agent.ts";

/**
 * A module export to run in a worker: `{ module, name = "default" }`.
 *
 * The worker imports the module anew, so its top level runs again there:
 * a module that is both the program and a target must guard what it starts
 * with `if (import.meta.main) { ... }` (false where the library imports
 * it); starting a thread, pool or process while the import is under way
 * throws `RuntimeError`.
 */
export interface ModuleTarget {
  /**
   * The module: a URL, or an absolute path. A relative specifier
   * (`"./lib.ts"`) is refused, since a worker could not resolve it as your
   * module would: pass `import.meta.resolve("./lib.ts")`.
   */
  module: string | URL;
  /** The export to call; `"default"` when omitted. */
  name?: string;
}

/**
 * Code to run in a worker or child process: a function that closes over no
 * local variables (its source is sent), or a {@linkcode ModuleTarget}.
 */
// deno-lint-ignore no-explicit-any
export type Target<A extends unknown[] = any[], R = unknown> =
  | ((...args: A) => R)
  | ModuleTarget;

/**
 * A target in the form that crosses a boundary. A function's `origin` is
 * where the caller handed it over (`file:///app/main.ts:12`), for its
 * stack traces.
 */
export type TargetSpec =
  | { kind: "fn"; source: string; label: string; origin?: string }
  | { kind: "module"; url: string; name: string; label: string };

function _moduleUrl(module: string | URL, what: string): string {
  if (module instanceof URL) return module.href;
  if (/^[a-z][a-z0-9+.-]*:/i.test(module)) return module;
  if (module.startsWith("/")) return new URL(module, "file:///").href;
  throw new TypeError(
    `${what}.module ${JSON.stringify(module)} is a relative specifier, ` +
      "which a worker cannot resolve as your module would: pass " +
      `import.meta.resolve(${JSON.stringify(module)}) (or a URL, or an ` +
      "absolute path) instead",
  );
}

// What a function's source cannot hold, since it is evaluated as a script
// inside the library: an `import()` of a relative path (it would resolve
// against the library's folder) and `import.meta` (a SyntaxError there).
const _RELATIVE_IMPORT = /(?<![\w$.])import\s*\(\s*(["'`])(\.{1,2}\/[^"'`]*)\1/;
const _IMPORT_META = /(?<![\w$.])import\s*\.\s*meta\b/;

function _checkSource(source: string, what: string): void {
  const rel = _RELATIVE_IMPORT.exec(source);
  if (rel) {
    const spec = `${rel[1]}${rel[2]}${rel[1]}`;
    throw new TypeError(
      `${what} is a function with a relative import, import(${spec}), ` +
        "which cannot work: a function target runs from its source inside " +
        "the library, not in your module. Resolve the path in the caller " +
        `with import.meta.resolve(${JSON.stringify(rel[2])}) and pass the ` +
        "URL as an argument, or use a { module, name } target",
    );
  }
  if (_IMPORT_META.test(source)) {
    throw new TypeError(
      `${what} is a function that uses import.meta: a function target runs ` +
        "from its source inside the library, outside any module. Read " +
        "import.meta.url or import.meta.resolve(...) in the caller and pass " +
        "the result as an argument, or use a { module, name } target",
    );
  }
}

/** The library's root folder (this file is two levels down). */
const _ROOT = new URL("../../", import.meta.url);
/** Paths under the root that are the library, not a program or its tests. */
const _LIBRARY =
  /^(?:_internal|threading|queue|futures|subprocess|sched|multiprocessing)\/|^mod\.[jt]s$/;
const _origins = new Map<string, string>();

/**
 * The URL and line of a stack frame, `at f (LOCATION)` or `at LOCATION`
 * (Deno writes URLs, Bun writes the paths of local files).
 */
function _frameLocation(line: string): [string, string] | null {
  const text = line.trim();
  if (!text.startsWith("at ")) return null;
  const loc = text.endsWith(")")
    ? text.slice(text.lastIndexOf("(") + 1, -1)
    : text.slice(3).replace(/^async /, "");
  const m = /^([a-z][a-z0-9+.-]*:[^()]*|\/[^()]*):(\d+):\d+$/i.exec(loc);
  if (!m || m[1].includes(", ")) return null;
  return [m[1].startsWith("/") ? `file://${m[1]}` : m[1], m[2]];
}

/**
 * Where the code handing `source` to the library is: the file and line of
 * the first stack frame outside the library, as `file:///app/main.ts:12`
 * (looked up once per source text: capturing a stack is not free).
 */
function _origin(source: string): string | undefined {
  const hit = _origins.get(source);
  if (hit !== undefined) return hit || undefined;
  if (_origins.size >= 1000) return undefined;
  let origin = "";
  for (const line of (new Error().stack ?? "").split("\n").slice(1)) {
    const loc = _frameLocation(line);
    if (!loc) continue;
    const [url, row] = loc;
    if (url.startsWith(_ROOT.href)) {
      if (_LIBRARY.test(url.slice(_ROOT.href.length))) continue;
    } else if (!/^(?:file|https?|jsr|npm):/.test(url)) continue;
    origin = `${url}:${row}`;
    break;
  }
  _origins.set(source, origin);
  return origin || undefined;
}

/**
 * Checks a target and turns it into a {@linkcode TargetSpec}.
 *
 * @throws {TypeError} anything that is neither a function with readable
 * source nor a `{ module, name }` object; a function whose source imports
 * a relative path or uses `import.meta`; a relative `module` specifier.
 */
export function toTargetSpec(target: unknown, what = "target"): TargetSpec {
  if (typeof target === "function") {
    const source = Function.prototype.toString.call(target);
    if (/\{\s*\[native code\]\s*\}\s*$/.test(source)) {
      throw new TypeError(
        `${what} must be a self-contained function or a { module, name } reference; ` +
          `${
            target.name || "this function"
          } is native or bound, so its source cannot be sent to a worker`,
      );
    }
    _checkSource(source, what);
    return {
      kind: "fn",
      source,
      label: target.name || "<anonymous>",
      origin: _origin(source),
    };
  }
  if (target && typeof target === "object" && "module" in target) {
    const t = target as ModuleTarget;
    if (typeof t.module !== "string" && !(t.module instanceof URL)) {
      throw new TypeError(
        `${what}.module must be a string or URL, got ${typeof t.module}`,
      );
    }
    if (t.name !== undefined && typeof t.name !== "string") {
      throw new TypeError(
        `${what}.name must be a string, got ${typeof t.name}`,
      );
    }
    const name = t.name ?? "default";
    return {
      kind: "module",
      url: _moduleUrl(t.module, what),
      name,
      label: name,
    };
  }
  throw new TypeError(
    `${what} must be a function or a { module, name } reference, got ${
      target === null ? "null" : typeof target
    }`,
  );
}

// deno-lint-ignore no-explicit-any
type _Fn = (...args: any[]) => unknown;
const _cache = new Map<string, _Fn>();
/** The `sourceURL`s given to evaluated function targets in this thread. */
const _sourceUrls = new Set<string>();

/**
 * Evaluates a function's source text, as sent by {@linkcode toTargetSpec}.
 * With a `label`, an anonymous function takes it as its name and stack
 * frames in it name `sourceUrl` (or the label) instead of this file.
 */
export function evaluateFunction(
  source: string,
  label?: string,
  sourceUrl?: string,
): _Fn {
  const indirectEval = eval;
  const url = label === undefined
    ? ""
    : (sourceUrl ?? `function-target:${label}`).replace(/\s/g, "_");
  if (url) _sourceUrls.add(url);
  const tail = url ? `\n//# sourceURL=${url}` : "";
  const key = JSON.stringify(label ?? "");
  try {
    // As a property value, an anonymous function is named by its key.
    return indirectEval(`({ ${key}: (${source}\n) })[${key}]${tail}`);
  } catch (err) {
    // A method written in shorthand (`run(x) { ... }`) is not an expression.
    if (!(err instanceof SyntaxError)) throw err;
    const holder = indirectEval(`({ ${source}\n})${tail}`);
    return Object.values(holder)[0] as _Fn;
  }
}

/** Options of {@linkcode resolveTarget}. */
export interface ResolveTargetOptions {
  /**
   * The worker or child is bootstrapping: while a module target is being
   * imported, starting a thread, pool worker or process throws.
   */
  bootstrap?: boolean;
}

/** Turns a spec back into a callable, caching by source or module export. */
export async function resolveTarget(
  spec: TargetSpec,
  options: ResolveTargetOptions = {},
): Promise<_Fn> {
  const key = spec.kind === "fn" ? spec.source : `${spec.name}@${spec.url}`;
  const hit = _cache.get(key);
  if (hit) return hit;
  let fn: unknown;
  if (spec.kind === "fn") {
    const url = spec.origin ? `${spec.origin}#target=${spec.label}` : undefined;
    fn = evaluateFunction(spec.source, spec.label, url);
  } else {
    const mod = options.bootstrap
      ? await importingTarget(spec.url, () => import(spec.url))
      : await import(spec.url);
    fn = mod[spec.name];
    if (typeof fn !== "function") {
      throw new TypeError(
        `module ${spec.url} has no function export named '${spec.name}'`,
      );
    }
  }
  if (typeof fn !== "function") {
    throw new TypeError(`target source did not evaluate to a function`);
  }
  _cache.set(key, fn as _Fn);
  return fn as _Fn;
}

/** This folder and the library's `_internal/`, as URL and as path. */
const _HERE = new URL(".", import.meta.url);
const _INTERNAL = new URL("../", import.meta.url);

/**
 * Explains the errors a function target throws when it was written as if it
 * ran where it was defined: a `ReferenceError` thrown by its own code
 * (it has no closure), and an `import()` of a relative path that landed in
 * the library's folder. Adds the why and the fix to the error's message
 * (and stack) in place; returns the error.
 */
export function explainTargetError<E>(err: E): E {
  if (!(err instanceof Error) || _sourceUrls.size === 0) return err;
  let hint = "";
  const message = err.message;
  if (err.name === "ReferenceError" && _thrownByTarget(err)) {
    const m = /^(\S+) is not defined$/.exec(message) ??
      /^Can't find variable: (\S+)$/.exec(message);
    if (m) {
      hint = " (function targets run from their source, without the " +
        `variables around them: pass ${m[1]} as an argument, or use a ` +
        "{ module, name } target)";
    }
  } else if (
    message.includes(_INTERNAL.href) || message.includes(_HERE.pathname)
  ) {
    const named = /'(\.{1,2}\/[^']*)'/.exec(message)?.[1] ??
      (message.includes(_HERE.href)
        ? "./" + /"([^"]*)"/.exec(message)?.[1].slice(_HERE.href.length)
        : "...");
    if (/not found|cannot find module/i.test(message)) {
      hint = " (a function target runs from its source inside the library, " +
        "so a relative import() in it cannot find your module: resolve the " +
        `path in the caller with import.meta.resolve(${
          named === "..." ? named : JSON.stringify(named)
        }) and pass the URL as an argument, or use a { module, name } target)`;
    }
  }
  if (!hint || message.endsWith(hint)) return err;
  const stack = err.stack;
  try {
    err.message = message + hint;
    if (stack?.includes(message)) {
      err.stack = stack.replace(message, message + hint);
    }
  } catch { /* a frozen error keeps its words */ }
  return err;
}

/** Whether the innermost stack frame of `err` is in an evaluated function target. */
function _thrownByTarget(err: Error): boolean {
  const frame = (err.stack ?? "").split("\n").find((l) => /^\s+at /.test(l));
  if (!frame) return false;
  for (const url of _sourceUrls) if (frame.includes(url)) return true;
  return false;
}
