/**
 * How the server builds the state of each kind of shared object from the
 * {@linkcode ObjectInit} a client sends with its first request about it:
 * in the server's memory, or over the block of shared memory it names.
 *
 * @module
 */
import { RuntimeError } from "../core/errors.ts";
import { type ShmCell, shmCell, type ShmLoc } from "../shm/arena.ts";
import { Ring } from "../shm/pipe.ts";
import { typedArrayOf } from "./typecodes.ts";
import type { ObjectInit } from "./wire.ts";
import type { SharedState } from "./server_state.ts";
import {
  BarrierState,
  CondState,
  EventState,
  LockState,
  SemState,
} from "./server_locks.ts";
import {
  ShmEventState,
  ShmLockState,
  ShmSemState,
} from "./server_shm_locks.ts";
import { QueueState } from "./server_queues.ts";
import { PipeState } from "./server_pipes.ts";
import { ArrayState } from "./server_values.ts";
import { DictState, ListState } from "./server_managed.ts";

/** The block of shared memory `s.m` names, mapped in this process. */
function _cell(s: Record<string, unknown>): ShmCell {
  const c = shmCell(s.m as ShmLoc);
  if (!c) {
    throw new RuntimeError(
      "the process serving this object cannot map its shared memory",
    );
  }
  return c;
}

/**
 * The constructor of each kind (`ObjectInit.k`), from its state `s`;
 * `lookup` finds (or builds) an object this one is built on.
 */
export const ctors: Record<
  string,
  (
    s: Record<string, unknown>,
    lookup: (oid: number, init: ObjectInit) => SharedState,
  ) => SharedState
> = {
  lock: (s) => s?.m ? new ShmLockState(false, _cell(s)) : new LockState(false),
  rlock: (s) => s?.m ? new ShmLockState(true, _cell(s)) : new LockState(true),
  sem: (s) =>
    s.m
      ? new ShmSemState(_cell(s), (s.bound as number) ?? null)
      : new SemState(s.value as number, (s.bound as number) ?? null),
  event: (s) => s?.m ? new ShmEventState(_cell(s)) : new EventState(),
  cond: (s, lookup) => {
    const lock = lookup(s.lock as number, s.lockInit as ObjectInit);
    if (!(lock instanceof LockState || lock instanceof ShmLockState)) {
      throw new TypeError("a Condition needs a Lock or RLock");
    }
    return new CondState(lock);
  },
  barrier: (s) => new BarrierState(s.parties as number, Boolean(s.action)),
  queue: (s) => new QueueState(s.maxsize as number),
  pipe: (s) =>
    new PipeState(
      Boolean(s.duplex),
      s.creator as number,
      Array.isArray(s.r)
        ? (s.r as (ShmLoc | null)[]).map((l) => {
          if (!l) return null;
          const c = shmCell(l);
          if (!c) {
            throw new RuntimeError(
              "the process serving this pipe cannot map its shared memory",
            );
          }
          return new Ring(c);
        })
        : null,
    ),
  array: (s) => {
    if (!s.m) return new ArrayState(s.data as never);
    const c = _cell(s);
    const ctor = typedArrayOf(s.t as string);
    return new ArrayState(
      new ctor(c.map.buffer, c.loc.o, s.l as number) as never,
      c.loc,
    );
  },
  dict: (s) => new DictState(s.init as [unknown, unknown][] | null),
  list: (s) => new ListState(s.init as unknown[] | null),
};
