/**
 * The user's classes that cross a thread or process boundary whole:
 * `registerClass` and `registerError`, and the lookups the codec makes.
 * A class is known by a name registered on both sides (the receiving side
 * runs the same module code), as pickle knows a class by its module and
 * qualified name.
 *
 * @module
 */
import {
  type ErrorClass,
  lookupError,
  registerError as registerErrorClass,
  typeName,
  ValueError,
} from "../core/errors.ts";

export type { ErrorClass };

/** Options of {@linkcode registerClass} and {@linkcode registerError}. */
export interface RegisterOptions {
  /**
   * The name the class is known by on both sides; `cls.name` by default.
   * Give one when two classes that cross a boundary have the same name.
   */
  name?: string;
}

/** A class whose instances {@linkcode registerClass} can carry. */
// deno-lint-ignore no-explicit-any
export type RegisteredClass = abstract new (...args: any[]) => object;

const _byName = new Map<string, RegisteredClass>();
const _byProto = new Map<object, string>();

function _nameOf(
  cls: RegisteredClass,
  options: RegisterOptions | undefined,
  what: string,
): string {
  if (
    typeof cls !== "function" || typeof cls.prototype !== "object" ||
    cls.prototype === null
  ) {
    throw new TypeError(`${what}() takes a class, got ${typeName(cls)}`);
  }
  if (options !== undefined && (typeof options !== "object" || !options)) {
    throw new TypeError(
      `${what}() options must be an object like { name }, got ${
        typeName(options)
      }`,
    );
  }
  const name = options?.name ?? cls.name;
  if (typeof name !== "string") {
    throw new TypeError(`${what}() name must be a string, got ${typeof name}`);
  }
  if (name === "") {
    throw new TypeError(
      `${what}() needs a { name } for an anonymous class`,
    );
  }
  return name;
}

/**
 * Registers a class so that its instances cross a thread or process
 * boundary whole, as Python's pickle carries them: in the arguments of a
 * `Thread`, a `Process` or a pool task, in a task's result or error, in a
 * `queue` item and in a `multiprocessing` queue item or pipe message, at
 * any depth, an instance arrives as an instance of the same class, with its
 * prototype (so its methods) and its own enumerable fields, each carried
 * the same way (shared objects inside stay live handles).
 *
 * The receiving side must have registered the same class under the same
 * name: it runs the same module code, so a module that defines a class and
 * registers it at import does it for every thread and child that imports
 * it (the module of a `{ module, name }` target, or one it imports). As
 * with pickle, the constructor does not run again on arrival; private
 * `#fields`, accessors and non-enumerable properties are not carried. An
 * instance of a subclass is carried only when the subclass is registered
 * too. Registering a subclass of `Error` is the same as
 * {@linkcode registerError}.
 *
 * An instance of a class that is not registered keeps the behaviour of
 * structured clone: it arrives as a plain object holding its own fields,
 * without its methods.
 *
 * @param cls The class.
 * @param options `name`: what the class is known by (default `cls.name`).
 * @throws {TypeError} `cls` is not a class, or is anonymous and no `name` is given.
 * @throws {ValueError} another class is registered under that name.
 *
 * @example A class instance as a pool task's argument and result
 * ```ts
 * // point.ts, imported by the program and by the task's module
 * import { registerClass } from "@pyconc/pyconc";
 * export class Point {
 *   constructor(public x: number, public y: number) {}
 *   norm(): number {
 *     return Math.hypot(this.x, this.y);
 *   }
 * }
 * registerClass(Point);
 * ```
 * ```ts ignore
 * // main.ts: norm.ts does `import { Point } from "./point.ts"` and exports
 * // `function norm(p: Point) { return p.norm(); }`
 * import { futures } from "@pyconc/pyconc";
 * import { Point } from "./point.ts";
 * await using ex = new futures.ThreadPoolExecutor();
 * const norm = { module: new URL("./norm.ts", import.meta.url), name: "norm" };
 * console.assert(await ex.submit(norm, new Point(3, 4)) === 5);
 * ```
 */
export function registerClass(
  cls: RegisteredClass,
  options?: RegisterOptions,
): void {
  const name = _nameOf(cls, options, "registerClass");
  if (cls.prototype instanceof Error) {
    registerError(cls as unknown as ErrorClass, options);
    return;
  }
  const known = _byName.get(name);
  if (known === cls) return;
  if (known !== undefined) {
    throw new ValueError(
      `another class is already registered as '${name}': pass registerClass(cls, { name }) a name of its own`,
    );
  }
  _byName.set(name, cls);
  if (!_byProto.has(cls.prototype)) _byProto.set(cls.prototype, name);
}

/**
 * Registers an error class so that an error of it, thrown in a thread, a
 * task or a child process (or carried in arguments, results and queue
 * items), comes back as an instance of the same class, with its `name`,
 * `message`, `stack`, `cause` and own fields; `instanceof` and
 * `catch`-by-class then work across the boundary, as they do for Python's
 * exceptions. An error of a subclass that is not registered comes back as
 * its nearest registered ancestor (the library's own errors are
 * registered), else as its built-in class (`TypeError`...) or `Error`,
 * always keeping its `name`, `message`, `stack`, `cause` and own fields.
 *
 * The receiving side must have registered the class under the same name
 * too; see {@linkcode registerClass}.
 *
 * @param cls A subclass of `Error`.
 * @param options `name`: what the class is known by (default `cls.name`).
 * @throws {TypeError} `cls` is not a subclass of `Error`, or is anonymous and no `name` is given.
 * @throws {ValueError} another error class is registered under that name.
 *
 * @example An error class thrown in a child process
 * ```ts
 * // app_error.ts, imported by the program and by the task's module
 * import { registerError } from "@pyconc/pyconc";
 * export class AppError extends Error {
 *   code = 7;
 * }
 * registerError(AppError);
 * ```
 * ```ts ignore
 * // main.ts: task.ts imports AppError and exports a `fail()` that throws
 * // `new AppError("bad")`
 * import { futures } from "@pyconc/pyconc";
 * import { AppError } from "./app_error.ts";
 * await using ex = new futures.ProcessPoolExecutor();
 * const fail = { module: new URL("./task.ts", import.meta.url), name: "fail" };
 * const err = await ex.submit(fail).exception();
 * console.assert(err instanceof AppError && err.code === 7);
 * ```
 */
export function registerError(
  cls: ErrorClass,
  options?: RegisterOptions,
): void {
  const name = _nameOf(cls, options, "registerError");
  if (!(cls.prototype instanceof Error)) {
    throw new TypeError(
      `registerError() takes a subclass of Error, got ${cls.name || "a class"}`,
    );
  }
  const known = lookupError(name);
  if (known === cls) return;
  if (known !== undefined) {
    throw new ValueError(
      `another error class is already registered as '${name}': pass registerError(cls, { name }) a name of its own`,
    );
  }
  registerErrorClass(cls, name);
}

/** The name a registered class is known by, given its instance's prototype. */
export function classNameOf(proto: object | null): string | undefined {
  return proto === null ? undefined : _byProto.get(proto);
}

/** The class registered under `name`, if any. */
export function lookupClass(name: string): RegisteredClass | undefined {
  return _byName.get(name);
}
