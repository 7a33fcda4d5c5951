/**
 * The codec that carries arguments and results across a worker boundary.
 *
 * Everything travels by structured clone, except the library's shareable
 * objects (locks, events, queues, shared values...): those are replaced by a
 * small descriptor naming their class and their shared memory, and the
 * receiving thread rebuilds a live handle to the same memory. Errors, and
 * instances of classes registered with `registerClass` (`classes.ts`), are
 * replaced by markers too, and come back as instances of their class with
 * their own fields (errors with name, message, stack and cause). Markers
 * are found at any depth inside arrays, plain objects, `Map`s, `Set`s and
 * other objects' own fields. The walk that looks for them also finds what
 * structured clone would refuse (`clone_check.ts`).
 *
 * @module
 */
import { lookupError, registeredErrorName } from "../core/errors.ts";
import { compiled } from "../runtime/entry.ts";
import { classNameOf, lookupClass } from "./classes.ts";
import { cloneError, isUncloneableObject, Uncloneable } from "./clone_check.ts";

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

/** What a marker stands for: a shareable (`true`), a class instance, an error. */
type _Kind = true | "class" | "error";

/** A registered class's instance: its class's registered name and own fields. */
interface _ClassMarker {
  [_MARK]: "class";
  name: string;
  fields: Record<string, unknown>;
}

/** An error, with its cause and own fields encoded like any value. */
interface _ErrorMarker {
  [_MARK]: "error";
  record: ErrorRecord;
}

/** How a walk treats shareable objects, and what it found. */
interface _Ctx {
  /** Leave shareables to structured clone (error properties). */
  opaque: boolean;
  /** Throw a TypeError with this message at a shareable (queue items). */
  reject: string | null;
  /** Set when a descriptor was written. */
  handles: boolean;
}

// One Set serves every scan (there is no await inside one); a scan that
// starts while another runs (from a getter) gets its own.
const _seen = new Set<object>();
let _scanning = false;

/**
 * Whether `value` holds anything {@linkcode _encode} has to replace: a
 * shareable (unless `opaque`), an error, an instance of a registered
 * class. Looks through arrays, plain objects, Maps and Sets, and through
 * the own fields of other class instances (structured clone copies those
 * as a plain object); not through binary data. Throws
 * {@linkcode Uncloneable} at a value structured clone would refuse.
 */
function _scan(value: unknown, seen: Set<object>, opaque: boolean): boolean {
  if (typeof value !== "object") {
    if (typeof value === "function" || typeof value === "symbol") {
      throw new Uncloneable(value);
    }
    return false;
  }
  if (value === null || seen.has(value)) return false;
  seen.add(value);
  if (_isShareable(value)) return !opaque;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      if (_scan(value[i], seen, opaque)) return true;
    }
    return false;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto === Object.prototype || proto === null) {
    for (const k in value) {
      if (_scan((value as Record<string, unknown>)[k], seen, opaque)) {
        return true;
      }
    }
    return false;
  }
  if (value instanceof Map) {
    for (const [k, v] of value) {
      if (_scan(k, seen, opaque) || _scan(v, seen, opaque)) return true;
    }
    return false;
  }
  if (value instanceof Set) {
    for (const v of value) if (_scan(v, seen, opaque)) return true;
    return false;
  }
  return _scanOther(value, proto, seen, opaque);
}

/** {@linkcode _scan} for an object that is not a plain container. */
function _scanOther(
  value: object,
  proto: object,
  seen: Set<object>,
  opaque: boolean,
): boolean {
  if (ArrayBuffer.isView(value) || proto === Date.prototype) return false;
  if (value instanceof Error || classNameOf(proto) !== undefined) return true;
  if (value instanceof ArrayBuffer) return false;
  if (isUncloneableObject(value)) throw new Uncloneable(value);
  const rec = value as Record<string, unknown>;
  for (const k of Object.keys(rec)) {
    if (_scan(rec[k], seen, opaque)) return true;
  }
  return false;
}

