/**
 * The options Popen, run and the helpers share, and their translation into
 * the runtime adapter's spawn options.
 *
 * @module
 */
import { ValueError } from "../_internal/core/errors.ts";
import type {
  OutputSpec,
  OutputSyncOptions,
  SpawnOptions,
  StdinSpec,
} from "../_internal/spawn/types.ts";
import { DEVNULL, PIPE, STDOUT } from "./constants.ts";
import {
  checkEncoding,
  checkErrors,
  encodeInput,
  type ErrorsMode,
  type OutputPipe,
  pipeOf,
  readAllSync,
} from "./_io.ts";

/** A command: a list of program and arguments, or a string (a shell command with `shell`). */
export type Args = string | readonly string[];

/**
 * An open file a child can take its stdin from, such as a `Deno.FsFile`:
 * anything with `read()` or a `readable` stream (plus `readSync()` for the
 * Sync twins). On Bun, pass a file descriptor number instead to let the child
 * read the file directly.
 */
export interface FileSource {
  /** Reads into `p`, resolving to the byte count or `null` at EOF. */
  read?(p: Uint8Array): Promise<number | null>;
  /** Reads into `p`, returning the byte count or `null` at EOF. */
  readSync?(p: Uint8Array): number | null;
  /** The file as a stream (used when there is no `read()`). */
  readonly readable?: ReadableStream<Uint8Array>;
}

/**
 * An open file a child's output can go to, such as a `Deno.FsFile`: anything
 * with `write()` or a `writable` stream (plus `writeSync()` for the Sync
 * twins). The file is not closed afterwards.
 */
export interface FileSink {
  /** Writes from `p`, resolving to the byte count written. */
  write?(p: Uint8Array): Promise<number>;
  /** Writes from `p`, returning the byte count written. */
  writeSync?(p: Uint8Array): number;
  /** The file as a stream (used when there is no `write()`). */
  readonly writable?: WritableStream<Uint8Array>;
}

/**
 * Where the child's stdin comes from: `PIPE`, `DEVNULL`, a file descriptor,
 * an open file, a web stream (another Popen's `stdout` or `stderr` makes a
 * pipeline; a stream of strings is encoded as UTF-8 or the `encoding`), or
 * `null`/omitted to inherit this process's stdin.
 */
export type StdinOption =
  | number
  | FileSource
  | ReadableStream<Uint8Array>
  | ReadableStream<string>
  | null;

/**
 * Where the child's stdout or stderr goes: `PIPE`, `DEVNULL`, `STDOUT` (for
 * stderr), a file descriptor, an open file, or `null`/omitted to inherit.
 */
export type OutputOption = number | FileSink | null;

/** Options of {@linkcode Popen}, shared by every function of the module. */
export interface PopenOptions {
  /** The child's stdin (inherited when omitted). */
  stdin?: StdinOption;
  /** The child's stdout (inherited when omitted). */
  stdout?: OutputOption;
  /** The child's stderr (inherited when omitted); `STDOUT` merges it into stdout. */
  stderr?: OutputOption;
  /**
   * Run `args` through `/bin/sh -c`: a string is the shell command; for a
   * list, the first item is the command and the rest its `$0`, `$1`, ...
   */
  shell?: boolean;
  /** The child's working directory. */
  cwd?: string | URL;
  /** The child's whole environment (replaces this process's, as in Python). */
  env?: Record<string, string>;
  /** Decode output and encode input as text (UTF-8), with universal newlines. */
  text?: boolean;
  /** Text mode with this encoding (`"utf-8"`, `"latin-1"`, `"ascii"`, ...). */
  encoding?: string;
  /** How undecodable output is handled in text mode: `"strict"` (default, a ValueError) or `"replace"`. */
  errors?: "strict" | "replace";
  /** Start the child in a new session (`setsid`); a timeout then kills its whole process group. */
  startNewSession?: boolean;
}

/** Options that ask for text mode; they make outputs strings. */
export type TextOptions = { text: true } | { encoding: string };

/** Options that keep bytes mode; outputs are Uint8Arrays. */
export type BytesOptions = { text?: false | undefined; encoding?: undefined };

/** The options after checking, ready for the runtime adapter. */
export interface Prepared {
  argv: string[];
  spawn: SpawnOptions;
  encoding: string | null;
  errors: ErrorsMode;
  newSession: boolean;
  /** Gives back a Popen's output pipe taken as stdin, when the spawn failed. */
  untake(): void;
}

const _knownPopen = new Set([
  "stdin",
  "stdout",
  "stderr",
  "shell",
  "cwd",
  "env",
  "text",
  "encoding",
  "errors",
  "startNewSession",
]);

/** Checks that no option is misspelled (Python rejects unknown keywords too). */
export function checkKeys(
  options: object,
  extra: readonly string[],
  fn: string,
): void {
  if (options === null || typeof options !== "object") {
    throw new TypeError(`${fn}() options must be an object`);
  }
  for (const k of Object.keys(options)) {
    if (!_knownPopen.has(k) && !extra.includes(k)) {
      throw new TypeError(`${fn}() got an unexpected option '${k}'`);
    }
  }
}

