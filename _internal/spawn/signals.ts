/**
 * Signals on this OS: `signalNumber` and `signalName` map names and numbers
 * (Linux or macOS numbering), `statusFrom` turns a runtime's exit report
 * into an `ExitStatus`, and `sendSignal` signals a pid or process group.
 * Design: docs/design/spawn.md
 *
 * @module
 */
import { denoNs, nodeProcess } from "../runtime/adapter.ts";
import type { ExitStatus } from "./types.ts";

const _linuxSignals = [
  "",
  "SIGHUP",
  "SIGINT",
  "SIGQUIT",
  "SIGILL",
  "SIGTRAP",
  "SIGABRT",
  "SIGBUS",
  "SIGFPE",
  "SIGKILL",
  "SIGUSR1",
  "SIGSEGV",
  "SIGUSR2",
  "SIGPIPE",
  "SIGALRM",
  "SIGTERM",
  "SIGSTKFLT",
  "SIGCHLD",
  "SIGCONT",
  "SIGSTOP",
  "SIGTSTP",
  "SIGTTIN",
  "SIGTTOU",
  "SIGURG",
  "SIGXCPU",
  "SIGXFSZ",
  "SIGVTALRM",
  "SIGPROF",
  "SIGWINCH",
  "SIGIO",
  "SIGPWR",
  "SIGSYS",
];
const _darwinSignals = [
  "",
  "SIGHUP",
  "SIGINT",
  "SIGQUIT",
  "SIGILL",
  "SIGTRAP",
  "SIGABRT",
  "SIGEMT",
  "SIGFPE",
  "SIGKILL",
  "SIGBUS",
  "SIGSEGV",
  "SIGSYS",
  "SIGPIPE",
  "SIGALRM",
  "SIGTERM",
  "SIGURG",
  "SIGSTOP",
  "SIGTSTP",
  "SIGCONT",
  "SIGCHLD",
  "SIGTTIN",
  "SIGTTOU",
  "SIGIO",
  "SIGXCPU",
  "SIGXFSZ",
  "SIGVTALRM",
  "SIGPROF",
  "SIGWINCH",
  "SIGINFO",
  "SIGUSR1",
  "SIGUSR2",
];
const _os: string = denoNs?.build.os ?? nodeProcess?.platform ?? "linux";
const _isDarwin = _os === "darwin";
const _signals = _isDarwin ? _darwinSignals : _linuxSignals;
const _signalNumbers = new Map<string, number>(
  _signals.map((name, i) => [name, i] as [string, number]).filter(([n]) => n),
);
if (!_isDarwin) {
  _signalNumbers.set("SIGPOLL", 29);
  _signalNumbers.set("SIGIOT", 6);
  _signalNumbers.set("SIGRTMIN", 34);
  _signalNumbers.set("SIGRTMAX", 64);
}

/**
 * The number of a signal on this OS, from its name (`"SIGUSR1"`, also
 * without the `SIG` prefix) or a number (checked and returned).
 *
 * @throws {TypeError} an unknown name or a number that is not a signal.
 */
export function signalNumber(sig: string | number): number {
  if (typeof sig === "number") {
    if (!Number.isInteger(sig) || sig < 0 || sig > (_isDarwin ? 31 : 64)) {
      throw new TypeError(`invalid signal number: ${sig}`);
    }
    return sig;
  }
  if (typeof sig !== "string") {
    throw new TypeError(
      `signal must be a name or a number, got ${typeof sig}`,
    );
  }
  const name = sig.toUpperCase().startsWith("SIG")
    ? sig.toUpperCase()
    : "SIG" + sig.toUpperCase();
  const n = _signalNumbers.get(name);
  if (n === undefined) throw new TypeError(`unknown signal: ${sig}`);
  return n;
}

/**
 * The name Python gives signal `signo` on this OS (`9` -> `"SIGKILL"`), or
 * `undefined` for a number without one.
 */
export function signalName(signo: number): string | undefined {
  if (signo > 0 && signo < _signals.length) return _signals[signo];
  if (!_isDarwin && signo === 34) return "SIGRTMIN";
  if (!_isDarwin && signo === 64) return "SIGRTMAX";
  return undefined;
}

/** The exit status a runtime reports as an exit code and a signal name. */
export function statusFrom(
  code: number | null,
  signal: string | null,
): ExitStatus {
  if (signal) {
    const n = _signalNumbers.get(signal) ?? (code !== null ? code - 128 : 0);
    return { returncode: -n, code: null, signal: n };
  }
  return { returncode: code ?? 0, code: code ?? 0, signal: null };
}

/** Sends `signo` to `pid` (a process group when negative); false if none is left. */
export function sendSignal(pid: number, signo: number): boolean {
  try {
    if (denoNs) denoNs.kill(pid, signo);
    else nodeProcess.kill(pid, signo);
    return true;
  } catch {
    return false; // ESRCH: nothing left to signal
  }
}
