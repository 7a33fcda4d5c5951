/**
 * {@linkcode Popen}: a child process you talk to while it runs.
 *
 * @module
 */
import { ValueError } from "../_internal/core/errors.ts";
import { timeoutToMs } from "../_internal/core/time.ts";
import { expiry } from "../_internal/spawn/expiry.ts";
import { signalNumber } from "../_internal/spawn/signals.ts";
import { spawn } from "../_internal/spawn/spawn.ts";
import { concatBytes } from "../_internal/spawn/streams.ts";
import type { ChildProcess } from "../_internal/spawn/types.ts";
import { TimeoutExpired } from "./errors.ts";
import {
  decodeAll,
  encodeInput,
  type ErrorsMode,
  holdPipe,
  InputPipe,
  OutputPipe,
  registerPipe,
  textStream,
} from "./_io.ts";
import {
  type Args,
  checkKeys,
  type PopenOptions,
  prepare,
} from "./_options.ts";

/**
 * A {@linkcode Popen}'s `stdout` or `stderr`: a web stream, plus Python's
 * `close()`. It can be given as another Popen's `stdin` to build a pipeline.
 *
 * @typeParam T `Uint8Array`, or `string` in text mode.
 */
export interface ReadablePipe<T> extends ReadableStream<T> {
  /**
   * Closes this process's read end, as Python's `p.stdout.close()`: a child
   * still writing gets SIGPIPE, unless the stream was given to another Popen
   * as its `stdin`, which then keeps reading (so the first child gets SIGPIPE
   * only if the second one exits early).
   */
  close(): void;
}

/**
 * A child process, started at construction. Python's `subprocess.Popen`.
 *
 * With `stdin`, `stdout` or `stderr` set to `PIPE`, the matching property is
 * a web stream (`WritableStream` for stdin, `ReadableStream` for the others),
 * of strings in text mode (`text` or `encoding`; pass `string` as the type
 * parameter then) and of `Uint8Array`s otherwise. `await using` closes the
 * pipes and waits for the child when the block ends. As in Python, `wait()`
 * leaves pipes open; a pipe nobody reads is closed once the Popen, and the
 * stream over the pipe if it was taken, have been garbage collected.
 *
 * Differences forced by JavaScript: {@linkcode Popen.wait} and
 * {@linkcode Popen.communicate} are async (there is no blocking form, since the
 * runtime learns of the child's exit on the event loop), and
 * {@linkcode Popen.poll} sees an exit once the event loop has processed it.
 * `communicate(input)` with no stdin pipe is a `ValueError` rather than
 * silently dropping the input.
 *
 * @typeParam T `Uint8Array`, or `string` in text mode.
 *
 * @example Talk to a child through pipes
 * ```ts
 * import { PIPE, Popen } from "@pyconc/pyconc/subprocess";
 * await using p = new Popen<string>(["cat"], { stdin: PIPE, stdout: PIPE, text: true });
 * const [out, err] = await p.communicate("hello");
 * console.assert(out === "hello" && err === null && p.returncode === 0);
 * ```
 *
 * @example A pipeline: `printf 'b\na\n' | sort`, Python's "Replacing shell pipeline"
 * ```ts
 * import { PIPE, Popen } from "@pyconc/pyconc/subprocess";
 * const p1 = new Popen(["printf", "b\\na\\n"], { stdout: PIPE });
 * const p2 = new Popen<string>(["sort"], { stdin: p1.stdout, stdout: PIPE, text: true });
 * p1.stdout!.close(); // lets p1 get SIGPIPE if p2 exits early
 * const [out] = await p2.communicate();
 * console.assert(out === "a\nb\n" && (await p1.wait()) === 0);
 * ```
 *
 * @example Stream lines as they come
 * ```ts
 * import { PIPE, Popen } from "@pyconc/pyconc/subprocess";
 * await using p = new Popen<string>(["sh", "-c", "echo a; echo b"], { stdout: PIPE, text: true });
 * let all = "";
 * for await (const chunk of p.stdout!) all += chunk;
 * console.assert(all === "a\nb\n" && (await p.wait()) === 0);
 * ```
 */
