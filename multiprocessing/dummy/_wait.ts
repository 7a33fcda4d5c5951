/**
 * multiprocessing.dummy's connection.wait: the first of several pipe ends
 * (between threads) to become ready.
 *
 * @module
 */
import { typeName } from "../../_internal/core/errors.ts";
import { sleepMs, timeoutToMs } from "../../_internal/core/time.ts";
import { Connection } from "./connection.ts";

function _resolve(objectList: Iterable<Connection>): Connection[] {
  if (
    objectList === null || typeof objectList !== "object" ||
    typeof (objectList as Iterable<Connection>)[Symbol.iterator] !==
      "function"
  ) {
    throw new TypeError("objectList must be an array of Connections");
  }
  const out: Connection[] = [];
  for (const o of objectList) {
    if (!(o instanceof Connection)) {
      throw new TypeError(
        `wait() watches dummy Connections, not ${typeName(o)}`,
      );
    }
    out.push(o);
  }
  return out;
}

function _ready(items: Connection[]): Connection[] {
  return items.filter((c) => c.pollSync(0));
}

/**
 * Waits until at least one {@linkcode Connection} of `objectList` is ready,
 * or `timeout` seconds pass, and resolves to those that are ready (in the
 * order of the list; empty after a timeout), with the contract of the
 * process module's `connection.wait`. An end is ready when `recv` would
 * not wait (a message is there, or the other end is closed). CPython's
 * `multiprocessing.dummy.connection` has no `wait`; this one is here so
 * code written against the process module runs over threads unchanged.
 * The queues behind a dummy pipe offer no wake-up on arrival, so the ends
 * are looked at in rounds, pausing between them (up to 20 ms). An empty
 * list waits out the timeout (returns at once without one).
 *
 * @param objectList Pipe ends from {@linkcode Pipe}.
 * @param timeout Seconds; forever when omitted or `null`, 0 only looks.
 * @returns The ready ends.
 * @throws {TypeError} an object that is not a dummy Connection.
 * @throws {OSError} a closed Connection.
 * @throws {ValueError} a negative timeout.
 *
 * @example
 * ```ts
 * import { connection } from "@pyconc/pyconc/multiprocessing/dummy";
 * const [a, b] = connection.Pipe();
 * const [c, d] = connection.Pipe();
 * await c.send("x");
 * console.assert((await connection.wait([b, d], 5))[0] === d);
 * ```
 */
export async function wait(
  objectList: Iterable<Connection>,
  timeout: number | null = null,
): Promise<Connection[]> {
  const ms = timeoutToMs(timeout);
  const items = _resolve(objectList);
  const end = performance.now() + ms;
  let pause = 1;
  for (;;) {
    const ready = _ready(items);
    if (ready.length > 0) return ready;
    const left = end - performance.now();
    if (left <= 0) return [];
    if (items.length === 0 && ms === Infinity) return [];
    await sleepMs(Math.min(pause, left));
    pause = Math.min(pause * 2, 20);
  }
}

/**
 * The blocking twin of {@linkcode wait}: blocks this thread.
 *
 * @param objectList Pipe ends from {@linkcode Pipe}.
 * @param timeout Seconds; forever when omitted or `null`, 0 only looks.
 * @returns The ready ends.
 * @throws {TypeError} an object that is not a dummy Connection.
 * @throws {OSError} a closed Connection.
 * @throws {ValueError} a negative timeout.
 *
 * @example
 * ```ts
 * import { connection } from "@pyconc/pyconc/multiprocessing/dummy";
 * const [a, b] = connection.Pipe();
 * console.assert(connection.waitSync([b], 0).length === 0);
 * a.sendSync(1);
 * console.assert(connection.waitSync([b], 5)[0] === b);
 * ```
 */
export function waitSync(
  objectList: Iterable<Connection>,
  timeout: number | null = null,
): Connection[] {
  const ms = timeoutToMs(timeout);
  const items = _resolve(objectList);
  const end = performance.now() + ms;
  const cell = new Int32Array(new SharedArrayBuffer(4));
  let pause = 1;
  for (;;) {
    const ready = _ready(items);
    if (ready.length > 0) return ready;
    const left = end - performance.now();
    if (left <= 0) return [];
    if (items.length === 0 && ms === Infinity) return [];
    Atomics.wait(cell, 0, 0, Math.min(pause, left));
    pause = Math.min(pause * 2, 20);
  }
}
