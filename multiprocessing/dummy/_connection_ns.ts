/**
 * Python's `multiprocessing.dummy.connection`: {@linkcode Connection} and
 * {@linkcode Pipe} between threads, and {@linkcode wait} (not in CPython's
 * dummy module; the process module's `connection.wait` over thread pipes).
 *
 * @example
 * ```ts
 * import { connection } from "@pyconc/pyconc/multiprocessing/dummy";
 * const [a, b] = connection.Pipe();
 * await a.send("x");
 * console.assert((await connection.wait([b], 5))[0] === b);
 * ```
 *
 * @module
 */
export { Connection, Pipe } from "./connection.ts";
export { wait, waitSync } from "./_wait.ts";
