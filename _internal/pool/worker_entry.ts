/**
 * The entry module of a `futures.ThreadPoolExecutor` worker: runs the
 * initializer, then runs batches of tasks as they arrive on its port with a
 * {@linkcode PoolRunner}, posting outcomes back (with `move()`d buffers in
 * the transfer list), each once the output printed before it has reached the
 * parent. An uncaught error or unhandled rejection while a task
 * runs fails that task; one while the worker is idle is printed to stderr,
 * and the worker carries on either way.
 *
 * @module
 */
import { catchUncaught } from "../runtime/uncaught.ts";
import { parentPort, workerData } from "node:worker_threads";
import { agent } from "../runtime/agent.ts";
import { writeStderr } from "../runtime/adapter.ts";
import { drainStdio } from "../runtime/worker.ts";
import { PoolRunner } from "./runner.ts";
import {
  PoolControl,
  type PoolReply,
  type PoolRequest,
  type PoolStartData,
} from "./protocol.ts";

const port = parentPort!;
const start = workerData.data as PoolStartData;
const runner = new PoolRunner(post);

// The replies wait behind this, in order, while output is on its way.
let backlog: Promise<void> | null = null;

/**
 * Posts a reply once everything the tasks printed before it has reached
 * the parent (see {@linkcode drainStdio}): output is never behind the
 * result it came with, and a worker stopped after its last reply (at
 * shutdown, or when the program ends with an idle pool) drops none.
 * Throws at once when the message cannot be cloned, as a plain post does.
 */
function post(msg: PoolReply, transfer: Transferable[] = []): void {
  const drained = drainStdio();
  if (!drained && !backlog) {
    port.postMessage(msg, transfer as never);
    return;
  }
  // Clone now (and take the transferred buffers with the copy), so what
  // cannot be sent fails here and the runner can send the rest one by one.
  const copy = structuredClone({ msg, transfer }, { transfer });
  const sent: Promise<void> = Promise.all([backlog, drained]).then(() => {
    port.postMessage(copy.msg, copy.transfer as never);
    if (backlog === sent) backlog = null;
  });
  backlog = sent;
}

function uncaught(err: unknown): void {
  if (runner.failCurrent(err)) return;
  const text = err instanceof Error ? (err.stack ?? String(err)) : String(err);
  writeStderr(`Exception in thread ${agent.name}:\n${text}\n`);
}

catchUncaught(uncaught);

port.on("message", (msg: PoolRequest) => {
  if (msg.type === "run") runner.enqueue(msg);
});
const error = await runner.init(start);
if (!error && start.control) {
  Atomics.store(new Int32Array(start.control), PoolControl.Ready, 1);
}
post(
  (error
    ? { type: "init-failed", id: 0, error }
    : { type: "ready", id: 0 }) satisfies PoolReply,
);
