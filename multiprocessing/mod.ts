/**
 * Python's `multiprocessing` for Deno and Bun: a {@linkcode Process} is a
 * real child OS process running a new copy of the runtime (Python's
 * "spawn" start method), and queues, pipes, locks, events, conditions,
 * barriers, semaphores and shared values work across processes.
 *
 * How objects are shared: any process that receives a shared object (as
 * a `Process` argument, a `Pool` task argument, a `Queue` item or a
 * `Connection` message, anywhere inside arrays, plain objects and Maps)
 * gets a live handle to it. `Lock`, `RLock`, `Semaphore`,
 * `BoundedSemaphore`, `Event`, `Value` and `Array` live in shared memory
 * that every process maps (a memfd, through FFI: Linux on x86-64 or arm64;
 * on Deno with the ffi permission, which `-A` grants), as CPython's
 * semaphores and sharedctypes do: an uncontended acquire or a value read
 * costs well under a microsecond, and waits sleep on a futex. Everything
 * else, and those objects too where memory cannot be mapped, is served by
 * the process that created it from a worker thread of its own, on a local
 * socket, one round trip per operation, as Python's managers do; a queue's
 * `put` from another process is buffered and batched as Python's feeder
 * thread does. A process that dies holding a lock has it released, so no
 * one hangs. The creating process frees an object once no process holds
 * a handle to it (handles are counted per thread, and released when closed
 * or collected); an object reached through the server lives no longer
 * than the process that created it. Other values are copied (structured
 * clone): an instance of a class registered with the root module's
 * `registerClass` (an error of one registered with `registerError`)
 * arrives as an instance of its class, as pickle brings it back, when the
 * receiving process registered it too (it imports the same module); an
 * instance of any other class arrives as a plain object with its own
 * fields. A function or symbol is a `DataCloneError` that names its path.
 *
 * Blocking calls come in two forms: the plain name is async
 * (`await q.get()`), the `Sync` twin blocks the calling thread
 * (`q.getSync()`), for code in children and workers. Timeouts are in
 * seconds. `multiprocessing/dummy` offers the same API over threads.
 *
 * ```ts
 * import { Lock, Process, Value } from "@pyconc/pyconc/multiprocessing";
 * const counter = new Value("i", 0);
 * const procs = [1, 2].map(() =>
 *   new Process({
 *     target: (c: Value) => {
 *       for (let i = 0; i < 10; i++) {
 *         using _held = c.holdSync();
 *         c.value += 1;
 *       }
 *     },
 *     args: [counter],
 *   })
 * );
 * for (const p of procs) await p.start();
 * for (const p of procs) await p.join();
 * console.assert(counter.value === 20);
 * ```
 *
 * @module
 */
export * from "./_namespace.ts";
export { getContext } from "./context.ts";
