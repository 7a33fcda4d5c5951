/**
 * The entry module of a thread's worker: adopts the thread's identity, runs
 * the target once with its decoded arguments, reports an uncaught error to
 * the parent, marks the thread finished in shared memory and, once its
 * output has reached the parent, says "done" (the parent then ends it).
 *
 * @module
 */
import { parentPort, workerData } from "node:worker_threads";
import { nativeId } from "../runtime/agent.ts";
import { drainStdio } from "../runtime/worker.ts";
import { decode, errorToRecord } from "../share/codec.ts";
import { explainTargetError, resolveTarget } from "../share/target.ts";
import {
  ThreadControl,
  type ThreadMessage,
  type ThreadStartData,
} from "./protocol.ts";

const port = parentPort!;
const start = workerData.data as ThreadStartData;
const control = new Int32Array(start.control);
let reported = false;

function finish(): void {
  Atomics.store(control, ThreadControl.State, 2);
  Atomics.notify(control, ThreadControl.State);
}

function report(err: unknown): void {
  if (reported) return;
  reported = true;
  port.postMessage(
    {
      type: "error",
      error: errorToRecord(explainTargetError(err)),
    } satisfies ThreadMessage,
  );
}

// An error nobody awaited inside the thread is the thread's failure, never a
// crash of the program.
globalThis.addEventListener?.(
  "unhandledrejection",
  (e: PromiseRejectionEvent) => {
    e.preventDefault();
    report(e.reason);
  },
);

Atomics.store(control, ThreadControl.NativeId, nativeId());
Atomics.store(control, ThreadControl.State, 1);
try {
  const fn = await resolveTarget(start.target, { bootstrap: true });
  const args = await decode(start.args) as unknown[];
  await fn(...args);
} catch (err) {
  report(err);
} finally {
  // Finished first: joinSync() in a parent that blocks its event loop
  // returns now, and the output (whose relay needs that loop on Bun)
  // follows once the parent runs again.
  finish();
  // "done" makes the parent terminate this worker, which would drop output
  // still on its way; see drainStdio.
  await drainStdio();
  port.postMessage({ type: "done" } satisfies ThreadMessage);
}
