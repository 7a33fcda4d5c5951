/**
 * {@linkcode BaseProxy}, the base of every shared object: a handle naming
 * an object served by the process that created it, and often a block of
 * shared memory too, that travels to other processes and threads as a live
 * handle. Also the per-thread reference counts that free the object, and
 * the registry that rebuilds arriving handles (filled by
 * `_proxy_classes.ts`).
 *
 * Design: docs/design/multiprocessing.md
 *
 * @module
 */
import { nextObjectId } from "../_internal/runtime/agent.ts";
import {
  registerShareable,
  SHARE,
  type SharedDescriptor,
} from "../_internal/share/codec.ts";
import {
  ownAddress,
  post,
  postNow,
  release,
  request,
  requestSync,
} from "../_internal/mp/client.ts";
import { PROCESS_SHAREABLE } from "../_internal/mp/encode.ts";
import type { ObjectInit } from "../_internal/mp/wire.ts";
import { pid } from "../_internal/runtime/adapter.ts";
import {
  shmAlloc,
  type ShmCell,
  shmCell,
  shmFree,
  type ShmLoc,
  shmOwns,
} from "../_internal/shm/arena.ts";

/** Where a shared object lives: its server, its id, and how to build it there. */
export interface ProxyRef {
  /** The server's address. */
  address: string;
  /** The object's id, unique across processes (negative, so it never meets a threading object's id). */
  oid: number;
  /** How the server builds it on first sight. */
  init: ObjectInit;
  /** What else a handle needs (a Value's lock, a Barrier's action...). */
  extra?: unknown;
  /** The handle's id for the codec when it differs from `oid` (the two ends of a pipe). */
  hid?: number;
}

let _pending: ProxyRef | null = null;

/** In a constructor: the ref of a handle being rebuilt from a descriptor, else `null`. */
export function _adopting(): ProxyRef | null {
  const p = _pending;
  _pending = null;
  return p;
}

/** Hands `ref` to the next proxy constructor (a subclass passing its own ref up). */
export function _preset(ref: ProxyRef): void {
  _pending = ref;
}

/** A fresh object id, unique across processes. */
export function _newOid(): number {
  return -(pid() * 2 ** 21 + nextObjectId());
}

/** A ref for a new object of `kind` on this thread's server (or on `address`). */
export function _newRef(
  kind: string,
  state: unknown,
  extra?: unknown,
  address: string = ownAddress(),
): ProxyRef {
  return {
    address,
    oid: _newOid(),
    init: { k: kind, s: state },
    extra,
  };
}

/**
 * A block of `bytes` bytes of shared memory for a new object's state
 * (mechanism (2), see `_internal/shm/arena.ts`), or `null` when this thread
 * cannot map shared memory: the object is then served by this thread's
 * server alone (mechanism (1)). The block goes in the object's init state
 * as `m`, so the server works on the same words.
 */
export function _shmBlock(bytes: number): ShmLoc | null {
  return shmAlloc(bytes);
}

/** The block named by an init state's `m`, if any. */
function _locOf(init: ObjectInit): ShmLoc | null {
  const s = init.s as { m?: ShmLoc } | null;
  return s !== null && typeof s === "object" && s.m ? s.m : null;
}

/** Every block an init state names: `m`, or the rings `r` of a pipe. */
function _locsOf(init: ObjectInit): ShmLoc[] {
  const m = _locOf(init);
  if (m) return [m];
  const s = init.s as { r?: (ShmLoc | null)[] } | null;
  if (s === null || typeof s !== "object" || !Array.isArray(s.r)) return [];
  return s.r.filter((l): l is ShmLoc => l !== null);
}

// ---------------------------------------------------------------------------
// Reference counting (see _internal/mp/server.ts): this thread tells a
// server it holds an object the first time it names it (or adopts a handle
// that arrived), and that it holds it no more once its last handle here is
// closed or collected. An object in shared memory whose handles never left
// the thread that made it is unknown to the server: that thread frees its
// block itself.

/** Live handles of this thread per object, and where the object lives. */
const _counts = new Map<
  number,
  { n: number; address: string; kind: string; m: ShmLoc[] }
>();
/** Objects this thread has named to their server (so it must release them). */
const _touched = new Set<number>();
/** This thread's handle for each object id (a pipe's ends have two). */
const _live = new Map<number, WeakRef<BaseProxy>>();
/** The ref of the handle `_fromShared` is rebuilding. */
let _reviving: ProxyRef | null = null;

function _let(oid: number, hid: number): void {
  const w = _live.get(hid);
  if (w && w.deref() === undefined) _live.delete(hid);
  const c = _counts.get(oid);
  if (!c || --c.n > 0) return;
  _counts.delete(oid);
  if (_touched.delete(oid)) release(c.address, oid, c.kind);
  else for (const m of c.m) shmFree(m);
}

const _registry = new FinalizationRegistry<{ oid: number; hid: number }>(
  (h) => _let(h.oid, h.hid),
);

interface _ProxyClass {
  _shareUrl?: string;
  _shareName?: string;
}

/** The proxy classes this thread has loaded, by `name@url`. */
const _classes = new Map<string, typeof BaseProxy>();

/**
 * Registers a proxy class so its handles can be rebuilt in any process.
 * Only `_proxy_classes.ts` calls it, for every class at once and with its
 * own URL: see there why.
 */
export function _registerProxy(
  cls: (abstract new (...a: never[]) => BaseProxy) & _ProxyClass,
  url: string,
  name: string,
): void {
  cls._shareUrl = url;
  cls._shareName = name;
  registerShareable(url, name, cls as never);
  _classes.set(`${name}@${url}`, cls as unknown as typeof BaseProxy);
}

