/**
 * Python's `multiprocessing.connection`: {@linkcode Connection},
 * {@linkcode Pipe} and {@linkcode wait}.
 *
 * @example
 * ```ts
 * import { connection } from "@pyconc/pyconc/multiprocessing";
 * const [a, b] = connection.Pipe();
 * await a.send("x");
 * console.assert((await connection.wait([b], 5))[0] === b);
 * a.close();
 * b.close();
 * ```
 *
 * @module
 */
export { Connection, Pipe } from "./connection.ts";
export { wait, type Waitable, waitSync } from "./_wait.ts";
