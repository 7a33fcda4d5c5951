/**
 * Python's `subprocess` for Deno and Bun: spawn programs, connect to their
 * input and output pipes, and get their exit status, on `Deno.Command` and
 * `Bun.spawn`.
 *
 * Every blocking function is async and has a `Sync` twin that blocks the
 * calling thread (`run`/`runSync`, `call`/`callSync`, `checkCall`,
 * `checkOutput`, `getoutput`, `getstatusoutput`); {@linkcode Popen} gives
 * full control of a running child. Options follow Python's keyword
 * arguments in camelCase (`captureOutput`, `startNewSession`), timeouts are
 * seconds, outputs are `Uint8Array`s unless `text` or `encoding` asks for
 * strings, and errors carry Python's names and messages.
 *
 * Where JavaScript forces a difference: `stderr: STDOUT` runs the program
 * through `/bin/sh -c 'exec "$@" 2>&1'` (same pid, argv and status), since
 * neither runtime can give two stdio slots one pipe; an open file given as a
 * stdio slot is forwarded through a pipe by this process on Deno (Bun takes
 * file descriptors directly); `Popen.wait` and `Popen.communicate` are async
 * only. A Popen's `stdout` or `stderr` given as another Popen's `stdin` makes a
 * pipeline, as in Python, but the bytes pass through this process (neither
 * runtime can hand a child another child's pipe): Bun forwards them itself,
 * Deno with `pipeTo`; both keep up with a shell pipe.
 *
 * @example Run a command, capture its output, check its status
 * ```ts
 * import { CalledProcessError, run } from "@pyconc/pyconc/subprocess";
 *
 * const cp = await run(["echo", "hello"], { captureOutput: true, text: true });
 * console.assert(cp.returncode === 0 && cp.stdout === "hello\n");
 *
 * try {
 *   await run(["false"], { check: true });
 * } catch (err) {
 *   if (!(err instanceof CalledProcessError)) throw err;
 *   console.assert(err.message === "Command '['false']' returned non-zero exit status 1.");
 * }
 * ```
 *
 * @example A pipeline, as Python's "Replacing shell pipeline" (`printf 'b\na\n' | sort`)
 * ```ts
 * import { PIPE, Popen } from "@pyconc/pyconc/subprocess";
 *
 * const p1 = new Popen(["printf", "b\\na\\n"], { stdout: PIPE });
 * const p2 = new Popen(["sort"], { stdin: p1.stdout, stdout: PIPE });
 * p1.stdout!.close(); // Allow p1 to receive a SIGPIPE if p2 exits.
 * const [output] = await p2.communicate();
 * console.assert(new TextDecoder().decode(output!) === "a\nb\n");
 * await p1.wait();
 * ```
 *
 * @module
 */
export * from "./constants.ts";
export * from "./errors.ts";
export * from "./completed_process.ts";
export * from "./run.ts";
export * from "./call.ts";
export * from "./check_output.ts";
export * from "./getoutput.ts";
export * from "./getstatusoutput.ts";
export * from "./popen.ts";
export type {
  Args,
  BytesOptions,
  FileSink,
  FileSource,
  OutputOption,
  PopenOptions,
  StdinOption,
  TextOptions,
} from "./_options.ts";
