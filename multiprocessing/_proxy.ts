// The base of every multiprocessing shared object: a handle naming an object
// served by the process that created it (see _internal/mp_wire.ts), that
// travels to other processes and threads as a live handle.
import { nextObjectId } from "../_internal/agent.ts";
import {
  registerShareable,
  rememberHandle,
  SHARE,
  type SharedDescriptor,
} from "../_internal/codec.ts";
import {
  ownAddress,
  post,
  postNow,
  request,
  requestSync,
} from "../_internal/mp_client.ts";
import { PROCESS_SHAREABLE } from "../_internal/mp_encode.ts";
import type { ObjectInit } from "../_internal/mp_wire.ts";
import { pid } from "../_internal/runtime.ts";

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

interface _ProxyClass {
  _shareUrl?: string;
  _shareName?: string;
}

/** Registers a proxy class so its handles can be rebuilt in any process. */
export function _registerProxy(
  cls: (abstract new (...a: never[]) => BaseProxy) & _ProxyClass,
  url: string,
  name: string,
): void {
  cls._shareUrl = url;
  cls._shareName = name;
  registerShareable(url, name, cls as never);
}

/**
 * The base of every shared object of this module, as Python's
 * `multiprocessing.managers.BaseProxy`: a handle that names an object
 * served by the process that created it and reaches it over a local
 * socket. Passed to a child process or a pool task (or a thread), it
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

  /** @internal Subclasses pass the object's ref. */
  constructor(ref: ProxyRef) {
    this.#ref = ref;
    rememberHandle(ref.hid ?? ref.oid, this);
  }

  /** @internal The object's ref. */
  get _ref(): ProxyRef {
    return this.#ref;
  }

  /** @internal Calls a method on the server. */
  _call(m: string, ...args: unknown[]): Promise<unknown> {
    const r = this.#ref;
    return request(r.address, r.oid, r.init, m, args);
  }

  /** @internal Calls a method on the server, blocking this thread. */
  _callSync(m: string, ...args: unknown[]): unknown {
    const r = this.#ref;
    return requestSync(r.address, r.oid, r.init, m, args);
  }

  /** @internal Sends a method call without waiting for its outcome. */
  _post(m: string, ...args: unknown[]): Promise<void> {
    const r = this.#ref;
    return post(r.address, r.oid, r.init, m, args);
  }

  /**
   * @internal Like `_post`, but a value that cannot be encoded throws here
   * instead of rejecting.
   */
  _postNow(m: string, ...args: unknown[]): Promise<void> {
    const r = this.#ref;
    return postNow(r.address, r.oid, r.init, m, args);
  }

  /** @internal Called when the handle is being sent to another process or thread. */
  _onShare(): unknown {
    return this.#ref;
  }

  /** @internal Describes this object for another process or thread. */
  [SHARE](): SharedDescriptor {
    const cls = this.constructor as _ProxyClass;
    return {
      url: cls._shareUrl!,
      name: cls._shareName!,
      id: this.#ref.hid ?? this.#ref.oid,
      state: this._onShare(),
    };
  }

  /** @internal Rebuilds a handle in another process or thread. */
  static _fromShared(state: unknown, _id: number): unknown {
    _pending = state as ProxyRef;
    try {
      return new (this as unknown as new () => BaseProxy)();
    } finally {
      _pending = null;
    }
  }
}
(BaseProxy.prototype as unknown as Record<symbol, boolean>)[PROCESS_SHAREABLE] =
  true;
