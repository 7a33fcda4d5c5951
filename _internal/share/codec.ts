/**
 * The codec that carries arguments and results across a worker boundary.
 *
 * Everything travels by structured clone, except the library's shareable
 * objects (locks, events, queues, shared values...): those are replaced by a
 * small descriptor naming their class and their shared memory, and the
 * receiving thread rebuilds a live handle to the same memory. Descriptors are
 * found at any depth inside arrays, plain objects, `Map`s and `Set`s. Errors
 * are carried with their name, message, stack, cause and own properties, and
 * come back as instances of the library's classes where the name is
 * registered.
 *
 * @module
 */
import { lookupError } from "../core/errors.ts";
import { compiled } from "../runtime/entry.ts";

/** The method a shareable object implements to describe itself. */
export const SHARE: unique symbol = Symbol.for("pyconc.share");

/** How a shareable object describes itself for another thread. */
export interface SharedDescriptor {
  /** The URL of the module that exports the class. */
  url: string;
  /** The export name of the class. */
  name: string;
  /** The program-wide id of the object, so one thread keeps one handle per object. */
  id: number;
  /** Whatever the class needs to rebuild a handle; may itself hold shareables. */
  state: unknown;
}

/** An object that can be passed to another thread as a live handle. */
export interface Shareable {
  /** Describes this object for another thread. */
  [SHARE](): SharedDescriptor;
}

/** A class that can rebuild a handle from its descriptor's state. */
export interface Revivable {
  /** Rebuilds a live handle from `state` (already decoded); may be async. */
  _fromShared(state: unknown, id: number): unknown;
}

const _MARK = "\u0000pyconc.shared";

interface _Marker {
  [_MARK]: true;
  url: string;
  name: string;
  id: number;
  state: unknown;
}

const _revivers = new Map<string, Revivable>();
const _handles = new Map<number, WeakRef<object>>();

/**
 * The URL a shareable class is known by: its module's URL, which the
 * receiving thread imports if it has not loaded the class yet. Inside a
 * compiled program every module has the binary's URL, so there the URL is
 * tagged with the module's `path` to keep classes of the same name apart.
 */
export function shareUrl(url: string, path: string): string {
  return compiled ? `${url}#${path}` : url;
}

/**
 * Registers a shareable class so handles can be rebuilt without importing
 * its module again. Call it once at module load with `import.meta.url`.
 */
export function registerShareable(
  url: string,
  name: string,
  cls: Revivable,
): void {
  _revivers.set(`${name}@${url}`, cls);
}

// Entries of collected handles are dropped, so the map does not grow with
// every handle a long-running thread ever received.
const _forget = new FinalizationRegistry<number>((id) => {
  if (!_handles.get(id)?.deref()) _handles.delete(id);
});

/** How many handles this thread remembers (for tests). */
export function _rememberedHandles(): number {
  return _handles.size;
}

/** Remembers `obj` as this thread's handle for shared object `id`. */
export function rememberHandle(id: number, obj: object): void {
  _handles.set(id, new WeakRef(obj));
  _forget.register(obj, id);
}

function _isShareable(v: object): v is Shareable {
  return typeof (v as Shareable)[SHARE] === "function";
}

function _isPlain(v: object): boolean {
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** Whether `value` holds a shareable object anywhere that the codec looks. */
function _containsShareable(value: unknown, seen: Set<object>): boolean {
  if (typeof value !== "object" || value === null) return false;
  if (seen.has(value)) return false;
  seen.add(value);
  if (_isShareable(value)) return true;
  if (Array.isArray(value)) {
    return value.some((v) => _containsShareable(v, seen));
  }
  if (value instanceof Map) {
    for (const [k, v] of value) {
      if (_containsShareable(k, seen) || _containsShareable(v, seen)) {
        return true;
      }
    }
    return false;
  }
  if (value instanceof Set) {
    for (const v of value) if (_containsShareable(v, seen)) return true;
    return false;
  }
  if (_isPlain(value)) {
    for (const k in value) {
      if (_containsShareable((value as Record<string, unknown>)[k], seen)) {
        return true;
      }
    }
  }
  return false;
}

function _encode(value: unknown, memo: Map<object, unknown>): unknown {
  if (typeof value !== "object" || value === null) return value;
  if (memo.has(value)) return memo.get(value);
  if (_isShareable(value)) {
    const d = value[SHARE]();
    const marker: _Marker = {
      [_MARK]: true,
      url: d.url,
      name: d.name,
      id: d.id,
      state: undefined,
    };
    memo.set(value, marker);
    marker.state = _encode(d.state, memo);
    return marker;
  }
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    memo.set(value, out);
    for (const v of value) out.push(_encode(v, memo));
    return out;
  }
  if (value instanceof Map) {
    const out = new Map();
    memo.set(value, out);
    for (const [k, v] of value) out.set(_encode(k, memo), _encode(v, memo));
    return out;
  }
  if (value instanceof Set) {
    const out = new Set();
    memo.set(value, out);
    for (const v of value) out.add(_encode(v, memo));
    return out;
  }
  if (_isPlain(value)) {
    const out: Record<string, unknown> = Object.create(
      Object.getPrototypeOf(value),
    );
    memo.set(value, out);
    for (const k of Object.keys(value)) {
      out[k] = _encode((value as Record<string, unknown>)[k], memo);
    }
    return out;
  }
  return value;
}

/** A value ready for `postMessage`, and whether decoding has work to do. */
export interface Encoded {
  /** The value with shareables replaced by descriptors. */
  value: unknown;
  /** Whether any descriptor was written. */
  shared: boolean;
}

/**
 * Prepares `value` for `postMessage`: shareable objects become descriptors,
 * everything else is left for structured clone. Costs one walk when there is
 * nothing to share.
 */
