// A module target that starts a thread on itself at its top level, with no
// `if (import.meta.main)` guard: every worker that imports it would start
// another, which the library refuses with a RuntimeError. (The name check
// only bounds the recursion should that refusal ever be missing.)
import { currentThread, Thread } from "../../threading/mod.ts";

/** The work of the thread. */
export function work(): void {}

if (currentThread().name !== "self-thread-nested") {
  new Thread({
    target: { module: import.meta.url, name: "work" },
    name: "self-thread-nested",
  }).start();
}