function _scanRoot(value: unknown, opaque: boolean): boolean {
  if (typeof value !== "object" || value === null) {
    return _scan(value, _seen, opaque);
  }
  if (_scanning) return _scan(value, new Set(), opaque);
  _scanning = true;
  try {
    return _scan(value, _seen, opaque);
  } finally {
    _scanning = false;
    _seen.clear();
  }
}

function _encode(
  value: unknown,
  memo: Map<object, unknown>,
  ctx: _Ctx,
): unknown {
  if (typeof value !== "object") {
    if (typeof value === "function" || typeof value === "symbol") {
      throw new Uncloneable(value);
    }
    return value;
  }
  if (value === null) return value;
  if (memo.has(value)) return memo.get(value);
  if (_isShareable(value)) {
    if (ctx.opaque) return value;
    if (ctx.reject !== null) throw new TypeError(ctx.reject);
    ctx.handles = true;
    const d = value[SHARE]();
    const marker: _Marker = {
      [_MARK]: true,
      url: d.url,
      name: d.name,
      id: d.id,
      state: undefined,
    };
    memo.set(value, marker);
    marker.state = _encode(d.state, memo, ctx);
    return marker;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto === Object.prototype || proto === null) {
    const out: Record<string, unknown> = Object.create(proto);
    memo.set(value, out);
    for (const k of Object.keys(value)) {
      out[k] = _encode((value as Record<string, unknown>)[k], memo, ctx);
    }
    return out;
  }
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    memo.set(value, out);
    for (const v of value) out.push(_encode(v, memo, ctx));
    return out;
  }
  if (value instanceof Map) {
    const out = new Map();
    memo.set(value, out);
    for (const [k, v] of value) {
      out.set(_encode(k, memo, ctx), _encode(v, memo, ctx));
    }
    return out;
  }
  if (value instanceof Set) {
    const out = new Set();
    memo.set(value, out);
    for (const v of value) out.add(_encode(v, memo, ctx));
    return out;
  }
  if (value instanceof Error) {
    const record = _recordHead(value);
    const marker: _ErrorMarker = { [_MARK]: "error", record };
    memo.set(value, marker);
    const rec = value as unknown as Record<string, unknown>;
    for (const k of Object.keys(rec)) {
      if (!_ERROR_KEYS.has(k)) {
        _setField(record.props, k, _encode(rec[k], memo, ctx));
      }
    }
    if ("cause" in value) record.cause = _encode(value.cause, memo, ctx);
    return marker;
  }
  const name = classNameOf(proto);
  const rec = value as Record<string, unknown>;
  if (name !== undefined) {
    const fields: Record<string, unknown> = {};
    const marker: _ClassMarker = { [_MARK]: "class", name, fields };
    memo.set(value, marker);
    for (const k of Object.keys(rec)) {
      _setField(fields, k, _encode(rec[k], memo, ctx));
    }
    return marker;
  }
  // Anything else (binary data, a Date, an instance of a class that is not
  // registered) is left to structured clone, unless it holds something to
  // replace: then it becomes the plain object structured clone would make.
  if (!_scanOther(value, proto, new Set([value]), ctx.opaque)) return value;
  const out: Record<string, unknown> = {};
  memo.set(value, out);
  for (const k of Object.keys(rec)) {
    _setField(out, k, _encode(rec[k], memo, ctx));
  }
  return out;
}

/** A value ready for `postMessage`, and whether decoding has work to do. */
export interface Encoded {
  /** The value with shareables, errors and registered class instances replaced by markers. */
  value: unknown;
  /**
   * Whether any marker was written, so {@linkcode decode} has work to do
   * (a shareable's descriptor, an error, a registered class's instance).
   */
  shared: boolean;
  /** Whether a shareable's descriptor was written (a live handle to rebuild). */
  handles?: boolean;
}

/** What a value is and where it goes, for the messages of {@linkcode encode}. */
export interface EncodeOptions {
  /** The value's name, the root of the path in a message: "args" (the default), "result", "item"... */
  root?: string;
  /** Where it goes: "another thread" (the default), "another process", "the caller". */
  to?: string;
  /**
   * What a shareable object becomes: a descriptor and then a live handle
   * (`undefined`, the default), or a `TypeError` with this message.
   */
  reject?: string;
}

