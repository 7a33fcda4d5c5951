/**
 * Checks the trailing options object that stands for Python's keyword
 * arguments: an object, with no key the callee does not know (Python
 * rejects an unexpected keyword too, where JavaScript would silently
 * ignore a misspelled option).
 *
 * @module
 */
import { typeName } from "./errors.ts";

/** Whether `v` is a plain options object (not an array, a function or null). */
export function isOptionsObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * Checks that `options` is `undefined`, `null` or an options object whose
 * keys are all in `known`, and returns it (`{}` for `undefined` or `null`).
 *
 * @param options What the caller passed.
 * @param known The option names `fn` takes.
 * @param fn The callee's name, for messages ("Barrier").
 * @returns The options, never `undefined`.
 * @throws {TypeError} `options` is not an object, or has an unknown key:
 *   "Barrier() got an unexpected option 'timout'".
 */
export function checkOptions<T extends object>(
  options: T | null | undefined,
  known: readonly string[],
  fn: string,
): T {
  if (options === undefined || options === null) return {} as T;
  if (!isOptionsObject(options)) {
    throw new TypeError(
      `${fn}() options must be an object like { ${known.join(", ")} }, got ${
        typeName(options)
      }`,
    );
  }
  for (const k of Object.keys(options)) {
    if (!known.includes(k)) {
      throw new TypeError(`${fn}() got an unexpected option '${k}'`);
    }
  }
  return options;
}