export function encode(value: unknown): Encoded {
  if (!_containsShareable(value, new Set())) return { value, shared: false };
  return { value: _encode(value, new Map()), shared: true };
}

async function _revive(
  m: _Marker,
  memo: Map<object, unknown>,
): Promise<unknown> {
  const cached = _handles.get(m.id)?.deref();
  if (cached) return cached;
  const key = `${m.name}@${m.url}`;
  let cls = _revivers.get(key);
  if (!cls) {
    if (compiled) {
      throw new TypeError(
        `cannot rebuild shared object ${m.name}: its module (${m.url}) is not loaded in this thread`,
      );
    }
    const mod = await import(m.url);
    cls = _revivers.get(key) ?? mod[m.name];
    if (!cls || typeof cls._fromShared !== "function") {
      throw new TypeError(
        `cannot rebuild shared object: ${m.url} has no shareable export ${m.name}`,
      );
    }
  }
  const state = await _decode(m.state, memo);
  const again = _handles.get(m.id)?.deref();
  if (again) return again;
  const obj = await cls._fromShared(state, m.id) as object;
  rememberHandle(m.id, obj);
  return obj;
}

async function _decode(
  value: unknown,
  memo: Map<object, unknown>,
): Promise<unknown> {
  if (typeof value !== "object" || value === null) return value;
  if (memo.has(value)) return memo.get(value);
  if ((value as _Marker)[_MARK] === true) {
    const obj = await _revive(value as _Marker, memo);
    memo.set(value, obj);
    return obj;
  }
  if (Array.isArray(value)) {
    memo.set(value, value);
    for (let i = 0; i < value.length; i++) {
      value[i] = await _decode(value[i], memo);
    }
    return value;
  }
  if (value instanceof Map) {
    const out = new Map();
    memo.set(value, out);
    for (const [k, v] of value) {
      out.set(await _decode(k, memo), await _decode(v, memo));
    }
    return out;
  }
  if (value instanceof Set) {
    const out = new Set();
    memo.set(value, out);
    for (const v of value) out.add(await _decode(v, memo));
    return out;
  }
  if (_isPlain(value)) {
    memo.set(value, value);
    const rec = value as Record<string, unknown>;
    for (const k of Object.keys(rec)) rec[k] = await _decode(rec[k], memo);
  }
  return value;
}

/** Rebuilds what {@linkcode encode} produced, after structured clone. */
export async function decode(encoded: Encoded): Promise<unknown> {
  if (!encoded.shared) return encoded.value;
  return await _decode(encoded.value, new Map());
}

/** An error flattened for structured clone. */
export interface ErrorRecord {
  /** Marks the record. */
  __error: true;
  /** `error.name`. */
  name: string;
  /** `error.message`. */
  message: string;
  /** `error.stack`. */
  stack?: string;
  /** `error.cause`, itself flattened when it is an error. */
  cause?: unknown;
  /** Own enumerable properties that structured clone can carry. */
  props: Record<string, unknown>;
  /** The thrown value when it was not an `Error` at all. */
  value?: unknown;
}

/** Flattens a thrown value so it survives `postMessage` with all its detail. */
export function errorToRecord(err: unknown): ErrorRecord {
  if (!(err instanceof Error)) {
    let value: unknown = err;
    try {
      structuredClone(err);
    } catch {
      value = String(err);
    }
    return { __error: true, name: "", message: "", props: {}, value };
  }
  const props: Record<string, unknown> = {};
  for (const k of Object.keys(err)) {
    if (k === "name" || k === "message" || k === "stack" || k === "cause") {
      continue;
    }
    const v = (err as unknown as Record<string, unknown>)[k];
    try {
      props[k] = v instanceof Error ? errorToRecord(v) : structuredClone(v);
    } catch {
      props[k] = String(v);
    }
  }
  let cause: unknown = undefined;
  if ("cause" in err) {
    cause = err.cause instanceof Error ? errorToRecord(err.cause) : err.cause;
    try {
      structuredClone(cause);
    } catch {
      cause = String(err.cause);
    }
  }
  return {
    __error: true,
    name: err.name,
    message: err.message,
    stack: err.stack,
    cause,
    props,
  };
}

const _builtin: Record<string, ErrorConstructor> = {
  Error,
  TypeError,
  RangeError,
  SyntaxError,
  ReferenceError,
  EvalError,
  URIError,
};

/** Rebuilds an error from its record, as an instance of its class where known. */
export function recordToError(rec: ErrorRecord): unknown {
  if (rec.name === "" && rec.message === "" && "value" in rec) return rec.value;
  const cls = lookupError(rec.name) ?? _builtin[rec.name] ?? Error;
  const err = Object.create(cls.prototype) as Error;
  Object.defineProperty(err, "message", {
    value: rec.message,
    writable: true,
    configurable: true,
  });
  Object.defineProperty(err, "name", {
    value: rec.name,
    writable: true,
    configurable: true,
  });
  Object.defineProperty(err, "stack", {
    value: rec.stack,
    writable: true,
    configurable: true,
  });
  if (rec.cause !== undefined) {
    const c = rec.cause as ErrorRecord;
    const cause = c && typeof c === "object" && c.__error === true
      ? recordToError(c)
      : rec.cause;
    Object.defineProperty(err, "cause", {
      value: cause,
      writable: true,
      configurable: true,
    });
  }
  for (const [k, v] of Object.entries(rec.props)) {
    const r = v as ErrorRecord;
    (err as unknown as Record<string, unknown>)[k] =
      r && typeof r === "object" && r.__error === true ? recordToError(r) : v;
  }
  return err;
}
