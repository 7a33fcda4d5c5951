/**
 * Value: one number of a C type, shared by processes.
 *
 * @module
 */
import type { AcquireOptions } from "../threading/_acquire_args.ts";
import type { Held } from "../threading/_held.ts";
import type { SemLock } from "./_lock_base.ts";
import {
  _adopting,
  _newRef,
  _shmBlock,
  BaseProxy,
  type ProxyRef,
} from "./_proxy.ts";
import {
  fromStored,
  type NumArray,
  toStored,
  type Typecode,
  typedArrayOf,
} from "../_internal/mp/typecodes.ts";
import { RLock } from "./rlock.ts";
import { shmCell, type ShmLoc } from "../_internal/shm/arena.ts";
import { checkOptions } from "../_internal/core/options.ts";

/** Options of {@linkcode Value} and {@linkcode Array}, Python's `lock` keyword. */
export interface SharedCtypeOptions {
  /**
   * `true` (the default) gives the object a new {@linkcode RLock}; a
   * multiprocessing `Lock` or `RLock` is used as given; `false` gives none
   * (Python's raw value).
   */
  lock?: boolean | SemLock;
}

interface _Extra {
  typecode: string;
  lock: SemLock | null;
}

/**
 * @internal The ref of a new Value or Array holding `values` (already
 * checked): in a block of shared memory where this thread has one (state
 * `{ m, t: typecode, l: length }`), else in the server's memory (state
 * `{ data }`).
 */
export function _numbersRef(
  typecode: string,
  values: ArrayLike<number | bigint>,
  extra: unknown,
): ProxyRef {
  const ctor = typedArrayOf(typecode);
  const n = values.length;
  const m = _shmBlock(Math.max(n * ctor.BYTES_PER_ELEMENT, 8));
  if (m) {
    const ref = _newRef("array", { m, t: typecode, l: n }, extra);
    const view = _viewOf(ref);
    for (let i = 0; i < n; i++) view![i] = values[i] as never;
    return ref;
  }
  const data = new ctor(n);
  for (let i = 0; i < n; i++) data[i] = values[i] as never;
  return _newRef("array", { data }, extra);
}

/** @internal A typed array over the numbers of a Value or Array in shared memory, mapped here; `null` when not in shared memory or not mappable. */
export function _viewOf(ref: ProxyRef): NumArray | null {
  const s = ref.init.s as { m?: ShmLoc; t?: string; l?: number };
  const cell = shmCell(s.m);
  if (!cell) return null;
  const ctor = typedArrayOf(s.t!);
  return new ctor(cell.map.buffer, s.m!.o, s.l!);
}

/** @internal Picks the lock of a Value or Array (`fn` names it in errors). */
export function _lockOf(
  options: SharedCtypeOptions | undefined,
  fn = "Value",
): SemLock | null {
  const lock = checkOptions(options, ["lock"], fn).lock ?? true;
  if (lock === true) return new RLock();
  if (lock === false) return null;
  if (typeof (lock as SemLock)?._ref?.oid !== "number") {
    throw new TypeError(
      "lock must be true, false, or a multiprocessing Lock or RLock",
    );
  }
  return lock as SemLock;
}

/**
 * One number of a C type shared by processes, as Python's
 * `multiprocessing.Value(typecode, value)`; typecodes are those of Python's
 * `array` module ("i" int, "d" double, "q" 64-bit integer...). The number
 * lives in memory every process maps, as with CPython's sharedctypes. Read
 * and write it with the `value` property, or with `get()`/`set()` (where
 * shared memory is not available, Deno without the ffi permission, the
 * process that made it serves it: `value` is then a short blocking call
 * and `get()`/`set()` do not block). As in Python, an
 * update such as `v.value += 1` is a read then a write: hold
 * {@linkcode Value.getLock} around it when several processes update it.
 *
 * Python's ctypes become JavaScript numbers: 64-bit integer typecodes are
 * stored exactly, and read back as numbers (exact up to 2**53).
 *
 * @example A counter guarded by its lock
 * ```ts
 * import { Value } from "@pyconc/pyconc/multiprocessing";
 * const counter = new Value("i", 0);
 * {
 *   using _held = await counter.getLock().hold();
 *   counter.value += 1;
 * }
 * console.assert(counter.value === 1);
 * console.assert(await counter.get() === 1);
 * ```
 */
