/**
 * local: an object whose attributes each thread sees separately.
 *
 * @module
 */
import {
  registerShareable,
  SHARE,
  type SharedDescriptor,
  shareUrl,
} from "../_internal/share/codec.ts";
import { nextObjectId } from "../_internal/runtime/agent.ts";

const _SHARE_URL = shareUrl(import.meta.url, "threading/local.ts");

/**
 * Thread-local data, as Python's `threading.local`: attributes set on it are
 * seen only by the thread that set them. Every worker has its own memory, so
 * an instance is local by nature; passed to a thread, it arrives there as a
 * fresh, empty `local` (never a copy of the sender's attributes).
 *
 * @example
 * ```ts
 * import { local } from "@pyconc/pyconc/threading";
 * const data = new local() as local & { user?: string };
 * data.user = "ada";
 * console.assert(data.user === "ada");
 * ```
 */
export class local {
  /** @internal Each thread gets a fresh, empty local. */
  [SHARE](): SharedDescriptor {
    return {
      url: _SHARE_URL,
      name: "local",
      id: nextObjectId(),
      state: null,
    };
  }

  /** @internal Rebuilds an empty local in another thread. */
  static _fromShared(): local {
    return new local();
  }
}
registerShareable(_SHARE_URL, "local", local);
