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
