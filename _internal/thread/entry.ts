/**
 * The entry module of a thread's worker: adopts the thread's identity, runs
 * the target once with its decoded arguments, reports an uncaught error to
 * the parent, marks the thread finished in shared memory and says "done".
 *
 * @module
 */
import { parentPort, workerData } from "node:worker_threads";
import { nativeId } from "../runtime/agent.ts";
import { decode, errorToRecord } from "../share/codec.ts";
import { resolveTarget } from "../share/target.ts";
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
    { type: "error", error: errorToRecord(err) } satisfies ThreadMessage,
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
  const fn = await resolveTarget(start.target);
  const args = await decode(start.args) as unknown[];
  await fn(...args);
} catch (err) {
  report(err);
} finally {
  finish();
  port.postMessage({ type: "done" } satisfies ThreadMessage);
}
