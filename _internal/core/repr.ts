/**
 * Python's `repr()` for the values that appear in error messages: str,
 * bytes, lists of them, numbers, None and booleans.
 *
 * @module
 */

function _quote(s: string): string {
  return s.includes("'") && !s.includes('"') ? '"' : "'";
}

/** Python's `repr()` of a str. */
export function reprStr(s: string): string {
  const q = _quote(s);
  let out = "";
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === "\\") out += "\\\\";
    else if (ch === q) out += "\\" + q;
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (ch === "\t") out += "\\t";
    else if (ch !== " " && /[\p{C}\p{Z}]/u.test(ch)) {
      out += c < 0x100
        ? "\\x" + c.toString(16).padStart(2, "0")
        : c < 0x10000
        ? "\\u" + c.toString(16).padStart(4, "0")
        : "\\U" + c.toString(16).padStart(8, "0");
    } else out += ch;
  }
  return q + out + q;
}

/** Python's `repr()` of a bytes object. */
export function reprBytes(b: Uint8Array): string {
  const hasSingle = b.includes(0x27);
  const q = hasSingle && !b.includes(0x22) ? '"' : "'";
  let out = "b" + q;
  for (const c of b) {
    if (c === 0x5c) out += "\\\\";
    else if (c === q.charCodeAt(0)) out += "\\" + q;
    else if (c === 0x0a) out += "\\n";
    else if (c === 0x0d) out += "\\r";
    else if (c === 0x09) out += "\\t";
    else if (c < 0x20 || c > 0x7e) {
      out += "\\x" + c.toString(16).padStart(2, "0");
    } else out += String.fromCharCode(c);
  }
  return out + q;
}

/** Python's `repr()` of a value as it would look after crossing into Python. */
export function repr(v: unknown): string {
  if (v === null || v === undefined) return "None";
  if (v === true) return "True";
  if (v === false) return "False";
  if (typeof v === "string") return reprStr(v);
  if (v instanceof Uint8Array) return reprBytes(v);
  if (typeof v === "number") {
    if (Number.isInteger(v)) return String(v);
    if (Number.isNaN(v)) return "nan";
    if (!Number.isFinite(v)) return v > 0 ? "inf" : "-inf";
    return String(v);
  }
  if (typeof v === "bigint") return String(v);
  if (Array.isArray(v)) return "[" + v.map(repr).join(", ") + "]";
  if (v instanceof URL) return reprStr(v.href);
  return String(v);
}

/** How a command appears in an error message: `%s` formatting in Python. */
export function formatCmd(cmd: unknown): string {
  return typeof cmd === "string" ? cmd : repr(cmd);
}