/** The argv to spawn for `args`, as Popen builds it. */
export function buildArgv(args: Args, shell: boolean): string[] {
  let list: string[];
  if (typeof args === "string") list = [args];
  else if (Array.isArray(args)) list = [...args];
  else if (args instanceof URL) list = [_path(args)];
  else {
    throw new TypeError(
      `args must be a string or an array of strings, not ${
        args === null ? "null" : typeof args
      }`,
    );
  }
  if (list.length === 0) throw new ValueError("args must not be empty");
  for (let i = 0; i < list.length; i++) {
    const a = list[i] as unknown;
    if (a instanceof URL) list[i] = _path(a);
    else if (typeof a !== "string") {
      throw new TypeError(
        `expected str, bytes or os.PathLike object, not ${
          a === null ? "null" : typeof a
        }`,
      );
    }
  }
  return shell ? ["/bin/sh", "-c", ...list] : list;
}

function _path(u: URL | string): string {
  if (typeof u === "string") return u;
  if (u.protocol !== "file:") {
    throw new TypeError(`expected a file: URL, got ${u.href}`);
  }
  return decodeURIComponent(u.pathname);
}

function _isFd(v: number): boolean {
  return Number.isInteger(v) && v >= 0;
}

/**
 * A byte stream over a stream given as stdin: strings are encoded, other
 * chunks must be bytes. A stream nobody may read (locked) is a TypeError
 * now, rather than a child waiting forever for its input.
 */
function _streamSource(
  stream: ReadableStream<unknown>,
  encoding: string | null,
): ReadableStream<Uint8Array> {
  if (stream.locked) {
    throw new TypeError("stdin stream is locked (already being read)");
  }
  return stream.pipeThrough(
    new TransformStream<unknown, Uint8Array>({
      transform(chunk, ctrl) {
        if (chunk instanceof Uint8Array) ctrl.enqueue(chunk);
        else if (typeof chunk === "string") {
          if (chunk) ctrl.enqueue(encodeInput(chunk, encoding ?? "utf-8"));
        } else if (ArrayBuffer.isView(chunk)) {
          ctrl.enqueue(
            new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength),
          );
        } else if (chunk instanceof ArrayBuffer) {
          ctrl.enqueue(new Uint8Array(chunk));
        } else {
          throw new TypeError(
            `stdin stream chunks must be bytes or strings, not ${
              chunk === null ? "null" : typeof chunk
            }`,
          );
        }
      },
    }),
  );
}

/** A web stream that reads an open file without closing it at EOF. */
function _sourceStream(
  f: FileSource,
  encoding: string | null,
): ReadableStream<Uint8Array> {
  if (typeof f.read === "function") {
    return new ReadableStream<Uint8Array>({
      async pull(ctrl) {
        const buf = new Uint8Array(64 * 1024);
        const n = await f.read!(buf);
        if (n === null || n === 0) ctrl.close();
        else ctrl.enqueue(buf.subarray(0, n));
      },
    }, { highWaterMark: 0 });
  }
  if (f.readable instanceof ReadableStream) {
    return _streamSource(f.readable, encoding);
  }
  throw new TypeError(
    "stdin must be a file descriptor, PIPE, DEVNULL, a readable stream, " +
      "or a file with read() or a readable stream",
  );
}

/** A web stream that writes to an open file without closing it. */
function _sinkStream(f: FileSink): WritableStream<Uint8Array> {
  if (typeof f.write === "function") {
    return new WritableStream<Uint8Array>({
      async write(chunk) {
        let off = 0;
        while (off < chunk.length) off += await f.write!(chunk.subarray(off));
      },
    });
  }
  if (f.writable instanceof WritableStream) return f.writable;
  throw new TypeError(
    "stdout or stderr file must have write() or a writable stream",
  );
}

function _stdin(
  v: StdinOption | undefined,
  encoding: string | null,
  taken: OutputPipe[],
): StdinSpec {
  if (v === undefined || v === null) return "inherit";
  if (v === PIPE) return "pipe";
  if (v === DEVNULL) return "null";
  if (typeof v === "number") {
    if (_isFd(v)) return v;
    throw new ValueError(`invalid stdin: ${v}`);
  }
  if (typeof v === "object") {
    // Another Popen's stdout or stderr: hand over its pipe, so the bytes go
    // from child to child (forwarded by Bun itself), whatever its text mode.
    const pipe = pipeOf(v);
    if (pipe) {
      const raw = pipe.take();
      taken.push(pipe);
      return raw;
    }
    if (v instanceof ReadableStream) return _streamSource(v, encoding);
    return _sourceStream(v as FileSource, encoding);
  }
  throw new TypeError(`invalid stdin: ${String(v)}`);
}

