// Classes registered at import, and targets that use them: imported by
// classes_test.ts and by every worker and child that runs one of these
// targets, so both sides know the classes by the same names.
import { registerClass, registerError } from "../../mod.ts";
import type { Queue as ThreadQueue } from "../../queue/mod.ts";
import type {
  Connection,
  Queue as ProcessQueue,
} from "../../multiprocessing/mod.ts";

/** A registered class with a method and a nested instance. */
export class TestPoint {
  x: number;
  y: number;
  label?: TestPoint;
  constructor(x: number, y: number) {
    this.x = x;
    this.y = y;
  }
  norm(): number {
    return Math.hypot(this.x, this.y);
  }
}
registerClass(TestPoint);

/** A registered error class that sets neither `name` nor a constructor. */
export class TestAppError extends Error {
  code = 0;
  point?: TestPoint;
}
registerError(TestAppError);

/** A class nobody registers. */
export class TestPlain {
  v: number;
  constructor(v: number) {
    this.v = v;
  }
  twice(): number {
    return 2 * this.v;
  }
}

/** What a worker sees of a value: its class and what its methods say. */
export function describe(value: unknown): unknown[] {
  if (value instanceof TestPoint) {
    return ["TestPoint", value.norm(), value.label instanceof TestPoint];
  }
  if (value instanceof TestAppError) {
    return ["TestAppError", value.code, value.message, value.cause];
  }
  if (value instanceof TestPlain) return ["TestPlain"];
  return [Object.getPrototypeOf(value) === Object.prototype ? "plain" : "?"];
}

/** Returns its argument, so it travels both ways. */
export function echo<T>(value: T): T {
  return value;
}

/** Returns the norm of a point. */
export function norm(p: TestPoint): number {
  return p.norm();
}

/** Throws a TestAppError with a code, a point and a cause. */
export function fail(code: number): never {
  const err = new TestAppError(`failed with ${code}`, {
    cause: new TestAppError("inner"),
  });
  err.code = code;
  err.point = new TestPoint(6, 8);
  throw err;
}

/** A thread target: describes its arguments and puts a point back. */
export function threadTarget(
  p: TestPoint,
  m: Map<string, TestPoint[]>,
  out: ThreadQueue<unknown>,
): void {
  out.putSync([describe(p), describe(m.get("pts")![1]), new TestPoint(5, 12)]);
}

/** A thread target that throws a TestAppError. */
export function threadFail(): never {
  fail(9);
}

/**
 * A Process target: reads a point from the queue, answers on it, then
 * echoes what arrives through the pipe end with its description.
 */
export async function processTarget(
  p: TestPoint,
  q: ProcessQueue<unknown>,
  back: ProcessQueue<unknown>,
  conn: Connection<unknown>,
): Promise<void> {
  const fromQueue = await q.get({ timeout: 20 });
  await back.put([describe(p), describe(fromQueue), new TestPoint(8, 15)]);
  const msg = await conn.recv();
  let err: unknown;
  try {
    fail(3);
  } catch (e) {
    err = e;
  }
  await conn.send({ seen: describe(msg), err, echo: msg });
  conn.close();
}
