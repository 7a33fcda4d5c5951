// A module target whose top level starts a process on itself, with no
// `if (import.meta.main)` guard (the name check only bounds the recursion
// should the library's refusal ever be missing).
import { currentProcess, Process } from "../../multiprocessing/mod.ts";

/** The work of the process. */
export function work(): void {}

if (currentProcess().name !== "self-process-nested") {
  const p = new Process({
    target: { module: import.meta.url, name: "work" },
    name: "self-process-nested",
  });
  await p.start();
  await p.join();
}
