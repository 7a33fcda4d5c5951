/**
 * The state of a manager's containers: dict ({@linkcode DictState}) and
 * list ({@linkcode ListState}), plain values in the server's memory.
 *
 * @module
 */
import { ValueError } from "../core/errors.ts";
import type { Call } from "./server_call.ts";
import { SharedState } from "./server_state.ts";

/** A manager's dict: a Map of structured-clone values. */
export class DictState extends SharedState {
  readonly map: Map<unknown, unknown>;
  constructor(init: Iterable<[unknown, unknown]> | null) {
    super();
    this.map = new Map(init ?? []);
  }

  op(_c: Call, m: string, a: unknown[]): unknown {
    const map = this.map;
    switch (m) {
      case "get": {
        if (map.has(a[0])) return { has: true, v: map.get(a[0]) };
        return { has: false };
      }
      case "set":
        map.set(a[0], a[1]);
        return null;
      case "delete":
        return map.delete(a[0]);
      case "has":
        return map.has(a[0]);
      case "len":
        return map.size;
      case "keys":
        return [...map.keys()];
      case "values":
        return [...map.values()];
      case "items":
        return [...map.entries()];
      case "clear":
        map.clear();
        return null;
      case "update":
        for (const [k, v] of a[0] as [unknown, unknown][]) map.set(k, v);
        return null;
      case "pop":
        if (map.has(a[0])) {
          const v = map.get(a[0]);
          map.delete(a[0]);
          return { has: true, v };
        }
        return { has: false };
      case "setdefault":
        if (!map.has(a[0])) map.set(a[0], a[1]);
        return map.get(a[0]);
      case "popitem": {
        if (map.size === 0) return { has: false };
        const k = [...map.keys()].pop();
        const v = map.get(k);
        map.delete(k);
        return { has: true, v: [k, v] };
      }
      case "add": {
        const v = (map.get(a[0]) ?? 0) as number;
        const r = v + (a[1] as number);
        map.set(a[0], r);
        return r;
      }
    }
    throw new TypeError(`dict has no method ${m}`);
  }
}

/** A manager's list. */
export class ListState extends SharedState {
  list: unknown[];
  constructor(init: unknown[] | null) {
    super();
    this.list = [...(init ?? [])];
  }

  #index(i: number, forInsert = false): number {
    const n = this.list.length;
    const j = i < 0 ? i + n : i;
    if (forInsert) return Math.max(0, Math.min(n, j));
    if (j < 0 || j >= n) throw new RangeError("list index out of range");
    return j;
  }

  op(_c: Call, m: string, a: unknown[]): unknown {
    const l = this.list;
    switch (m) {
      case "get":
        return l[this.#index(a[0] as number)];
      case "set":
        l[this.#index(a[0] as number)] = a[1];
        return null;
      case "append":
        l.push(a[0]);
        return null;
      case "extend":
        l.push(...(a[0] as unknown[]));
        return null;
      case "insert":
        l.splice(this.#index(a[0] as number, true), 0, a[1]);
        return null;
      case "pop": {
        if (l.length === 0) throw new RangeError("pop from empty list");
        const i = this.#index(a[0] === undefined ? -1 : a[0] as number);
        return l.splice(i, 1)[0];
      }
      case "remove": {
        const i = l.findIndex((x) => _equal(x, a[0]));
        if (i < 0) throw new ValueError("list.remove(x): x not in list");
        l.splice(i, 1);
        return null;
      }
      case "index": {
        const i = l.findIndex((x) => _equal(x, a[0]));
        if (i < 0) throw new ValueError(`${String(a[0])} is not in list`);
        return i;
      }
      case "count":
        return l.filter((x) => _equal(x, a[0])).length;
      case "len":
        return l.length;
      case "slice":
        return l.slice(a[0] as number | undefined, a[1] as number | undefined);
      case "reverse":
        l.reverse();
        return null;
      case "sort":
        l.sort(a[0] ? (x, y) => _cmp(y, x) : _cmp);
        return null;
      case "clear":
        l.length = 0;
        return null;
    }
    throw new TypeError(`list has no method ${m}`);
  }
}

function _equal(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== "object" || typeof b !== "object" || !a || !b) {
    return a === b;
  }
  try {
    return JSON.stringify(a) === JSON.stringify(b);
  } catch {
    return false;
  }
}

function _cmp(a: unknown, b: unknown): number {
  if (typeof a === "number" && typeof b === "number") return a - b;
  const x = String(a);
  const y = String(b);
  return x < y ? -1 : x > y ? 1 : 0;
}
