/**
 * Python's built-in exceptions that several modules raise, as `Error`
 * subclasses, and the registry that lets errors cross a worker or process
 * boundary and come back as instances of the same class.
 *
 * @module
 */

/** A class of error the codec can rebuild on the other side of a boundary. */
// deno-lint-ignore no-explicit-any
export type ErrorClass = new (...args: any[]) => Error;

const _registry = new Map<string, ErrorClass>();
/** The name each registered class's prototype is known by (its first). */
const _names = new Map<object, string>();

/**
 * Registers an error class under its `name` so that an error of that class
 * thrown in a worker or child process comes back as an instance of it.
 * (The public form, which refuses a name taken by another class, is
 * `registerError` of `share/classes.ts`.)
 */
export function registerError(cls: ErrorClass, name: string = cls.name): void {
  _registry.set(name, cls);
  if (!_names.has(cls.prototype)) _names.set(cls.prototype, name);
}

/** Looks up a class registered with {@linkcode registerError}. */
export function lookupError(name: string): ErrorClass | undefined {
  return _registry.get(name);
}

/**
 * The name of the nearest registered class of `err`: its own class when
 * registered, else the closest registered ancestor; `undefined` when none
 * is (the error then comes back as its built-in class or as `Error`).
 */
export function registeredErrorName(err: Error): string | undefined {
  for (
    let p = Object.getPrototypeOf(err);
    p !== null && p !== Error.prototype;
    p = Object.getPrototypeOf(p)
  ) {
    const name = _names.get(p);
    if (name !== undefined) return name;
  }
  return undefined;
}

/**
 * What a wrong argument is, for a TypeError's message: "null", an object's
 * class name ("object" when it has none), or the `typeof` of anything else.
 */
export function typeName(v: unknown): string {
  if (v === null) return "null";
  if (typeof v === "object") return v.constructor?.name ?? "object";
  return typeof v;
}

/**
 * Python's `ValueError`: an argument has the right type but a bad value.
 *
 * @example Catching a bad timeout
 * ```ts
 * import { ValueError } from "@pyconc/pyconc";
 * const err = new ValueError("timeout value must be a non-negative number");
 * console.assert(err instanceof Error && err.name === "ValueError");
 * ```
 */
export class ValueError extends Error {
  /** Creates the error with an optional message. */
  constructor(message?: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "ValueError";
  }
}

/**
 * Python's `RuntimeError`: an operation is not allowed in the current state,
 * such as releasing a lock that is not held.
 *
 * @example
 * ```ts
 * import { RuntimeError } from "@pyconc/pyconc";
 * console.assert(new RuntimeError("release unlocked lock").name === "RuntimeError");
 * ```
 */
export class RuntimeError extends Error {
  /** Creates the error with an optional message. */
  constructor(message?: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "RuntimeError";
  }
}

/**
 * Python's `OSError`: a system call failed. Carries `errno` and `filename`
 * where they are known.
 *
 * @example
 * ```ts
 * import { OSError } from "@pyconc/pyconc";
 * console.assert(new OSError("boom").name === "OSError");
 * ```
 */
export class OSError extends Error {
  /** The error number, when the system gave one. */
  errno?: number;
  /** The file or program the failing call was about. */
  filename?: string;
  /** Creates the error with an optional message. */
  constructor(message?: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "OSError";
  }
}

/**
 * Python's `TimeoutError`: a blocking call ran out of time. The futures and
 * multiprocessing modules raise this same class.
 *
 * @example
 * ```ts
 * import { TimeoutError } from "@pyconc/pyconc";
 * console.assert(new TimeoutError().name === "TimeoutError");
 * ```
 */
export class TimeoutError extends OSError {
  /** Creates the error with an optional message. */
  constructor(message?: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "TimeoutError";
  }
}

/**
 * Python's `FileNotFoundError`: a file or program does not exist.
 *
 * @example
 * ```ts
 * import { FileNotFoundError } from "@pyconc/pyconc";
 * const err = new FileNotFoundError("No such file or directory: 'nope'");
 * console.assert(err.name === "FileNotFoundError");
 * ```
 */
export class FileNotFoundError extends OSError {
  /** Creates the error with an optional message. */
  constructor(message?: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "FileNotFoundError";
    this.errno = 2;
  }
}

/**
 * Python's `PermissionError`: the operation was not permitted (`errno` 13),
 * such as running a file that is not executable.
 *
 * @example
 * ```ts
 * import { OSError, PermissionError } from "@pyconc/pyconc";
 * const err = new PermissionError("[Errno 13] Permission denied: 'x'");
 * console.assert(err instanceof OSError && err.errno === 13);
 * ```
 */
export class PermissionError extends OSError {
  /** Creates the error with an optional message. */
  constructor(message?: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "PermissionError";
    this.errno = 13;
  }
}

/**
 * Python's `EOFError`: the other end of a pipe or connection has closed.
 *
 * @example
 * ```ts
 * import { EOFError } from "@pyconc/pyconc";
 * console.assert(new EOFError().name === "EOFError");
 * ```
 */
export class EOFError extends Error {
  /** Creates the error with an optional message. */
  constructor(message?: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "EOFError";
  }
}

/**
 * A value cannot be copied to another thread or process: a function, a
 * symbol, a Promise or a weak reference, found in a thread's or a task's
 * arguments, a result or a queue item. The message names where it is
 * (`args[1].callbacks[0]`) and why.
 *
 * Its `name` is `"DataCloneError"`, as the `DOMException` that
 * `structuredClone` and `postMessage` throw, so code that checks
 * `err.name === "DataCloneError"` keeps working; it is a `TypeError`, as
 * Python's pickle raises `TypeError: cannot pickle '…' object` and as
 * every other wrong argument of this library is, so it is not an
 * `instanceof DOMException`.
 *
 * @example
 * ```ts
 * import { DataCloneError, queue } from "@pyconc/pyconc";
 * const q = new queue.Queue();
 * try {
 *   q.putNowait({ onDone: () => {} });
 * } catch (err) {
 *   console.assert(err instanceof DataCloneError && err instanceof TypeError);
 *   console.assert((err as Error).message.startsWith("item.onDone"));
 * }
 * ```
 */
export class DataCloneError extends TypeError {
  /** Creates the error with an optional message. */
  constructor(message?: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "DataCloneError";
  }
}

for (
  const cls of [
    ValueError,
    RuntimeError,
    OSError,
    TimeoutError,
    FileNotFoundError,
    PermissionError,
    EOFError,
    DataCloneError,
  ]
) registerError(cls);