export class Value extends BaseProxy {
  readonly #extra: _Extra;
  /** The number in shared memory, or `null` when the server holds it. */
  readonly #data: NumArray | null;

  /**
   * Creates a shared number.
   *
   * @param typecode One of "b" "B" "h" "H" "i" "I" "l" "L" "q" "Q" "f" "d".
   * @param value The initial value (0 by default).
   * @param options `{ lock }`: see {@linkcode SharedCtypeOptions}
   *   (Python's keyword-only `lock`).
   * @throws {ValueError} an unknown typecode.
   * @throws {TypeError} a value of the wrong kind (a fraction for an integer
   *   typecode), options that are not an object, or an unknown option.
   */
  constructor(
    typecode: Typecode,
    value: number | bigint = 0,
    options?: SharedCtypeOptions,
  ) {
    const adopted = _adopting();
    let extra: _Extra;
    let ref = adopted;
    if (adopted) extra = adopted.extra as _Extra;
    else {
      typedArrayOf(typecode);
      const stored = toStored(typecode, value);
      extra = { typecode, lock: _lockOf(options) };
      ref = _numbersRef(typecode, [stored], extra);
    }
    super(ref!);
    this.#extra = extra;
    this.#data = this._cell ? _viewOf(ref!) : null;
  }

  /** The typecode given at creation. */
  get typecode(): string {
    return this.#extra.typecode;
  }

  /**
   * The value now: a read or write of shared memory (where that is not
   * available, one blocking round trip to the process serving it).
   */
  get value(): number {
    const d = this.#data;
    if (d !== null) return fromStored(d[0]);
    return fromStored(this._callSync("get", 0));
  }
  set value(v: number) {
    const d = this.#data;
    const stored = toStored(this.#extra.typecode, v);
    if (d !== null) d[0] = stored as never;
    else this._callSync("set", 0, stored);
  }

  /**
   * Reads the value without blocking.
   *
   * @returns The value.
   */
  async get(): Promise<number> {
    const d = this.#data;
    if (d !== null) return fromStored(d[0]);
    return fromStored(await this._call("get", 0));
  }

  /**
   * Writes the value without blocking.
   *
   * @param v The new value.
   * @returns A promise that settles once it is written.
   * @throws {TypeError} a value of the wrong kind.
   */
  async set(v: number): Promise<void> {
    const d = this.#data;
    const stored = toStored(this.#extra.typecode, v);
    if (d !== null) d[0] = stored as never;
    else await this._call("set", 0, stored);
  }

  /**
   * The lock that guards this value.
   *
   * @returns The lock.
   * @throws {TypeError} the value was created with `lock: false`.
   */
  getLock(): SemLock {
    if (!this.#extra.lock) {
      throw new TypeError(
        "this Value was created with lock: false and has no getLock()",
      );
    }
    return this.#extra.lock;
  }

  /**
   * Acquires the value's lock (Python's synchronized wrapper).
   *
   * @param options `{ blocking, timeout }`.
   * @returns Whether it was acquired.
   */
  acquire(options?: boolean | AcquireOptions): Promise<boolean> {
    return this.getLock().acquire(options);
  }

  /**
   * The blocking twin of {@linkcode Value.acquire}.
   *
   * @param options `{ blocking, timeout }`.
   * @returns Whether it was acquired.
   */
  acquireSync(options?: boolean | AcquireOptions): boolean {
    return this.getLock().acquireSync(options);
  }

  /** Releases the value's lock. */
  release(): void {
    this.getLock().release();
  }

  /**
   * Holds the value's lock for a `using` block.
   *
   * @param options `{ blocking, timeout }`.
   * @returns A handle for `using`.
   */
  hold(options?: AcquireOptions): Promise<Held> {
    return this.getLock().hold(options);
  }

  /**
   * The blocking twin of {@linkcode Value.hold}.
   *
   * @param options `{ blocking, timeout }`.
   * @returns A handle for `using`.
   */
  holdSync(options?: AcquireOptions): Held {
    return this.getLock().holdSync(options);
  }

  /** A short description, as Python's repr. */
  override toString(): string {
    return `<Synchronized wrapper for c_${this.#extra.typecode}(${this.value})>`;
  }
}
