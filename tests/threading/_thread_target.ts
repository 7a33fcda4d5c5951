// Module targets for the thread tests.
import {
  currentThread,
  type Event,
  getIdent,
  mainThread,
} from "../../threading/mod.ts";
import { ValueError } from "../../mod.ts";

/** Records who the thread thinks it is. */
export function whoAmI(out: Int32Array, done: Event): void {
  const t = currentThread();
  out[0] = t.ident ?? -1;
  out[1] = getIdent();
  out[2] = t.daemon ? 1 : 0;
  out[3] = t.name === "named-worker" ? 1 : 0;
  out[4] = mainThread().ident ?? -1;
  out[5] = mainThread().name === "MainThread" ? 1 : 0;
  out[6] = t.nativeId ?? -1;
  done.set();
}

/** Throws a library error with a cause and extra properties. */
export function failWithValueError(): never {
  const err = new ValueError("bad value", {
    cause: new TypeError("root cause"),
  });
  (err as ValueError & { code: number }).code = 42;
  throw err;
}

/** The default export: adds its arguments into out[0]. */
export default function add(out: Int32Array, a: number, b: number): void {
  out[0] = a + b;
}