function _output(
  v: OutputOption | undefined,
  what: "stdout" | "stderr",
): OutputSpec | "stdout" {
  if (v === undefined || v === null) return "inherit";
  if (v === PIPE) return "pipe";
  if (v === DEVNULL) return "null";
  if (v === STDOUT) {
    if (what === "stderr") return "stdout";
    throw new ValueError("STDOUT can only be used for stderr");
  }
  if (typeof v === "number") {
    if (_isFd(v)) return v;
    throw new ValueError(`invalid ${what}: ${v}`);
  }
  if (typeof v === "object") return _sinkStream(v);
  throw new TypeError(`invalid ${what}: ${String(v)}`);
}

function _common(args: Args, o: PopenOptions) {
  const text = o.text === true || o.encoding !== undefined ||
    o.errors !== undefined;
  const encoding = text ? checkEncoding(o.encoding ?? "utf-8") : null;
  const errors = checkErrors(o.errors);
  if (o.env !== undefined) {
    if (o.env === null || typeof o.env !== "object") {
      throw new TypeError("env must be an object of strings");
    }
    for (const [k, v] of Object.entries(o.env)) {
      if (typeof v !== "string") {
        throw new TypeError(
          `env value for ${k}: expected str, bytes or os.PathLike object, not ${typeof v}`,
        );
      }
      if (k.includes("=") || k === "") {
        throw new ValueError("illegal environment variable name");
      }
      if (k.includes("\0") || v.includes("\0")) {
        throw new ValueError("embedded null byte");
      }
    }
  }
  const cwd = o.cwd === undefined || o.cwd === null ? undefined : _path(o.cwd);
  if (cwd?.includes("\0")) throw new ValueError("embedded null byte");
  return {
    argv: buildArgv(args, o.shell === true),
    cwd,
    env: o.env,
    encoding,
    errors,
    newSession: o.startNewSession === true,
  };
}

/** Checks Popen-style options and builds the adapter's async spawn options. */
export function prepare(args: Args, o: PopenOptions): Prepared {
  const c = _common(args, o);
  const stdout = _output(o.stdout, "stdout") as OutputSpec;
  const stderr = _output(o.stderr, "stderr");
  // stdin last: taking another Popen's pipe is the one step with an effect.
  const taken: OutputPipe[] = [];
  return {
    argv: c.argv,
    encoding: c.encoding,
    errors: c.errors,
    newSession: c.newSession,
    spawn: {
      cwd: c.cwd,
      env: c.env,
      stdin: _stdin(o.stdin, c.encoding, taken),
      stdout,
      stderr,
      newSession: c.newSession,
    },
    untake: () => taken.forEach((p) => p.untake()),
  };
}

/** What the Sync twins need: adapter options plus files to fill afterwards. */
export interface PreparedSync {
  argv: string[];
  spawn: OutputSyncOptions;
  encoding: string | null;
  errors: ErrorsMode;
  /** Files that get the captured stdout / stderr once the child is done. */
  stdoutFile: FileSink | null;
  stderrFile: FileSink | null;
  /** Whether the caller asked for the pipe (else it was only for a file). */
  stdoutPiped: boolean;
  stderrPiped: boolean;
}

function _syncOut(v: OutputOption | undefined, what: "stdout" | "stderr"): {
  spec: "pipe" | "inherit" | "null" | number | "stdout";
  file: FileSink | null;
} {
  if (v !== null && typeof v === "object") {
    if (typeof v.writeSync !== "function") {
      throw new TypeError(
        `${what} file must have writeSync() in a Sync function`,
      );
    }
    return { spec: "pipe", file: v };
  }
  return { spec: _output(v, what) as "pipe", file: null };
}

/** Checks options for a Sync twin; files are read or written around the call. */
export function prepareSync(
  args: Args,
  o: PopenOptions,
  input: string | Uint8Array | null,
): PreparedSync {
  const c = _common(args, o);
  let stdin: "inherit" | "null" | number | Uint8Array;
  if (input !== null) stdin = encodeInput(input, c.encoding ?? "utf-8");
  else if (o.stdin !== null && typeof o.stdin === "object") {
    if (!("readSync" in o.stdin) || typeof o.stdin.readSync !== "function") {
      throw new TypeError(
        "stdin must be a file with readSync() in a Sync function " +
          "(a stream can only be read asynchronously)",
      );
    }
    stdin = readAllSync(o.stdin as { readSync(p: Uint8Array): number | null });
  } else if (o.stdin === PIPE) {
    // Nothing can write to the pipe while this thread blocks: send EOF.
    stdin = new Uint8Array(0);
  } else stdin = _stdin(o.stdin, null, []) as "inherit";
  const out = _syncOut(o.stdout, "stdout");
  const err = _syncOut(o.stderr, "stderr");
  return {
    argv: c.argv,
    encoding: c.encoding,
    errors: c.errors,
    stdoutFile: out.file,
    stderrFile: err.file,
    stdoutPiped: o.stdout === PIPE,
    stderrPiped: o.stderr === PIPE,
    spawn: {
      cwd: c.cwd,
      env: c.env,
      stdin,
      stdout: out.spec as "pipe",
      stderr: err.spec,
      newSession: c.newSession,
    },
  };
}
