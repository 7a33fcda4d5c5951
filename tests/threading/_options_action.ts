// A Barrier action given as a module reference, for options_test.ts (its
// own counter, so that the barrier tests' count is not disturbed when Bun
// runs every test file in one process).
export default function countOptionsRound(): void {
  globalThis.__optionsActions = (globalThis.__optionsActions ?? 0) + 1;
}
declare global {
  var __optionsActions: number | undefined;
}
