// Module targets for the futures tests.
import { ValueError } from "../../mod.ts";

/** The default export: adds its arguments. */
export default function add(a: number, b: number): number {
  return a + b;
}

/** Throws the library's ValueError with extra detail. */
export function fail(message: string): never {
  const err = new ValueError(message, { cause: new TypeError("inner") });
  (err as unknown as { code: number }).code = 42;
  throw err;
}

/** Resolves after `ms` with `value`. */
export async function sleepy<T>(ms: number, value: T): Promise<T> {
  await new Promise((r) => setTimeout(r, ms));
  return value;
}

let _initialized: unknown = null;

/** An initializer: remembers its argument in this worker. */
export function init(value: unknown): void {
  _initialized = value;
}

/** What {@linkcode init} remembered in this worker. */
export function initialized(): unknown {
  return _initialized;
}

/** Counts primes below `hi` from `lo` (CPU-bound work). */
export function countPrimes(lo: number, hi: number): number {
  let n = 0;
  for (let i = Math.max(2, lo); i < hi; i++) {
    let p = true;
    for (let d = 2; d * d <= i; d++) {
      if (i % d === 0) {
        p = false;
        break;
      }
    }
    if (p) n++;
  }
  return n;
}
