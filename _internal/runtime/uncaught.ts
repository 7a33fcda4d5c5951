/**
 * Catching what a worker or child would otherwise die of: an uncaught
 * error or an unhandled rejection becomes a call to `handler`. Deno and Bun
 * deliver these to the global scope (preventing the default keeps the
 * worker alive) or to Node's `process` events, depending on where the code
 * runs, so all three are hooked.
 *
 * @module
 */
import { nodeProcess } from "./adapter.ts";

/** Sends every uncaught error and unhandled rejection to `handler`. */
export function catchUncaught(handler: (err: unknown) => void): void {
  globalThis.addEventListener?.("error", (e: Event) => {
    e.preventDefault();
    handler((e as ErrorEvent).error ?? (e as ErrorEvent).message);
  });
  globalThis.addEventListener?.(
    "unhandledrejection",
    (e: PromiseRejectionEvent) => {
      e.preventDefault();
      handler(e.reason);
    },
  );
  if (typeof nodeProcess?.on === "function") {
    nodeProcess.on("uncaughtException", handler);
    nodeProcess.on("unhandledRejection", handler);
  }
}
