/**
 * The role of a child process started by `multiprocessing.Process`: adopt
 * the name and identity the parent gave, run the target with its decoded
 * arguments, print an uncaught error as Python does (`Process NAME:` and
 * the stack, on stderr), wait for the non-daemon threads and processes the
 * child started, and exit with 0, or 1 after an error. The target may end
 * the child itself with `Deno.exit(n)` / `process.exit(n)`.
 *
 * @module
 */
import type { ChildChannel } from "../_internal/child/entry.ts";
import { decode } from "../_internal/share/codec.ts";
import { flushAll } from "../_internal/mp/client.ts";
import { writeStderr } from "../_internal/runtime/adapter.ts";
import { catchUncaught } from "../_internal/runtime/uncaught.ts";
import {
  explainTargetError,
  resolveTarget,
} from "../_internal/share/target.ts";
import { _activeThreads } from "../threading/thread.ts";
import { adoptInfo, self } from "./_state.ts";
import { _liveChildren, type ProcessStartData } from "./process.ts";

/** Runs a `Process` target in this child, then ends the child. */
export async function runProcess(
  channel: ChildChannel,
  data: unknown,
): Promise<void> {
  const d = data as ProcessStartData;
  adoptInfo(d.info);
  let failed = false;
  const report = (err: unknown) => {
    explainTargetError(err);
    const text = err instanceof Error
      ? (err.stack ?? `${err.name}: ${err.message}`)
      : `Uncaught ${String(err)}`;
    writeStderr(`Process ${self.name}:\n${text}\n`);
  };
  catchUncaught((err) => {
    if (failed) return;
    failed = true;
    report(err);
    channel.close(1);
  });
  try {
    if (d.target) {
      const fn = await resolveTarget(d.target, { bootstrap: true });
      const args = await decode(d.args) as unknown[];
      await fn(...args);
    }
  } catch (err) {
    if (!failed) {
      failed = true;
      report(err);
    }
  }
  await _waitForOthers();
  channel.close(failed ? 1 : 0);
}

/** As Python's process bootstrap: join non-daemon threads and children, stop daemon children. */
async function _waitForOthers(): Promise<void> {
  const children = _liveChildren();
  for (const c of children) if (c.daemon) c.terminate();
  for (const c of children) if (!c.daemon) await c.join();
  for (const t of _activeThreads()) if (!t.daemon) await t.join();
  // What this process sent to shared objects reaches them before it exits.
  await flushAll();
}
