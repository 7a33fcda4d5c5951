/**
 * The pool role of a child process (`futures.ProcessPoolExecutor`): the
 * same {@linkcode PoolRunner} as a thread pool worker, speaking
 * `pool/protocol.ts` over the child's channel. An uncaught error or
 * unhandled rejection while a task runs fails that task; one while the
 * child is idle is printed to stderr, and the child carries on.
 *
 * @module
 */
import { catchUncaught } from "../runtime/uncaught.ts";
import type { ChildChannel } from "./entry.ts";
import { PoolRunner } from "../pool/runner.ts";
import { explainTargetError } from "../share/target.ts";
import type {
  PoolReply,
  PoolRequest,
  PoolStartData,
} from "../pool/protocol.ts";
import { pid, writeStderr } from "../runtime/adapter.ts";

/** Runs pool tasks sent over `channel`, after the initializer in `data`. */
export async function runPool(
  channel: ChildChannel,
  data: unknown,
): Promise<void> {
  const runner = new PoolRunner((msg) => channel.send(msg));
  const uncaught = (err: unknown) => {
    if (runner.failCurrent(err)) return;
    explainTargetError(err);
    const text = err instanceof Error
      ? (err.stack ?? String(err))
      : String(err);
    writeStderr(`Exception in process ${pid()}:\n${text}\n`);
  };
  catchUncaught(uncaught);
  channel.onMessage((msg) => {
    if ((msg as PoolRequest).type === "run") {
      runner.enqueue(msg as PoolRequest & { type: "run" });
    }
  });
  const error = await runner.init(data as PoolStartData);
  channel.send(
    (error
      ? { type: "init-failed", id: 0, error }
      : { type: "ready", id: 0 }) satisfies PoolReply,
  );
}
