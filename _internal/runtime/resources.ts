/**
 * A ledger of what this program has running: workers, child processes and
 * timers started by the library. Tests read it to prove nothing leaked.
 *
 * @module
 */

/** The kinds of resource the ledger counts. */
export type ResourceKind = "worker" | "process" | "timer";

const _live = new Map<object, { kind: ResourceKind; label: string }>();

/** Records that `handle` is running until {@linkcode untrackResource}. */
export function trackResource(
  kind: ResourceKind,
  handle: object,
  label: string = kind,
): void {
  _live.set(handle, { kind, label });
}

/** Records that `handle` has ended. */
export function untrackResource(handle: object): void {
  _live.delete(handle);
}

/** Labels of every resource still running, by kind. */
export function liveResources(): { kind: ResourceKind; label: string }[] {
  return [..._live.values()];
}