function _cloneFailure(
  err: unknown,
  value: unknown,
  options: EncodeOptions | undefined,
): unknown {
  if (!(err instanceof Uncloneable)) return err;
  return cloneError(
    value,
    err.value,
    options?.root ?? "args",
    options?.to ?? "another thread",
  );
}

/**
 * Whether {@linkcode encode} would replace anything in `value` (one walk,
 * with the same checks).
 *
 * @throws {DataCloneError} a value that cannot be cloned (a function, a symbol...).
 */
export function needsEncoding(
  value: unknown,
  options?: EncodeOptions,
): boolean {
  try {
    return _scanRoot(value, false);
  } catch (err) {
    throw _cloneFailure(err, value, options);
  }
}

/**
 * Prepares `value` for `postMessage`: shareable objects become
 * descriptors, errors and instances of registered classes become markers,
 * everything else is left for structured clone. Costs one walk when there
 * is nothing to replace.
 *
 * @throws {DataCloneError} a value structured clone cannot carry (a function, a symbol, a Promise, a weak reference), named by its path from `options.root`.
 * @throws {TypeError} a shareable object when `options.reject` is given.
 */
export function encode(value: unknown, options?: EncodeOptions): Encoded {
  try {
    if (!_scanRoot(value, false)) return { value, shared: false };
    const ctx: _Ctx = {
      opaque: false,
      reject: options?.reject ?? null,
      handles: false,
    };
    const out = _encode(value, new Map(), ctx);
    return { value: out, shared: true, handles: ctx.handles };
  } catch (err) {
    throw _cloneFailure(err, value, options);
  }
}

/** Encodes a value of an error record, or gives its string when it cannot travel. */
function _safe(value: unknown): unknown {
  try {
    const out = _scanRoot(value, true)
      ? _encode(value, new Map(), {
        opaque: true,
        reject: null,
        handles: false,
      })
      : value;
    structuredClone(out);
    return out;
  } catch {
    return String(value);
  }
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
  const state = await _decode(m.state, memo, true);
  const again = _handles.get(m.id)?.deref();
  if (again) return again;
  const obj = await cls._fromShared(state, m.id) as object;
  rememberHandle(m.id, obj);
  return obj;
}

/**
 * Sets an own field as the original had it: defined, not assigned, so a
 * setter of the class or a `__proto__` key does not intercept it.
 */
function _setField(obj: object, key: string, value: unknown): void {
  Object.defineProperty(obj, key, {
    value,
    writable: true,
    enumerable: true,
    configurable: true,
  });
}

/** A registered class's instance, without its fields yet (as pickle, no constructor call). */
function _classShell(m: _ClassMarker, lenient: boolean): object {
  const cls = lookupClass(m.name);
  if (cls !== undefined) return Object.create(cls.prototype);
  if (lenient) return {};
  throw new TypeError(
    `cannot rebuild an instance of class ${m.name}: no class is registered under that name here; ` +
      `call registerClass(${m.name}) in a module this thread or process imports ` +
      `(the module of a { module, name } target, or of an initializer)`,
  );
}

function _noHandles(m: _Marker): TypeError {
  return new TypeError(
    `a shared ${m.name} cannot be received here: only values, errors and registered classes come back from a child process of this pool`,
  );
}

