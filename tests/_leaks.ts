// Shared by every test file: after its tests, prove that the library has no
// worker, child process or timer of its own still running.
import { liveResources } from "../_internal/runtime/resources.ts";
import assert from "node:assert/strict";

/** Waits briefly for resources to wind down, then fails if any remain. */
export async function assertNoLeaks(graceMs = 2000): Promise<void> {
  const end = Date.now() + graceMs;
  while (liveResources().length > 0 && Date.now() < end) {
    await new Promise((r) => setTimeout(r, 10));
  }
  assert.deepEqual(
    liveResources(),
    [],
    "resources left running after the tests",
  );
}
