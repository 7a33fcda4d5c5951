/**
 * Array: a fixed-length array of a C type, shared by processes.
 *
 * @module
 */
import type { AcquireOptions } from "../threading/_acquire_args.ts";
import type { Held } from "../threading/_held.ts";
import { ValueError } from "../_internal/core/errors.ts";
import { IndexError } from "../_internal/core/index_error.ts";
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
  checkSliceValues,
  installIndexing,
  type SliceRange,
  sliceRange,
} from "./_sequence.ts";
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
 * Python's `multiprocessing.Array(typecode, sizeOrInitializer, { lock })`.
 * The numbers live in memory every process maps, as with CPython's
 * sharedctypes, so element access is a read or write of that memory.
 *
 * As in Python: `a[i]` and `a[i] = v` (negative indexes count from the
 * end; out of range is an {@linkcode IndexError} "invalid index"),
 * `a.length` (`len(a)`), `for (const x of a)` and `[...a]`; slices are
 * methods, `a.sliceSync(1, 3)` for `a[1:3]` and `a.setSliceSync(1, 3, [8, 9])`
 * for `a[1:3] = [8, 9]` (same size only, as in Python), each with a step.
 * Indexing calls the blocking twins `getSync(i)`/`setSync(i, v)` through a
 * Proxy (about 0.1 µs an access; call them directly in hot loops); `get(i)`,
 * `set(i, v)`, `slice()`, `setSlice()` and `toArray()` are their async
 * forms, for the case where shared memory is not available (Deno without
 * the ffi permission) and each access is a round trip to the process that
 * made the array. `setAll` writes from an index on. Hold
 * {@linkcode Array.getLock} around read-modify-write sequences such as
 * `a[0] += 1`.
 *
 * @example Index, iterate and slice as in Python
 * ```ts
 * import { Array } from "@pyconc/pyconc/multiprocessing";
 * const a = new Array("d", [1, 2, 3]);
 * a[0] = 10;
 * a[-1] += 0.5;
 * console.assert(a[0] === 10 && a[-1] === 3.5 && a.length === 3);
 * console.assert([...a].join() === "10,2,3.5");
 * console.assert(a.sliceSync(1).join() === "2,3.5");
 * a.setSliceSync(0, 2, [7, 8]);
 * console.assert((await a.toArray()).join() === "7,8,3.5");
 * ```
 */
export class Array extends BaseProxy implements Iterable<number> {
  /**
   * Element `i`, read or written as `a[i]` / `a[i] = v` (negative indexes
   * count from the end), through {@linkcode Array.getSync} and
   * {@linkcode Array.setSync}.
   */
  [index: number]: number;
  readonly #extra: _Extra;
  /** The numbers in shared memory, or `null` when the server holds them. */
  readonly #data: NumArray | null;

  /**
   * Creates a shared array.
   *
   * @param typecode One of "b" "B" "h" "H" "i" "I" "l" "L" "q" "Q" "f" "d".
   * @param sizeOrInitializer A length (zero-filled) or the initial values.
   * @param options `{ lock }`: see {@linkcode SharedCtypeOptions}
   *   (Python's keyword-only `lock`).
   * @throws {ValueError} an unknown typecode or a negative size.
   * @throws {TypeError} a value of the wrong kind, options that are not an
   *   object, or an unknown option.
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
      extra = {
        typecode,
        length: vals.length,
        lock: _lockOf(options, "Array"),
      };
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
    if (j < 0 || j >= this.#extra.length) throw new IndexError("invalid index");
    return j;
  }

  /**
   * Reads element `i`.
   *
   * @param i The index (negative counts from the end).
   * @returns The element.
   * @throws {IndexError} an index out of range.
   * @throws {TypeError} an index that is not an integer.
   */
  async get(i: number): Promise<number> {
    const j = this.#index(i);
    const d = this.#data;
    if (d !== null) return fromStored(d[j]);
    return fromStored(await this._call("get", j));
  }

  /**
   * The blocking twin of {@linkcode Array.get}; what `a[i]` calls.
   *
   * @param i The index (negative counts from the end).
   * @returns The element.
   * @throws {IndexError} an index out of range.
   * @throws {TypeError} an index that is not an integer.
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
   * @throws {IndexError} an index out of range.
   * @throws {TypeError} an index that is not an integer, or a value of the
   *   wrong kind.
   */
  async set(i: number, v: number): Promise<void> {
    const j = this.#index(i);
    const stored = toStored(this.#extra.typecode, v);
    const d = this.#data;
    if (d !== null) d[j] = stored as never;
    else await this._call("set", j, stored);
  }

  /**
   * The blocking twin of {@linkcode Array.set}; what `a[i] = v` calls.
   *
   * @param i The index (negative counts from the end).
   * @param v The value.
   * @throws {IndexError} an index out of range.
   * @throws {TypeError} an index that is not an integer, or a value of the
   *   wrong kind.
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

  /**
   * The elements one after the other, as Python's `for x in a` (`[...a]`
   * too); where the array is served by another process, one read of all.
   *
   * @returns An iterator over the elements.
   */
  [Symbol.iterator](): Iterator<number> {
    if (this.#data === null) return this.toArraySync()[Symbol.iterator]();
    return this.#live();
  }

  *#live(): Generator<number> {
    const d = this.#data!;
    for (let i = 0; i < d.length; i++) yield fromStored(d[i]);
  }

  /**
   * What `console.log` shows, as Python's `array` repr: `Array("i", [1, 2])`.
   *
   * @returns The description.
   */
  [Symbol.for("Deno.customInspect")](): string {
    return this.#repr();
  }

  /**
   * The same for Node's and Bun's `console.log`.
   *
   * @returns The description.
   */
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.#repr();
  }

