/**
 * {@linkcode CompletedProcess}: what {@linkcode run} returns.
 *
 * @module
 */
import { CalledProcessError } from "./errors.ts";
import type { Args } from "./_options.ts";
import { repr } from "../_internal/core/repr.ts";

/**
 * A finished child process, as returned by {@linkcode run} and
 * {@linkcode runSync}. `stdout` and `stderr` are `Uint8Array`s, or strings in
 * text mode, or `null` when they were not captured.
 *
 * @typeParam T `Uint8Array`, or `string` in text mode.
 *
 * @example Check a finished command
 * ```ts
 * import { run } from "@pyconc/pyconc/subprocess";
 * const cp = await run(["echo", "hi"], { captureOutput: true, text: true });
 * console.assert(cp.returncode === 0 && cp.stdout === "hi\n" && cp.stderr === "");
 * cp.checkReturncode(); // does not throw
 * ```
 */
export class CompletedProcess<T extends string | Uint8Array = Uint8Array> {
  /** The command as it was given. */
  args: Args;
  /** The exit status; -N when signal N killed the child. */
  returncode: number;
  /** Captured stdout, or `null` when not captured. */
  stdout: T | null;
  /** Captured stderr, or `null` when not captured. */
  stderr: T | null;

  /**
   * Creates the record of a finished command.
   *
   * @param args the command that ran
   * @param returncode its exit status
   * @param stdout its captured stdout, if any
   * @param stderr its captured stderr, if any
   */
  constructor(
    args: Args,
    returncode: number,
    stdout: T | null = null,
    stderr: T | null = null,
  ) {
    this.args = args;
    this.returncode = returncode;
    this.stdout = stdout;
    this.stderr = stderr;
  }

  /**
   * Throws if the exit status is not zero.
   *
   * @throws {CalledProcessError} carrying the returncode, args and output.
   */
  checkReturncode(): void {
    if (this.returncode) {
      throw new CalledProcessError(
        this.returncode,
        this.args,
        this.stdout,
        this.stderr,
      );
    }
  }

  /** Python's repr: `CompletedProcess(args=['true'], returncode=0)`. */
  toString(): string {
    const parts = [
      `args=${repr(this.args)}`,
      `returncode=${this.returncode}`,
    ];
    if (this.stdout !== null) parts.push(`stdout=${repr(this.stdout)}`);
    if (this.stderr !== null) parts.push(`stderr=${repr(this.stderr)}`);
    return `CompletedProcess(${parts.join(", ")})`;
  }
}
