// A worker for worker_test.ts: runs the Sync twins inside a worker thread
// and posts what happened.
import {
  checkOutputSync,
  runSync,
  TimeoutExpired,
} from "../../subprocess/mod.ts";

// deno-lint-ignore no-explicit-any
const scope = globalThis as any;
scope.onmessage = () => {
  const out = checkOutputSync(["echo", "from worker"], { text: true });
  let timedOut = "";
  try {
    runSync(["sleep", "10"], { timeout: 0.2, input: "x" });
  } catch (e) {
    if (e instanceof TimeoutExpired) timedOut = e.message;
    else throw e;
  }
  scope.postMessage({ out, timedOut });
};
