// The action of a Barrier shared with workers, given as a module reference.
export default function countRound(): void {
  globalThis.__barrierActions = (globalThis.__barrierActions ?? 0) + 1;
}
declare global {
  var __barrierActions: number | undefined;
}