  #repr(): string {
    const items = this.toArraySync().join(", ");
    return `Array(${JSON.stringify(this.typecode)}, [${items}])`;
  }

  /**
   * Reads a slice, Python's `a[start:stop:step]`: omitted or `null` bounds
   * take Python's defaults, negative ones count from the end, and bounds
   * out of range are clamped.
   *
   * @param start The first index.
   * @param stop The index to stop before.
   * @param step The step (negative walks backwards).
   * @returns A plain array of the elements.
   * @throws {ValueError} a step of 0.
   * @throws {TypeError} a bound that is not an integer.
   */
  async slice(
    start?: number | null,
    stop?: number | null,
    step?: number | null,
  ): Promise<number[]> {
    const r = sliceRange(this.#extra.length, start, stop, step);
    if (this.#data !== null || r.count === 0) return this.#pick(r, this.#data);
    const [lo, hi] = _span(r);
    return this.#pick(r, await this._call("slice", lo, hi), lo);
  }

  /**
   * The blocking twin of {@linkcode Array.slice}.
   *
   * @param start The first index.
   * @param stop The index to stop before.
   * @param step The step (negative walks backwards).
   * @returns A plain array of the elements.
   * @throws {ValueError} a step of 0.
   * @throws {TypeError} a bound that is not an integer.
   */
  sliceSync(
    start?: number | null,
    stop?: number | null,
    step?: number | null,
  ): number[] {
    const r = sliceRange(this.#extra.length, start, stop, step);
    if (this.#data !== null || r.count === 0) return this.#pick(r, this.#data);
    const [lo, hi] = _span(r);
    return this.#pick(r, this._callSync("slice", lo, hi), lo);
  }

  #pick(r: SliceRange, from: unknown, base = 0): number[] {
    const d = from as ArrayLike<number | bigint>;
    const out = new _JsArray<number>(r.count);
    for (let k = 0, i = r.start - base; k < r.count; k++, i += r.step) {
      out[k] = fromStored(d[i]);
    }
    return out;
  }

  /**
   * Writes a slice, Python's `a[start:stop:step] = values`: `values` must
   * have as many elements as the slice (a shared array cannot change size).
   *
   * @param start The first index (`null` for Python's default).
   * @param stop The index to stop before (`null` for Python's default).
   * @param values The new values.
   * @param step The step (negative walks backwards).
   * @returns A promise that settles once they are written.
   * @throws {ValueError} "Can only assign sequence of same size", or a step of 0.
   * @throws {TypeError} a bound that is not an integer, or a value of the wrong kind.
   */
  async setSlice(
    start: number | null | undefined,
    stop: number | null | undefined,
    values: ArrayLike<number | bigint>,
    step?: number | null,
  ): Promise<void> {
    const r = sliceRange(this.#extra.length, start, stop, step);
    const stored = this.#sliceValues(r, values);
    if (this.#data !== null) return this.#put(r, stored);
    if (r.step === 1) {
      if (r.count) await this._call("setSlice", r.start, stored);
      return;
    }
    for (let k = 0, i = r.start; k < r.count; k++, i += r.step) {
      await this._call("set", i, stored[k]);
    }
  }

  /**
   * The blocking twin of {@linkcode Array.setSlice}.
   *
   * @param start The first index (`null` for Python's default).
   * @param stop The index to stop before (`null` for Python's default).
   * @param values The new values.
   * @param step The step (negative walks backwards).
   * @throws {ValueError} "Can only assign sequence of same size", or a step of 0.
   * @throws {TypeError} a bound that is not an integer, or a value of the wrong kind.
   */
  setSliceSync(
    start: number | null | undefined,
    stop: number | null | undefined,
    values: ArrayLike<number | bigint>,
    step?: number | null,
  ): void {
    const r = sliceRange(this.#extra.length, start, stop, step);
    const stored = this.#sliceValues(r, values);
    if (this.#data !== null) return this.#put(r, stored);
    if (r.step === 1) {
      if (r.count) this._callSync("setSlice", r.start, stored);
      return;
    }
    for (let k = 0, i = r.start; k < r.count; k++, i += r.step) {
      this._callSync("set", i, stored[k]);
    }
  }

  #sliceValues(
    r: SliceRange,
    values: ArrayLike<number | bigint>,
  ): (number | bigint)[] {
    checkSliceValues(values, r.count);
    return _JsArray.from(values, (v) => toStored(this.#extra.typecode, v));
  }

  #put(r: SliceRange, stored: (number | bigint)[]): void {
    const d = this.#data!;
    for (let k = 0, i = r.start; k < r.count; k++, i += r.step) {
      d[i] = stored[k] as never;
    }
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
   * @throws {IndexError} a start out of range.
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
      throw new IndexError("invalid start index");
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

/** The contiguous indexes `[lo, hi)` that hold a non-empty slice. */
function _span(r: SliceRange): [number, number] {
  const last = r.start + (r.count - 1) * r.step;
  return r.step > 0 ? [r.start, last + 1] : [last, r.start + 1];
}

installIndexing(Array);
