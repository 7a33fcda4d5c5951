/**
 * Python's `<` and `==` for JavaScript values, as `PriorityQueue` orders
 * its items.
 *
 * @module
 */

/** The name Python would give the type of `v`, for error messages. */
export function pyTypeName(v: unknown): string {
  switch (typeof v) {
    case "number":
      return Number.isInteger(v) ? "int" : "float";
    case "bigint":
      return "int";
    case "boolean":
      return "bool";
    case "string":
      return "str";
    case "undefined":
      return "NoneType";
    case "function":
      return "function";
    case "symbol":
      return "symbol";
  }
  if (v === null) return "NoneType";
  if (Array.isArray(v)) return "tuple";
  if (v instanceof Date) return "datetime.datetime";
  if (v instanceof Uint8Array) return "bytes";
  if (v instanceof Map) return "dict";
  if (v instanceof Set) return "set";
  const proto = Object.getPrototypeOf(v);
  if (proto === Object.prototype || proto === null) return "dict";
  return (v as object).constructor?.name || "object";
}

function _numeric(v: unknown): boolean {
  const t = typeof v;
  return t === "number" || t === "bigint" || t === "boolean";
}

/** Maps a UTF-16 unit so that surrogates (code points above U+FFFF) sort last. */
function _fixup(c: number): number {
  return c >= 0xe000 ? c - 0x800 : c + 0x2000;
}

/** `a < b` for strings compared by code point, as Python does. */
function _strLess(a: string, b: string): boolean {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) {
      return x >= 0xd800 && y >= 0xd800 ? _fixup(x) < _fixup(y) : x < y;
    }
  }
  return a.length < b.length;
}

function _bytesLess(a: Uint8Array, b: Uint8Array): boolean {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    if (a[i] !== b[i]) return a[i] < b[i];
  }
  return a.length < b.length;
}

function _isPlain(v: object): boolean {
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** Python's `a == b` for the values a queue can hold (no error, ever). */
export function pyEq(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (_numeric(a) && _numeric(b)) {
    // deno-lint-ignore eqeqeq
    return (a as number) == (b as number);
  }
  if (a === null || a === undefined) return b === null || b === undefined;
  if (typeof a !== "object" || typeof b !== "object" || b === null) {
    return false;
  }
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!pyEq(a[i], b[i])) return false;
    return true;
  }
  if (a instanceof Date) {
    return b instanceof Date && a.getTime() === b.getTime();
  }
  if (a instanceof Uint8Array) {
    if (!(b instanceof Uint8Array) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
    return true;
  }
  if (a instanceof Map) {
    if (!(b instanceof Map) || a.size !== b.size) return false;
    for (const [k, v] of a) {
      if (!b.has(k) || !pyEq(v, b.get(k))) return false;
    }
    return true;
  }
  if (_isPlain(a) && _isPlain(b)) {
    const ka = Object.keys(a);
    if (ka.length !== Object.keys(b).length) return false;
    for (const k of ka) {
      if (
        !Object.hasOwn(b, k) ||
        !pyEq(
          (a as Record<string, unknown>)[k],
          (b as Record<string, unknown>)[k],
        )
      ) return false;
    }
    return true;
  }
  return false;
}

/**
 * Python's `a < b`: numbers, bigints and booleans compare as numbers,
 * strings by code point, `Date`s by time, `Uint8Array`s as `bytes`, arrays
 * lexicographically as tuples (the first unequal pair decides, then the
 * length).
 *
 * @throws {TypeError} "'<' not supported between instances of 'str' and
 * 'int'" for values Python could not compare.
 */
export function pyLess(a: unknown, b: unknown): boolean {
  const ta = typeof a;
  const tb = typeof b;
  if (ta === "number" && tb === "number") return (a as number) < (b as number);
  if (ta === "string" && tb === "string") {
    return a !== b && _strLess(a as string, b as string);
  }
  if (_numeric(a) && _numeric(b)) {
    // Booleans count as 0 and 1; number against bigint compares exactly.
    const x = ta === "boolean" ? Number(a) : a as number;
    const y = tb === "boolean" ? Number(b) : b as number;
    return x < y;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    const n = Math.min(a.length, b.length);
    for (let i = 0; i < n; i++) {
      if (!pyEq(a[i], b[i])) return pyLess(a[i], b[i]);
    }
    return a.length < b.length;
  }
  if (a instanceof Date && b instanceof Date) return a.getTime() < b.getTime();
  if (a instanceof Uint8Array && b instanceof Uint8Array) {
    return _bytesLess(a, b);
  }
  throw new TypeError(
    `'<' not supported between instances of '${pyTypeName(a)}' and '${
      pyTypeName(b)
    }'`,
  );
}
