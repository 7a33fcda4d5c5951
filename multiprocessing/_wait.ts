/**
 * multiprocessing.connection.wait: the first of several connections and
 * process sentinels to become ready.
 *
 * @module
 */
import { typeName } from "../_internal/core/errors.ts";
import { timeoutToMs } from "../_internal/core/time.ts";
import { Connection } from "./connection.ts";
import { _bySentinel, type Process } from "./process.ts";

/** What {@linkcode wait} watches: a {@linkcode Connection}, or a {@linkcode Process.sentinel}. */
export type Waitable = Connection | number;

function _resolve(
  objectList: Iterable<Waitable>,
): [Waitable, Connection | Process][] {
  if (
    objectList === null || typeof objectList !== "object" ||
    typeof (objectList as Iterable<Waitable>)[Symbol.iterator] !== "function"
  ) {
    throw new TypeError(
      "objectList must be an array of Connections and sentinels",
    );
  }
  const out: [Waitable, Connection | Process][] = [];
  for (const o of objectList) {
    if (o instanceof Connection) out.push([o, o]);
    else if (typeof o === "number") {
      const p = _bySentinel(o);
      if (!p) {
        throw new TypeError(
          `${o} is not the sentinel of a live Process object`,
        );
      }
      out.push([o, p]);
    } else {
      throw new TypeError(
        `wait() watches Connections and Process sentinels, not ${typeName(o)}`,
      );
    }
  }
  return out;
}

async function _readyNow(
  items: [Waitable, Connection | Process][],
): Promise<Waitable[]> {
  const flags = await Promise.all(
    items.map(([, t]) => t instanceof Connection ? t.poll(0) : t._endedNow()),
  );
  return items.filter((_, i) => flags[i]).map(([o]) => o);
}

const _never = new Promise<void>(() => {});

/**
 * Waits until at least one object of `objectList` is ready, or `timeout`
 * seconds pass, and resolves to those that are ready (in the order of the
 * list; empty after a timeout), as Python's
 * `multiprocessing.connection.wait(object_list, timeout)`. A
 * {@linkcode Connection} is ready when `recv` would not wait (a message is
 * there, or the other end is closed); a {@linkcode Process.sentinel} when
 * its process has ended. An empty list waits out the timeout (returns at
 * once without one).
 *
 * @param objectList Connections (readable ends) and process sentinels.
 * @param timeout Seconds; forever when omitted or `null`, 0 only looks.
 * @returns The ready objects.
 * @throws {TypeError} an object that is neither a Connection nor a sentinel.
 * @throws {OSError} a closed or write-only Connection.
 * @throws {ValueError} a negative timeout.
 *
 * @example Serving whichever child speaks first
 * ```ts
 * import { connection, Pipe, Process } from "@pyconc/pyconc/multiprocessing";
 * import type { Connection } from "@pyconc/pyconc/multiprocessing";
 * const [r, w] = Pipe(false);
 * const p = new Process({ target: (w: Connection) => w.sendSync("hi"), args: [w] });
 * await p.start();
 * w.close();
 * const ready = await connection.wait([r, p.sentinel], 10);
 * console.assert(ready.includes(r) && await r.recv() === "hi");
 * await p.join();
 * r.close();
 * ```
 */
export async function wait(
  objectList: Iterable<Waitable>,
  timeout: number | null = null,
): Promise<Waitable[]> {
  const ms = timeoutToMs(timeout);
  const items = _resolve(objectList);
  const now = await _readyNow(items);
  if (now.length > 0 || ms <= 0) return now;
  if (items.length === 0) {
    // Nothing can become ready: sleep out the timeout (an endless wait on
    // nothing would hang a Python program; here it returns at once).
    if (ms !== Infinity) await new Promise((r) => setTimeout(r, ms));
    return [];
  }
  let stop!: () => void;
  const stopped = new Promise<void>((r) => stop = r);
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    await Promise.race([
      ...items.map(([, t]) =>
        (t instanceof Connection
          ? t._readableWithin(ms, stopped)
          : t._endedWithin(ms, stopped)).then((ok) => ok ? undefined : _never)
      ),
      new Promise<void>((r) => {
        if (ms !== Infinity) timer = setTimeout(r, ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
    stop();
  }
  return _readyNow(items);
}

/**
 * The blocking twin of {@linkcode wait}: blocks this thread. With one
 * Connection it waits on it directly; with several objects it looks at
 * each in turn, pausing between rounds (up to 10 ms), so a reply may come
 * that much after the object became ready.
 *
 * @param objectList Connections (readable ends) and process sentinels.
 * @param timeout Seconds; forever when omitted or `null`, 0 only looks.
 * @returns The ready objects.
 * @throws {TypeError} an object that is neither a Connection nor a sentinel.
 * @throws {ValueError} a negative timeout.
 *
 * @example
 * ```ts
 * import { connection, Pipe } from "@pyconc/pyconc/multiprocessing";
 * const [a, b] = Pipe();
 * console.assert(connection.waitSync([b], 0).length === 0);
 * a.sendSync(1);
 * console.assert(connection.waitSync([b], 5)[0] === b);
 * a.close();
 * b.close();
 * ```
 */
export function waitSync(
  objectList: Iterable<Waitable>,
  timeout: number | null = null,
): Waitable[] {
  const ms = timeoutToMs(timeout);
  const items = _resolve(objectList);
  if (items.length === 1 && items[0][1] instanceof Connection) {
    return items[0][1].pollSync(timeout) ? [items[0][0]] : [];
  }
  const end = performance.now() + ms;
  const cell = new Int32Array(new SharedArrayBuffer(4));
  let pause = 0.5;
  for (;;) {
    const ready = items.filter(([, t]) =>
      t instanceof Connection ? t.pollSync(0) : t._endedNow()
    ).map(([o]) => o);
    if (ready.length > 0) return ready;
    const left = end - performance.now();
    if (left <= 0) return [];
    Atomics.wait(cell, 0, 0, Math.min(pause, left));
    pause = Math.min(pause * 2, 10);
  }
}