async function _decode(
  value: unknown,
  memo: Map<object, unknown>,
  handles: boolean,
): Promise<unknown> {
  if (typeof value !== "object" || value === null) return value;
  if (memo.has(value)) return memo.get(value);
  const kind = (value as { [_MARK]?: _Kind })[_MARK];
  if (kind === true) {
    if (!handles) throw _noHandles(value as _Marker);
    const obj = await _revive(value as _Marker, memo);
    memo.set(value, obj);
    return obj;
  }
  if (kind === "class") {
    const m = value as _ClassMarker;
    const obj = _classShell(m, false);
    memo.set(value, obj);
    for (const k of Object.keys(m.fields)) {
      _setField(obj, k, await _decode(m.fields[k], memo, handles));
    }
    return obj;
  }
  if (kind === "error") {
    const rec = (value as _ErrorMarker).record;
    const err = _errorShell(rec);
    memo.set(value, err);
    if (rec.cause !== undefined) {
      _setCause(err, await _decode(rec.cause, memo, handles));
    }
    for (const k of Object.keys(rec.props)) {
      _setField(err, k, await _decode(rec.props[k], memo, handles));
    }
    return err;
  }
  if (Array.isArray(value)) {
    memo.set(value, value);
    for (let i = 0; i < value.length; i++) {
      value[i] = await _decode(value[i], memo, handles);
    }
    return value;
  }
  if (value instanceof Map) {
    const out = new Map();
    memo.set(value, out);
    for (const [k, v] of value) {
      out.set(
        await _decode(k, memo, handles),
        await _decode(v, memo, handles),
      );
    }
    return out;
  }
  if (value instanceof Set) {
    const out = new Set();
    memo.set(value, out);
    for (const v of value) out.add(await _decode(v, memo, handles));
    return out;
  }
  if (_isPlain(value)) {
    memo.set(value, value);
    const rec = value as Record<string, unknown>;
    for (const k of Object.keys(rec)) {
      rec[k] = await _decode(rec[k], memo, handles);
    }
  }
  return value;
}

/**
 * Rebuilds what {@linkcode encode} produced, after structured clone. With
 * `handles` false, a shareable's descriptor is a `TypeError` (a pool whose
 * children may not hand back shared objects).
 */
export async function decode(
  encoded: Encoded,
  handles = true,
): Promise<unknown> {
  if (!encoded.shared) return encoded.value;
  return await _decode(encoded.value, new Map(), handles);
}

/** A shareable's descriptor, as {@linkcode decodeSync} hands it to its reviver. */
export interface SharedMarker {
  /** The URL of the module that exports the class. */
  url: string;
  /** The export name of the class. */
  name: string;
  /** The program-wide id of the object. */
  id: number;
}

/** Rebuilds a handle from its descriptor and decoded state, without waiting. */
export type SyncReviver = (marker: SharedMarker, state: unknown) => unknown;

function _decodeSync(
  value: unknown,
  memo: Map<object, unknown>,
  revive: SyncReviver | null,
  lenient: boolean,
): unknown {
  if (typeof value !== "object" || value === null) return value;
  if (memo.has(value)) return memo.get(value);
  const kind = (value as { [_MARK]?: _Kind })[_MARK];
  if (kind === true) {
    if (revive === null) return value;
    const m = value as _Marker;
    const obj = revive(m, _decodeSync(m.state, memo, revive, lenient));
    memo.set(value, obj);
    return obj;
  }
  if (kind === "class") {
    const m = value as _ClassMarker;
    const obj = _classShell(m, lenient);
    memo.set(value, obj);
    for (const k of Object.keys(m.fields)) {
      _setField(obj, k, _decodeSync(m.fields[k], memo, revive, lenient));
    }
    return obj;
  }
  if (kind === "error") {
    const rec = (value as _ErrorMarker).record;
    const err = _errorShell(rec);
    memo.set(value, err);
    _fillError(err, rec, memo, revive, lenient);
    return err;
  }
  if (Array.isArray(value)) {
    memo.set(value, value);
    for (let i = 0; i < value.length; i++) {
      value[i] = _decodeSync(value[i], memo, revive, lenient);
    }
    return value;
  }
  if (value instanceof Map) {
    const out = new Map();
    memo.set(value, out);
    for (const [k, v] of value) {
      out.set(
        _decodeSync(k, memo, revive, lenient),
        _decodeSync(v, memo, revive, lenient),
      );
    }
    return out;
  }
  if (value instanceof Set) {
    const out = new Set();
    memo.set(value, out);
    for (const v of value) out.add(_decodeSync(v, memo, revive, lenient));
    return out;
  }
  if (_isPlain(value)) {
    memo.set(value, value);
    const rec = value as Record<string, unknown>;
    for (const k of Object.keys(rec)) {
      rec[k] = _decodeSync(rec[k], memo, revive, lenient);
    }
  }
  return value;
}