export class Popen<T extends string | Uint8Array = Uint8Array>
  implements AsyncDisposable {
  /** The command as it was given. */
  readonly args: Args;
  /** The child's process id. */
  readonly pid: number;
  /**
   * The exit status once {@linkcode Popen.poll}, {@linkcode Popen.wait} or
   * {@linkcode Popen.communicate} has seen the child end (-N for signal N);
   * `null` before.
   */
  returncode: number | null = null;

  readonly #child: ChildProcess;
  readonly #in: InputPipe | null;
  readonly #out: OutputPipe | null;
  readonly #err: OutputPipe | null;
  readonly #encoding: string | null;
  readonly #errors: ErrorsMode;
  #stdin?: WritableStream<T>;
  #stdout?: ReadablePipe<T>;
  #stderr?: ReadablePipe<T>;
  #communicating: Promise<unknown> | null = null;

  /**
   * Starts the child.
   *
   * @param args the program and its arguments, or a shell command string with `shell`
   * @param options {@linkcode PopenOptions}
   * @throws {FileNotFoundError} the program or `cwd` does not exist.
   * @throws {TypeError} a bad argument or option type, or an unknown option.
   * @throws {ValueError} a bad option value.
   */
  constructor(args: Args, options: PopenOptions = {}) {
    checkKeys(options, [], "Popen");
    const p = prepare(args, options);
    this.args = args;
    this.#encoding = p.encoding;
    this.#errors = p.errors;
    try {
      this.#child = spawn(p.argv, p.spawn);
    } catch (err) {
      p.untake();
      throw err;
    }
    this.pid = this.#child.pid;
    this.#in = this.#child.stdin ? new InputPipe(this.#child.stdin) : null;
    this.#out = this.#child.stdout ? new OutputPipe(this.#child.stdout) : null;
    this.#err = this.#child.stderr ? new OutputPipe(this.#child.stderr) : null;
    // A collected Popen closes the pipes nobody else holds, as Python's does.
    for (const pipe of [this.#in, this.#out, this.#err]) {
      if (pipe) holdPipe(this, pipe);
    }
  }

  /** The write end of the child's stdin when it is `PIPE`, else `null`. */
  get stdin(): WritableStream<T> | null {
    if (!this.#in) return null;
    if (!this.#stdin) {
      const bytes = this.#in.stream();
      const enc = this.#encoding;
      this.#stdin = (enc === null ? bytes : new WritableStream<string>({
        write: (chunk) => this.#in!.write(encodeInput(chunk, enc)),
        close: () => this.#in!.close(),
        abort: () => this.#in!.close(),
      })) as WritableStream<T>;
      holdPipe(this.#stdin, this.#in);
    }
    return this.#stdin;
  }

  /**
   * The read end of the child's stdout when it is `PIPE`, else `null`. Give
   * it as another Popen's `stdin` to pipe this child into that one.
   */
  get stdout(): ReadablePipe<T> | null {
    if (!this.#out) return null;
    return this.#stdout ??= this.#readable(this.#out);
  }

  /** The read end of the child's stderr when it is `PIPE`, else `null`. */
  get stderr(): ReadablePipe<T> | null {
    if (!this.#err) return null;
    return this.#stderr ??= this.#readable(this.#err);
  }

  #readable(pipe: OutputPipe): ReadablePipe<T> {
    const stream = (this.#encoding === null ? pipe.stream() : textStream(
      () => pipe.read(),
      this.#encoding,
      this.#errors,
      () => pipe.close(),
    )) as ReadablePipe<T>;
    Object.defineProperty(stream, "close", {
      value: () => pipe.close(),
      configurable: true,
    });
    registerPipe(stream, pipe);
    holdPipe(stream, pipe);
    return stream;
  }

  /**
   * Whether the child has ended: its returncode, or `null` while it runs.
   *
   * @example
   * ```ts
   * import { Popen } from "@pyconc/pyconc/subprocess";
   * const p = new Popen(["sleep", "0.1"]);
   * console.assert(p.poll() === null);
   * await p.wait();
   * console.assert(p.poll() === 0);
   * ```
   */
  poll(): number | null {
    if (this.returncode === null && this.#child.status) {
      this.returncode = this.#child.status.returncode;
    }
    return this.returncode;
  }

  /**
   * Waits for the child to end and resolves to its returncode. With a
   * timeout in seconds, rejects with {@linkcode TimeoutExpired} if the child
   * is still running then (the child is left running). With a stdout or
   * stderr `PIPE` nobody reads, a chatty child can block on a full pipe:
   * use {@linkcode Popen.communicate} then.
   *
   * @param timeout seconds to wait; `null`/omitted waits forever
   * @returns the returncode
   * @throws {TimeoutExpired} the timeout expired.
   * @throws {ValueError} a negative timeout.
   *
   * @example
   * ```ts
   * import { Popen } from "@pyconc/pyconc/subprocess";
   * const p = new Popen(["sh", "-c", "exit 3"]);
   * console.assert((await p.wait(5)) === 3);
   * ```
   */
  async wait(timeout?: number | null): Promise<number> {
    const ms = timeoutToMs(timeout);
    if (!(await this.#exitedWithin(ms))) {
      throw new TimeoutExpired(this.args, timeout!);
    }
    return this.poll()!;
  }

  async #exitedWithin(ms: number): Promise<boolean> {
    if (ms === Infinity) {
      await this.#child.exited;
      return true;
    }
    const timer = expiry(ms);
    try {
      return await Promise.race([
        this.#child.exited.then(() => true),
        timer.expired.then(() => false),
      ]);
    } finally {
      timer.cancel();
    }
  }

  /**
   * Sends `input` to the child's stdin (then closes it), reads stdout and
   * stderr to the end at the same time, waits for the child, and resolves to
   * `[stdout, stderr]` (each `null` unless it is a `PIPE`). Large input and
   * output at once do not deadlock. On timeout it rejects with
   * {@linkcode TimeoutExpired} carrying the output so far and leaves the child
   * running; calling `communicate()` again continues without losing output.
   *
   * @param input bytes or text for stdin; needs `stdin: PIPE`
   * @param timeout seconds to wait; `null`/omitted waits forever
   * @returns `[stdout, stderr]`
   * @throws {TimeoutExpired} the timeout expired.
   * @throws {ValueError} input after communication started, input without a
   *   stdin pipe, or a negative timeout.
   *
   * @example
   * ```ts
   * import { PIPE, Popen } from "@pyconc/pyconc/subprocess";
   * const p = new Popen(["sh", "-c", "cat; echo err >&2"], { stdin: PIPE, stdout: PIPE, stderr: PIPE });
   * const [out, err] = await p.communicate(new TextEncoder().encode("data"));
   * console.assert(new TextDecoder().decode(out!) === "data");
   * console.assert(new TextDecoder().decode(err!) === "err\n");
   * ```
   */
  async communicate(
    input?: string | Uint8Array | null,
    timeout?: number | null,
  ): Promise<[T | null, T | null]> {
    const ms = timeoutToMs(timeout);
    const hasInput = input !== undefined && input !== null;
    if (this.#communicating && hasInput) {
      throw new ValueError("Cannot send input after starting communication");
    }
    if (hasInput && !this.#in) {
      throw new ValueError("communicate() got input but stdin is not PIPE");
    }
    if (!this.#communicating) {
      const data = hasInput
        ? encodeInput(input, this.#encoding ?? "utf-8")
        : null;
      this.#communicating = Promise.all([
        this.#in?.feed(data),
        this.#out?.drain(),
        this.#err?.drain(),
        this.#child.exited,
      ]);
    }
    const timer = expiry(ms);
    const finished = await Promise.race([
      this.#communicating.then(() => true),
      timer.expired.then(() => false),
    ]).finally(() => timer.cancel());
    if (!finished) {
      throw new TimeoutExpired(
        this.args,
        timeout!,
        this.#out ? concatBytes(this.#out.chunks) : null,
        this.#err ? concatBytes(this.#err.chunks) : null,
      );
    }
    this.poll();
    return [this.#result(this.#out), this.#result(this.#err)];
  }

  #result(pipe: OutputPipe | null): T | null {
    if (!pipe) return null;
    const bytes = concatBytes(pipe.chunks);
    return (this.#encoding === null
      ? bytes
      : decodeAll(bytes, this.#encoding, this.#errors)) as T;
  }

  /**
   * Sends a signal, by name (`"SIGUSR1"`) or number, to the child; does
   * nothing once the child is known to have ended.
   *
   * @param sig the signal
   * @throws {ValueError} an unknown signal name or number.
   *
   * @example
   * ```ts
   * import { Popen } from "@pyconc/pyconc/subprocess";
   * const p = new Popen(["sleep", "10"]);
   * p.sendSignal("SIGUSR1");
   * console.assert((await p.wait()) === -10 || p.returncode! < 0);
   * ```
   */
  sendSignal(sig: string | number): void {
    let signo: number;
    try {
      signo = signalNumber(sig);
    } catch (err) {
      throw new ValueError((err as Error).message);
    }
    if (this.poll() !== null) return;
    this.#child.kill(signo);
  }

  /**
   * Asks the child to stop with SIGTERM.
   *
   * @example
   * ```ts
   * import { Popen } from "@pyconc/pyconc/subprocess";
   * const p = new Popen(["sleep", "10"]);
   * p.terminate();
   * console.assert((await p.wait()) === -15);
   * ```
   */
  terminate(): void {
    this.sendSignal("SIGTERM");
  }

  /**
   * Kills the child with SIGKILL. (To kill a whole process group started with
   * `startNewSession`, use a timeout on {@linkcode run}/{@linkcode call}.)
   *
   * @example
   * ```ts
   * import { Popen } from "@pyconc/pyconc/subprocess";
   * const p = new Popen(["sleep", "10"]);
   * p.kill();
   * console.assert((await p.wait()) === -9);
   * ```
   */
  kill(): void {
    this.sendSignal("SIGKILL");
  }

  /**
   * What `await using` calls at the end of the block: closes stdout and
   * stderr (a child still writing gets SIGPIPE; on Bun, whose pipes are
   * socket pairs, it may get ECONNRESET instead), closes stdin, then waits
   * for the child to end, as Python's `with Popen(...)` does. There is no
   * `Symbol.dispose` (plain `using`): the wait cannot block, so a sync form
   * would end the block without reaping the child.
   *
   * @example
   * ```ts
   * import { PIPE, Popen } from "@pyconc/pyconc/subprocess";
   * {
   *   await using p = new Popen(["yes"], { stdout: PIPE });
   * } // here `yes` has been stopped by the closed pipe and reaped
   * ```
   */
  async [Symbol.asyncDispose](): Promise<void> {
    this.#out?.close();
    this.#err?.close();
    await this.#in?.close();
    await this.wait();
  }
}
