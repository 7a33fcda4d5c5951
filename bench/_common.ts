// What the comparison runners share: their command-line flags, the name
// of the runtime they run on, and medians.

/** The command-line arguments after the script's path (`--quick`, `--no-python`...). */
export const benchArgs: Set<string> = new Set(
  (globalThis as unknown as { process: { argv: string[] } }).process.argv
    .slice(2),
);

const isDeno = "Deno" in globalThis;

/** The runtime and its version, as "deno 2.9.6" or "bun 1.4.5". */
export const runtimeLabel: string = isDeno
  ? `deno ${
    (globalThis as unknown as { Deno: { version: { deno: string } } }).Deno
      .version.deno
  }`
  : `bun ${
    (globalThis as unknown as { Bun: { version: string } }).Bun.version
  }`;

/** The median of `xs` (the upper middle one for an even count). */
export const median = (xs: number[]): number =>
  [...xs].sort((a, b) => a - b)[xs.length >> 1];

/**
 * Collects garbage now, where the runtime lets a script ask: always on Bun,
 * and on Deno when started with `--v8-flags=--expose-gc`. Called before each
 * timed run, so that no run pays for the garbage an earlier one left.
 */
export function collectGarbage(): void {
  const g = globalThis as unknown as {
    Bun?: { gc(force: boolean): void };
    gc?: () => void;
  };
  if (g.Bun) g.Bun.gc(true);
  else g.gc?.();
}
