/**
 * Array: a fixed-length array of a C type, shared by processes.
 *
 * @module
 */
import type { AcquireOptions } from "../threading/_acquire_args.ts";
import type { Held } from "../threading/_held.ts";
import { ValueError } from "../_internal/core/errors.ts";
import type { SemLock } from "./_lock_base.ts";
import { _adopting, BaseProxy } from "./_proxy.ts";
import {
  fromStored,
  type NumArray,
  toStored,
  type Typecode,
  typedArrayOf,
} from "../_internal/mp/typecodes.ts";
import {
  _lockOf,
  _numbersRef,
  _viewOf,
  type SharedCtypeOptions,
} from "./value.ts";

interface _Extra {
  typecode: string;
  length: number;
  lock: SemLock | null;
}

const _JsArray = globalThis.Array;

/**
 * A fixed-length array of numbers of one C type shared by processes, as
 * Python's `multiprocessing.Array(typecode, sizeOrInitializer)`. The
 * numbers live in memory every process maps, as with CPython's
 * sharedctypes, so element access is a read or write of that memory:
 * `getSync(i)`/`setSync(i, v)`, or `get(i)`/`set(i, v)` (async, for the
 * case where shared memory is not available, Deno without the ffi
 * permission, and each access is a round trip to the process that made
 * the array); `toArray()` reads all at once, and `setAll` writes from
 * index 0. Negative indexes count from the end. Hold
 * {@linkcode Array.getLock} around read-modify-write sequences.
 *
 * @example
 * ```ts
 * import { Array } from "@pyconc/pyconc/multiprocessing";
 * const a = new Array("d", [1, 2, 3]);
 * await a.set(0, 10);
 * console.assert(a.getSync(-1) === 3);
 * console.assert((await a.toArray()).join() === "10,2,3");
 * console.assert(a.length === 3);
 * ```
 */
export class Array extends BaseProxy {
  readonly #extra: _Extra;
  /** The numbers in shared memory, or `null` when the server holds them. */
  readonly #data: NumArray | null;

  /**
   * Creates a shared array.
   *
   * @param typecode One of "b" "B" "h" "H" "i" "I" "l" "L" "q" "Q" "f" "d".
   * @param sizeOrInitializer A length (zero-filled) or the initial values.
   * @param options `{ lock }`: see {@linkcode SharedCtypeOptions}.
   * @throws {ValueError} an unknown typecode or a negative size.
   * @throws {TypeError} a value of the wrong kind.
   */
  constructor(
    typecode: Typecode,
    sizeOrInitializer: number | ArrayLike<number | bigint>,
    options?: SharedCtypeOptions,
  ) {
    const adopted = _adopting();
    let extra: _Extra;
    let ref = adopted;
    if (adopted) extra = adopted.extra as _Extra;
    else {
      typedArrayOf(typecode);
      let vals: (number | bigint)[];
      if (typeof sizeOrInitializer === "number") {
        if (!Number.isInteger(sizeOrInitializer) || sizeOrInitializer < 0) {
          throw new ValueError("array size must be a non-negative integer");
        }
        const zero = toStored(typecode, 0);
        vals = new _JsArray(sizeOrInitializer).fill(zero);
      } else {
        vals = _JsArray.from(
          sizeOrInitializer,
          (v) => toStored(typecode, v),
        );
      }
      extra = { typecode, length: vals.length, lock: _lockOf(options) };
      ref = _numbersRef(typecode, vals, extra);
    }
    super(ref!);
    this.#extra = extra;
    this.#data = this._cell ? _viewOf(ref!) : null;
  }

  /** The typecode given at creation. */
  get typecode(): string {
    return this.#extra.typecode;
  }

  /** The number of elements. */
  get length(): number {
    return this.#extra.length;
  }

