/**
 * Catching what a worker or child would otherwise die of: an uncaught
 * error or an unhandled rejection becomes a call to `handler`. Deno and Bun
 * deliver these to the global scope (preventing the default keeps the
 * worker alive) or to Node's `process` events, depending on where the code
 * runs, so all three are hooked; Deno delivers one error to both, so each
 * error reaches `handler` once.
 *
 * @module
 */
import { nodeProcess } from "./adapter.ts";

/** Sends every uncaught error and unhandled rejection to `handler`. */
export function catchUncaught(onError: (err: unknown) => void): void {
  const seen = new WeakSet<object>();
  let lastPrimitive: unknown = undefined;
  const handler = (err: unknown) => {
    if (typeof err === "object" && err !== null) {
      if (seen.has(err)) return;
      seen.add(err);
    } else {
      if (lastPrimitive === err) return;
      lastPrimitive = err;
      queueMicrotask(() => lastPrimitive = undefined);
    }
    onError(err);
  };
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
