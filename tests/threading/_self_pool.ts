// A module target whose top level submits itself to a thread pool, with no
// `if (import.meta.main)` guard (the name check only bounds the recursion
// should the library's refusal ever be missing).
import { currentThread } from "../../threading/mod.ts";
import { ThreadPoolExecutor } from "../../futures/mod.ts";

/** Doubles `n`. */
export function double(n: number): number {
  return 2 * n;
}

if (!currentThread().name.startsWith("self-pool-nested")) {
  const ex = new ThreadPoolExecutor({
    maxWorkers: 1,
    threadNamePrefix: "self-pool-nested",
  });
  try {
    await ex.submit({ module: import.meta.url, name: "double" }, 1);
  } finally {
    await ex.shutdown();
  }
}
