/**
 * The registry of queue classes: which index each keeps and where it is
 * exported from, so the base class can build the right store and describe
 * itself for sharing.
 *
 * @module
 */
import { registerShareable, type Revivable } from "../_internal/share/codec.ts";
import type { IndexKind } from "./_layout.ts";

/** What the registry knows about a queue class. */
export interface QueueClassInfo {
  /** The index it keeps. */
  kind: IndexKind;
  /** The URL of the module exporting it. */
  url: string;
  /** Its export name. */
  name: string;
}

const _classes = new Map<object, QueueClassInfo>();

/** Registers a queue class (and makes it shareable). */
export function registerQueueClass(
  cls: Revivable & object,
  info: QueueClassInfo,
): void {
  _classes.set(cls, info);
  registerShareable(info.url, info.name, cls);
}

/** The info of `ctor` or of its nearest registered base class. */
export function queueClassInfo(ctor: object): QueueClassInfo {
  for (let c: object | null = ctor; c; c = Object.getPrototypeOf(c)) {
    const info = _classes.get(c);
    if (info) return info;
  }
  throw new TypeError("not a queue class");
}