function _revive(cls: typeof BaseProxy, ref: ProxyRef): BaseProxy {
  const live = _live.get(ref.hid ?? ref.oid)?.deref();
  if (live && live._reusable()) {
    live._readopt(ref);
    return live;
  }
  _pending = ref;
  _reviving = ref;
  try {
    return new (cls as unknown as new () => BaseProxy)();
  } finally {
    _pending = null;
    _reviving = null;
  }
}

/** Rebuilds a handle from a descriptor, without waiting. */
export function _reviveSync(
  url: string,
  name: string,
  state: unknown,
): BaseProxy {
  const cls = _classes.get(`${name}@${url}`);
  if (!cls) {
    throw new TypeError(
      `cannot rebuild a shared ${name} in this process: import the multiprocessing module here first`,
    );
  }
  return _revive(cls, state as ProxyRef);
}

/**
 * The base of every shared object of this module, as Python's
 * `multiprocessing.managers.BaseProxy`: a handle that names an object
 * served by the process that created it and reaches it over a local
 * socket (locks, semaphores, events, values and arrays live in shared
 * memory, and use the socket only where that memory cannot be mapped). Passed to a child process or a pool task (or a thread), it
 * arrives as a live handle to the same object. Not made directly: use
 * the subclasses.
 *
 * @example
 * ```ts
 * import { BaseProxy, Lock } from "@pyconc/pyconc/multiprocessing";
 * console.assert(new Lock() instanceof BaseProxy);
 * ```
 */
export abstract class BaseProxy {
  readonly #ref: ProxyRef;
  #released = false;
  /**
   * @internal The object's block of shared memory as mapped here, or
   * `null` when the object is only served by its process (it has no
   * block, or this thread cannot map it).
   */
  readonly _cell: ShmCell | null;

  /** @internal Subclasses pass the object's ref. */
  constructor(ref: ProxyRef) {
    this.#ref = ref;
    const loc = _locOf(ref.init);
    this._cell = shmCell(loc);
    const hid = ref.hid ?? ref.oid;
    _live.set(hid, new WeakRef(this));
    const c = _counts.get(ref.oid);
    if (c) c.n++;
    else {
      _counts.set(ref.oid, {
        n: 1,
        address: ref.address,
        kind: ref.init.k,
        m: _locsOf(ref.init).filter(shmOwns),
      });
    }
    _registry.register(this, { oid: ref.oid, hid }, this);
    // A queue in this thread's memory is known to the server at once.
    if (ref.init.k === "squeue" && ref !== _reviving) _touched.add(ref.oid);
    if (ref === _reviving) this._adopt();
  }

  /** @internal Tells the server this thread holds a handle that arrived. */
  _adopt(): void {
    const r = this.#ref;
    _touched.add(r.oid);
    void post(r.address, r.oid, r.init, "_adopt", []).catch(() => {});
  }

  /**
   * @internal Gives up this handle (a closed connection): the object is
   * freed once no handle to it is left anywhere.
   */
  _release(): void {
    if (this.#released) return;
    this.#released = true;
    _registry.unregister(this);
    _let(this.#ref.oid, this.#ref.hid ?? this.#ref.oid);
  }

  /** @internal Whether `_fromShared` may hand out this handle again. */
  _reusable(): boolean {
    return !this.#released;
  }

  /** @internal The object's ref. */
  get _ref(): ProxyRef {
    return this.#ref;
  }

  /** @internal Calls a method on the server. */
  _call(m: string, ...args: unknown[]): Promise<unknown> {
    const r = this.#ref;
    _touched.add(r.oid);
    return request(r.address, r.oid, r.init, m, args);
  }

  /** @internal Calls a method on the server, blocking this thread. */
  _callSync(m: string, ...args: unknown[]): unknown {
    const r = this.#ref;
    _touched.add(r.oid);
    return requestSync(r.address, r.oid, r.init, m, args);
  }

  /** @internal Sends a method call without waiting for its outcome. */
  _post(m: string, ...args: unknown[]): Promise<void> {
    const r = this.#ref;
    _touched.add(r.oid);
    return post(r.address, r.oid, r.init, m, args);
  }

  /**
   * @internal Like `_post`, but a value that cannot be encoded throws here
   * instead of rejecting.
   */
  _postNow(m: string, ...args: unknown[]): Promise<void> {
    const r = this.#ref;
    _touched.add(r.oid);
    return postNow(r.address, r.oid, r.init, m, args);
  }

  /** @internal Called when the handle is being sent to another process or thread. */
  _onShare(): unknown {
    return this.#ref;
  }

  /** @internal Describes this object for another process or thread. */
  [SHARE](): SharedDescriptor {
    const cls = this.constructor as _ProxyClass;
    if (cls._shareUrl === undefined) {
      throw new TypeError(
        `cannot share a ${this.constructor.name}: import the multiprocessing module first`,
      );
    }
    const state = this._onShare();
    // The handle on its way holds the object until it is adopted.
    this._post("_share").catch(() => {});
    return {
      url: cls._shareUrl,
      name: cls._shareName!,
      // A fresh id for each trip, so the receiver always calls
      // `_fromShared`, which adopts (and reuses a live handle itself).
      id: _newOid(),
      state,
    };
  }

  /**
   * @internal Rebuilds a handle in another process or thread. The codec
   * found this class by importing the descriptor's URL, `_proxy_classes.ts`,
   * so every other proxy class is registered here too.
   */
  static _fromShared(state: unknown, _id: number): unknown {
    return _revive(this, state as ProxyRef);
  }

  /** @internal A handle to this object arrived again: adopt it, keep this one. */
  _readopt(_ref: ProxyRef): void {
    this._adopt();
  }
}
(BaseProxy.prototype as unknown as Record<symbol, boolean>)[PROCESS_SHAREABLE] =
  true;
