/**
 * Every shared class of this module, registered under this file's URL: a
 * handle's descriptor names this file, so the first handle a thread
 * receives loads and registers every class, as the blocking reads of
 * queues and pipes need. No class file imports it; the entry points do.
 *
 * Design: docs/design/multiprocessing.md
 *
 * @module
 */
import { shareUrl } from "../_internal/share/codec.ts";
import { _registerProxy } from "./_proxy.ts";
import { Array as SharedArray } from "./array.ts";
import { Barrier } from "./barrier.ts";
import { Condition } from "./condition.ts";
import { Connection } from "./connection.ts";
import { Event } from "./event.ts";
import { JoinableQueue } from "./joinable_queue.ts";
import { Lock } from "./lock.ts";
import { DictProxy, ListProxy, Namespace } from "./managers.ts";
import { Queue } from "./queues.ts";
import { RLock } from "./rlock.ts";
import { BoundedSemaphore, Semaphore } from "./semaphore.ts";
import { SimpleQueue } from "./simple_queue.ts";
import { Value } from "./value.ts";

const _SHARE_URL = shareUrl(
  import.meta.url,
  "multiprocessing/_proxy_classes.ts",
);

// Each key names its class in the descriptors of its handles.
const _classes = {
  Array: SharedArray,
  Barrier,
  BoundedSemaphore,
  Condition,
  Connection,
  DictProxy,
  Event,
  JoinableQueue,
  ListProxy,
  Lock,
  Namespace,
  Queue,
  RLock,
  Semaphore,
  SimpleQueue,
  Value,
};
for (const [name, cls] of Object.entries(_classes)) {
  _registerProxy(cls, _SHARE_URL, name);
}
