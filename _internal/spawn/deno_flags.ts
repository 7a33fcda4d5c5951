/**
 * The Deno flags a child process of the library gets: exactly the parent's
 * permissions and the flags that change how code is loaded or run, as
 * Python's spawn passes the interpreter's flags on. Never `-A` unless the
 * parent had it. Design: docs/design/spawn.md
 *
 * @module
 */
import { denoAllows, denoNs } from "../runtime/adapter.ts";

/** Permission flags, passed with their allow-lists (`--allow-read=/tmp`). */
const _PERMISSION =
  /^--(allow|deny)-(all|read|write|net|env|sys|run|ffi|import|hrtime)(=|$)|^-[ARWNESIP](=|$)|^--permission-set(=|$)/;

/** Flags that change how code is loaded or run, kept with their value. */
const _LOADING = new Set([
  "--cached-only",
  "--no-remote",
  "--no-npm",
  "--no-config",
  "--no-lock",
  "--frozen",
  "--no-check",
  "--check",
  "--unstable",
  "--node-modules-dir",
  "--vendor",
  "--lock",
  "--v8-flags",
  "--seed",
  "--location",
  "--config",
  "-c",
  "--import-map",
  "--cert",
  "--unsafely-ignore-certificate-errors",
  "--conditions",
]);

/** Flags of any kind whose value may be the next argument. */
const _TAKES_VALUE = new Set([
  "-c",
  "--config",
  "--import-map",
  "--location",
  "--seed",
  "--cert",
  "--ext",
  "--preload",
  "--import",
  "--filter",
  "--reporter",
  "--junit-path",
  "--env-file",
  "--inspect",
]);

/** Subcommands that run a program; `deno file.ts` means `run`. */
const _SUBCOMMANDS = new Set(["run", "test", "bench", "eval", "serve"]);

/**
 * The flags to pass on from a parent's argv (`/proc/self/cmdline`):
 * permissions with their lists and loading flags, in their original order.
 * For `run`, flags stop at the script; other subcommands (`test`, `bench`)
 * mix flags and files, so every argument is looked at.
 */
export function flagsFromArgv(argv: readonly string[]): string[] {
  let i = 1;
  let stopAtScript = true;
  if (_SUBCOMMANDS.has(argv[1])) {
    stopAtScript = argv[1] === "run" || argv[1] === "serve";
    i = 2;
  }
  const kept: string[] = [];
  for (; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--") break;
    if (!arg.startsWith("-")) {
      if (stopAtScript) break;
      continue;
    }
    const name = arg.includes("=") ? arg.slice(0, arg.indexOf("=")) : arg;
    const separateValue = !arg.includes("=") && _TAKES_VALUE.has(name) &&
      i + 1 < argv.length;
    if (_PERMISSION.test(arg) || _LOADING.has(name) || _isUnstable(name)) {
      kept.push(arg);
      if (separateValue) kept.push(argv[i + 1]);
    }
    if (separateValue) i++;
  }
  return kept;
}

function _isUnstable(name: string): boolean {
  return name.startsWith("--unstable-");
}

/** What the library's own bootstrap in a child needs, checked in the parent. */
export interface ChildNeeds {
  /** Paths the child reads. */
  read: string[];
  /** Paths the child writes or removes. */
  write: string[];
  /** Hosts the child imports modules from. */
  import: string[];
}

const _NAMES = [
  "read",
  "write",
  "net",
  "env",
  "sys",
  "run",
  "ffi",
  "import",
] as const;

/**
 * The flags from what the permission API can tell: each permission the
 * parent holds in full, and of those it holds for a list, the items the
 * library's own bootstrap needs that the parent holds too. Imports are
 * always checked host by host: Deno allows some hosts by default, and a
 * child must not get every host because the parent has the defaults.
 */
export function flagsFromPermissions(needs: ChildNeeds): string[] {
  const flags: string[] = [];
  for (const name of _NAMES) {
    if (name !== "import" && denoAllows({ name })) {
      flags.push(`--allow-${name}`);
      continue;
    }
    const items = name === "read"
      ? needs.read.filter((path) => denoAllows({ name, path }))
      : name === "write"
      ? needs.write.filter((path) => denoAllows({ name, path }))
      : name === "import"
      ? needs.import.filter((host) => denoAllows({ name, host }))
      : [];
    if (items.length) flags.push(`--allow-${name}=${items.join(",")}`);
  }
  return flags;
}

/**
 * The flags a Deno child of this program runs with. Deno lets a program
 * read its own command line only with every permission, so a parent with
 * `-A` passes its own permission and loading flags exactly (read from
 * `/proc/self/cmdline`); any other parent passes what
 * {@linkcode flagsFromPermissions} can tell. Always with `--no-prompt`: a
 * child has no terminal to ask on.
 */
export function denoChildFlags(needs: ChildNeeds): string[] {
  let flags: string[] | undefined;
  if (_NAMES.every((name) => name === "import" || denoAllows({ name }))) {
    try {
      const argv = denoNs.readTextFileSync("/proc/self/cmdline").split("\0");
      if (argv.at(-1) === "") argv.pop();
      flags = flagsFromArgv(argv);
    } catch { /* not Linux: the permission API says the same */ }
  }
  flags ??= flagsFromPermissions(needs);
  return flags.includes("--no-prompt") ? flags : [...flags, "--no-prompt"];
}