  #index(i: number): number {
    if (!Number.isInteger(i)) throw new TypeError("indices must be integers");
    const j = i < 0 ? i + this.#extra.length : i;
    if (j < 0 || j >= this.#extra.length) {
      throw new RangeError("invalid index");
    }
    return j;
  }

  /**
   * Reads element `i`.
   *
   * @param i The index (negative counts from the end).
   * @returns The element.
   * @throws {RangeError} an index out of range.
   */
  async get(i: number): Promise<number> {
    const j = this.#index(i);
    const d = this.#data;
    if (d !== null) return fromStored(d[j]);
    return fromStored(await this._call("get", j));
  }

  /**
   * The blocking twin of {@linkcode Array.get}.
   *
   * @param i The index.
   * @returns The element.
   */
  getSync(i: number): number {
    const j = this.#index(i);
    const d = this.#data;
    if (d !== null) return fromStored(d[j]);
    return fromStored(this._callSync("get", j));
  }

  /**
   * Writes element `i`.
   *
   * @param i The index (negative counts from the end).
   * @param v The value.
   * @returns A promise that settles once it is written.
   * @throws {RangeError} an index out of range.
   */
  async set(i: number, v: number): Promise<void> {
    const j = this.#index(i);
    const stored = toStored(this.#extra.typecode, v);
    const d = this.#data;
    if (d !== null) d[j] = stored as never;
    else await this._call("set", j, stored);
  }

  /**
   * The blocking twin of {@linkcode Array.set}.
   *
   * @param i The index.
   * @param v The value.
   */
  setSync(i: number, v: number): void {
    const j = this.#index(i);
    const stored = toStored(this.#extra.typecode, v);
    const d = this.#data;
    if (d !== null) d[j] = stored as never;
    else this._callSync("set", j, stored);
  }

  /**
   * Reads every element.
   *
   * @returns A plain array of the elements.
   */
  async toArray(): Promise<number[]> {
    if (this.#data !== null) return this.toArraySync();
    const d = await this._call("slice", 0, this.#extra.length) as ArrayLike<
      number | bigint
    >;
    return _JsArray.from(d, fromStored);
  }

  /**
   * The blocking twin of {@linkcode Array.toArray}.
   *
   * @returns A plain array of the elements.
   */
  toArraySync(): number[] {
    const data = this.#data;
    if (data !== null) {
      return _JsArray.from(data as ArrayLike<number | bigint>, fromStored);
    }
    const d = this._callSync("slice", 0, this.#extra.length) as ArrayLike<
      number | bigint
    >;
    return _JsArray.from(d, fromStored);
  }

  #stored(values: ArrayLike<number | bigint>, start: number) {
    if (start + values.length > this.#extra.length) {
      throw new ValueError("can only assign values within the array's length");
    }
    return _JsArray.from(values, (v) => toStored(this.#extra.typecode, v));
  }

  /**
   * Writes `values` from index `start` (0 by default), Python's `a[start:] = values`.
   *
   * @param values The new values.
   * @param start The first index written.
   * @returns A promise that settles once they are written.
   * @throws {ValueError} more values than fit.
   */
  async setAll(
    values: ArrayLike<number | bigint>,
    start = 0,
  ): Promise<void> {
    const i = this.#index0(start);
    const stored = this.#stored(values, start);
    if (this.#data !== null) this.#write(stored, i);
    else await this._call("setSlice", i, stored);
  }

  #write(stored: (number | bigint)[], start: number): void {
    const d = this.#data!;
    for (let k = 0; k < stored.length; k++) d[start + k] = stored[k] as never;
  }

  /**
   * The blocking twin of {@linkcode Array.setAll}.
   *
   * @param values The new values.
   * @param start The first index written.
   */
  setAllSync(values: ArrayLike<number | bigint>, start = 0): void {
    const i = this.#index0(start);
    const stored = this.#stored(values, start);
    if (this.#data !== null) this.#write(stored, i);
    else this._callSync("setSlice", i, stored);
  }

  #index0(start: number): number {
    if (!Number.isInteger(start) || start < 0 || start > this.#extra.length) {
      throw new RangeError("invalid start index");
    }
    return start;
  }

  /**
   * The lock that guards this array.
   *
   * @returns The lock.
   * @throws {TypeError} the array was created with `lock: false`.
   */
  getLock(): SemLock {
    if (!this.#extra.lock) {
      throw new TypeError(
        "this Array was created with lock: false and has no getLock()",
      );
    }
    return this.#extra.lock;
  }

  /**
   * Acquires the array's lock.
   *
   * @param options `{ blocking, timeout }`.
   * @returns Whether it was acquired.
   */
  acquire(options?: boolean | AcquireOptions): Promise<boolean> {
    return this.getLock().acquire(options);
  }

  /**
   * The blocking twin of {@linkcode Array.acquire}.
   *
   * @param options `{ blocking, timeout }`.
   * @returns Whether it was acquired.
   */
  acquireSync(options?: boolean | AcquireOptions): boolean {
    return this.getLock().acquireSync(options);
  }

  /** Releases the array's lock. */
  release(): void {
    this.getLock().release();
  }

  /**
   * Holds the array's lock for a `using` block.
   *
   * @param options `{ blocking, timeout }`.
   * @returns A handle for `using`.
   */
  hold(options?: AcquireOptions): Promise<Held> {
    return this.getLock().hold(options);
  }

  /**
   * The blocking twin of {@linkcode Array.hold}.
   *
   * @param options `{ blocking, timeout }`.
   * @returns A handle for `using`.
   */
  holdSync(options?: AcquireOptions): Held {
    return this.getLock().holdSync(options);
  }
}
