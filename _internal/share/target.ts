/**
 * Targets: the code a worker or child process runs. A target is either a
 * self-contained function, sent as source and evaluated on the other side,
 * or a module reference `{ module, name }` that the other side imports.
 *
 * @module
 */
import { cwd } from "../runtime/adapter.ts";

/** A module export to run in a worker: `{ module, name = "default" }`. */
export interface ModuleTarget {
  /** The module's URL, or a path (relative paths resolve against the working directory). */
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

/** A target in the form that crosses a boundary. */
export type TargetSpec =
  | { kind: "fn"; source: string; label: string }
  | { kind: "module"; url: string; name: string; label: string };

function _moduleUrl(module: string | URL): string {
  if (module instanceof URL) return module.href;
  if (/^[a-z][a-z0-9+.-]*:/i.test(module)) return module;
  const base = "file://" + cwd().replace(/\/?$/, "/");
  return new URL(module, base).href;
}

/**
 * Checks a target and turns it into a {@linkcode TargetSpec}.
 *
 * @throws {TypeError} anything that is neither a function with readable
 * source nor a `{ module, name }` object.
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
    return { kind: "fn", source, label: target.name || "<anonymous>" };
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
    return { kind: "module", url: _moduleUrl(t.module), name, label: name };
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

/** Evaluates a function's source text, as sent by {@linkcode toTargetSpec}. */
export function evaluateFunction(source: string): _Fn {
  const indirectEval = eval;
  try {
    return indirectEval(`(${source}\n)`);
  } catch (err) {
    // A method written in shorthand (`run(x) { ... }`) is not an expression.
    if (!(err instanceof SyntaxError)) throw err;
    const holder = indirectEval(`({ ${source}\n})`);
    return Object.values(holder)[0] as _Fn;
  }
}

/** Turns a spec back into a callable, caching by source or module export. */
export async function resolveTarget(spec: TargetSpec): Promise<_Fn> {
  const key = spec.kind === "fn" ? spec.source : `${spec.name}@${spec.url}`;
  const hit = _cache.get(key);
  if (hit) return hit;
  let fn: unknown;
  if (spec.kind === "fn") fn = evaluateFunction(spec.source);
  else {
    const mod = await import(spec.url);
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
