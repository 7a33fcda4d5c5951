// Module targets for the multiprocessing tests.
import type { Queue } from "../../multiprocessing/mod.ts";

/** Returns the sum. */
export function add(a: number, b: number): number {
  return a + b;
}

/** Puts `a + b` into `q`. */
export async function putSum(q: Queue<number>, a: number, b: number) {
  await q.put(a + b);
}

/** Throws a TypeError. */
export function fail(): never {
  throw new TypeError("bad thing");
}