function _fillError(
  err: Error,
  rec: ErrorRecord,
  memo: Map<object, unknown>,
  revive: SyncReviver | null,
  lenient: boolean,
): void {
  if (rec.cause !== undefined) {
    _setCause(err, _decodeSync(rec.cause, memo, revive, lenient));
  }
  for (const k of Object.keys(rec.props)) {
    _setField(err, k, _decodeSync(rec.props[k], memo, revive, lenient));
  }
}

/**
 * Rebuilds, without waiting, what {@linkcode encode} produced (the value
 * itself, not the {@linkcode Encoded} around it): errors and registered
 * class instances, and shareables through `revive` (left as descriptors
 * when it is `null`).
 *
 * @throws {TypeError} an instance of a class not registered here.
 */
export function decodeSync(
  value: unknown,
  revive: SyncReviver | null = null,
): unknown {
  return _decodeSync(value, new Map(), revive, false);
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
  /** `error.cause`, encoded like a value (an error in it as a marker). */
  cause?: unknown;
  /** Own enumerable properties, encoded like values (strings when they cannot travel). */
  props: Record<string, unknown>;
  /** The name its nearest registered class is registered under, if any. */
  cls?: string;
  /** Whether it is a `DOMException` (rebuilt as one). */
  dom?: boolean;
  /** The thrown value when it was not an `Error` at all. */
  value?: unknown;
}

const _ERROR_KEYS = new Set(["name", "message", "stack", "cause"]);

const _hasDOMException = typeof DOMException === "function";

/** A record of `err` without its cause and properties. */
function _recordHead(err: Error): ErrorRecord {
  const rec: ErrorRecord = {
    __error: true,
    name: err.name,
    message: err.message,
    stack: err.stack,
    props: {},
  };
  const cls = registeredErrorName(err);
  if (cls !== undefined) rec.cls = cls;
  if (_hasDOMException && err instanceof DOMException) rec.dom = true;
  return rec;
}

/**
 * Flattens a thrown value so it survives `postMessage` with all its
 * detail: name, message, stack, cause and own properties, and the name of
 * its registered class.
 */
export function errorToRecord(err: unknown): ErrorRecord {
  if (!(err instanceof Error)) {
    return {
      __error: true,
      name: "",
      message: "",
      props: {},
      value: _safe(err),
    };
  }
  const rec = _recordHead(err);
  const own = err as unknown as Record<string, unknown>;
  for (const k of Object.keys(own)) {
    if (!_ERROR_KEYS.has(k)) _setField(rec.props, k, _safe(own[k]));
  }
  if ("cause" in err) rec.cause = _safe(err.cause);
  return rec;
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

function _define(err: object, key: string, value: unknown): void {
  Object.defineProperty(err, key, {
    value,
    writable: true,
    configurable: true,
  });
}

function _setCause(err: Error, cause: unknown): void {
  _define(err, "cause", cause);
}

/** An error of the record's class with its name, message and stack (no cause or properties yet). */
function _errorShell(rec: ErrorRecord): Error {
  if (rec.dom && _hasDOMException) {
    const err = new DOMException(rec.message, rec.name);
    _define(err, "stack", rec.stack);
    return err;
  }
  const cls = (rec.cls !== undefined ? lookupError(rec.cls) : undefined) ??
    lookupError(rec.name) ?? _builtin[rec.name] ?? Error;
  const err = Object.create(cls.prototype) as Error;
  _define(err, "message", rec.message);
  _define(err, "name", rec.name);
  _define(err, "stack", rec.stack);
  return err;
}

/** Rebuilds an error from its record, as an instance of its class where known. */
export function recordToError(rec: ErrorRecord): unknown {
  if (rec.name === "" && rec.message === "" && "value" in rec) {
    return _decodeSync(rec.value, new Map(), null, true);
  }
  const err = _errorShell(rec);
  _fillError(err, rec, new Map(), null, true);
  return err;
}
