/**
 * The wire protocol of multiprocessing's shared objects (mechanism (1) of
 * the design: the process that creates an object serves it, and every
 * process reaches it over a socket, one round trip per operation, as
 * Python's managers do).
 *
 * Transport: a Unix domain socket in Linux's abstract namespace
 * (`"\0pyconc-mp-PID-RANDOM"`), so nothing is left on disk when a process
 * dies. Each thread that creates shared objects starts one server worker
 * (`mp_server_worker.ts`) listening there; each thread that uses an object
 * keeps one connection per server (`mp_client.ts`), plus one more in its
 * helper worker for the blocking `Sync` calls. Frames are those of
 * `child_protocol.ts`: a 4-byte little-endian length and `node:v8`
 * serialize output.
 *
 * Conversation: the client sends {@linkcode Request}s; every request with a
 * non-zero `i` gets exactly one {@linkcode Reply} with the same `i`, in
 * whatever order the operations complete (a blocked `get` does not hold up
 * a later `put`). A request with `i: 0` wants no reply. The first request
 * about an object on a connection carries its {@linkcode ObjectInit}, so a
 * server builds an object on first sight whichever process names it
 * first; later requests on that connection omit it.
 *
 * Who holds what: every request names its process (`p`) and thread (`t`).
 * The server counts each process's connections; when the last one closes
 * (the process exited or was killed), it releases the locks the process
 * held, drops its waiters and its references to pipe ends, so a dying
 * child never leaves the others hanging.
 *
 * @module
 */
import type { ErrorRecord } from "../share/codec.ts";
import { nodeProcess } from "../runtime/adapter.ts";
import { tempDir } from "../runtime/temp_dir.ts";
import { socketMayBeAbstract } from "../child/permissions.ts";

/**
 * What a server needs to build an object it has not seen: its kind and
 * initial state. A Lock, RLock, Semaphore, Event, Value or Array made where
 * shared memory is available (mechanism (2), see `shm_sync.ts`) carries
 * its block in the state as `m` (a `ShmLoc`): every process that can map
 * it works on it directly, and the server works on the same words for the
 * clients that cannot.
 */
export interface ObjectInit {
  /** The kind of object: "lock", "rlock", "sem", "event", "cond", "barrier", "queue", "pipe", "value", "array", "dict", "list", "ns". */
  k: string;
  /** The kind's own initial state. */
  s: unknown;
}

/** Client to server: call method `m` of object `o`. */
export interface Request {
  /** Request id, unique on the connection; 0 when no reply is wanted. */
  i: number;
  /** The object's id (0: the server itself, for "ping"). */
  o: number;
  /** The method. */
  m: string;
  /** Its arguments. */
  a: unknown[];
  /** The object's init, on the first request about it on this connection. */
  n?: ObjectInit;
  /** The calling process's pid. */
  p: number;
  /** The calling thread's ident within its process. */
  t: number;
}

/** Server to client: the outcome of request `i`. */
export interface Reply {
  /** The request id. */
  i: number;
  /** The result, when the call returned. */
  v?: unknown;
  /** The error, when it threw. */
  e?: ErrorRecord;
}

/**
 * A fresh server address for this process: a socket in Linux's abstract
 * namespace, or, where Deno lacks the network permission that such a socket
 * needs (or off Linux), a socket file in the temp folder.
 */
export function newAddress(pid: number): string {
  const name = `pyconc-mp-${pid}-${Math.random().toString(36).slice(2, 10)}`;
  return nodeProcess?.platform === "linux" && socketMayBeAbstract()
    ? `\0${name}`
    : `${tempDir()}/${name}.sock`;
}

/** The pid of the process serving `address`. */
export function addressPid(address: string): number {
  return Number(/pyconc-mp-(\d+)-/.exec(address)?.[1]);
}
