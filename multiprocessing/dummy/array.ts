/**
 * Array of multiprocessing.dummy: a fixed-length array in shared memory.
 *
 * @module
 */
import { nextObjectId } from "../../_internal/runtime/agent.ts";
import {
  registerShareable,
  rememberHandle,
  SHARE,
  type SharedDescriptor,
  shareUrl,
} from "../../_internal/share/codec.ts";
import { ValueError } from "../../_internal/core/errors.ts";
import { IndexError } from "../../_internal/core/index_error.ts";
import {
  checkSliceValues,
  installIndexing,
  type SliceRange,
  sliceRange,
} from "../_sequence.ts";
import type { Held } from "../../threading/_held.ts";
import type { AcquireOptions } from "../../threading/_acquire_args.ts";
import {
  fromStored,
  toStored,
  type Typecode,
  typedArrayOf,
} from "../../_internal/mp/typecodes.ts";
import {
  _threadLockOf,
  type DummyCtypeOptions,
  type ThreadLock,
} from "./value.ts";

const _SHARE_URL = shareUrl(import.meta.url, "multiprocessing/dummy/array.ts");

interface _State {
  typecode: string;
  buffer: SharedArrayBuffer;
  lock: ThreadLock | null;
}

const _JsArray = globalThis.Array;

/**
 * A fixed-length array of one C type in shared memory, with the API of the
 * process module's {@linkcode Array}; every access is a plain read or
 * write of a `SharedArrayBuffer`, seen at once by every thread.
 * {@linkcode Array.view} gives the typed array itself.
 *
 * As there: `a[i]` and `a[i] = v` (negative indexes count from the end; out
 * of range is an {@linkcode IndexError} "invalid index"), `a.length`,
 * `for...of` and spread, and slices as methods (`a.sliceSync(1, 3)` for
 * `a[1:3]`, `a.setSliceSync(1, 3, [8, 9])` for `a[1:3] = [8, 9]`, same size
 * only). (CPython's `multiprocessing.dummy.Array` returns a plain
 * `array.array`, unshared; this one is shared by every thread.)
 *
 * @example
 * ```ts
 * import { Array } from "@pyconc/pyconc/multiprocessing/dummy";
 * const a = new Array("i", [1, 2, 3]);
 * a[0] = 5;
 * a[-1] = 9;
 * console.assert(a[0] === 5 && [...a].join() === "5,2,9");
 * console.assert(a.sliceSync(null, null, -1).join() === "9,2,5");
 * console.assert(a.toArraySync().join() === "5,2,9");
 * ```
 */
export class Array implements Iterable<number> {
  /**
   * Element `i`, read or written as `a[i]` / `a[i] = v` (negative indexes
   * count from the end), through {@linkcode Array.getSync} and
   * {@linkcode Array.setSync}.
   */
  [index: number]: number;
  readonly #state: _State;
  // deno-lint-ignore no-explicit-any
  readonly #data: any;
  readonly #id: number;

  /**
   * Creates a shared array.
   *
   * @param typecode One of "b" "B" "h" "H" "i" "I" "l" "L" "q" "Q" "f" "d".
   * @param sizeOrInitializer A length (zero-filled) or the initial values.
   * @param options `{ lock }`, or the lock itself (`true`, `false`, a
   *   `Lock` or `RLock`) as CPython's dummy `Array(typecode, sequence, lock)`.
   * @throws {ValueError} an unknown typecode or a negative size.
   * @throws {TypeError} a bad lock, or an unknown option.
   */
  constructor(
    typecode: Typecode,
    sizeOrInitializer: number | ArrayLike<number | bigint>,
    options?: DummyCtypeOptions | boolean | ThreadLock,
  ) {
    const adopted = _adopting as _State | null;
    _adopting = null;
    const ctor = typedArrayOf(adopted?.typecode ?? typecode);
    if (adopted) {
      this.#state = adopted;
      this.#data = new (ctor as Float64ArrayConstructor)(adopted.buffer);
    } else {
      const vals = typeof sizeOrInitializer === "number"
        ? null
        : _JsArray.from(sizeOrInitializer);
      const n = vals ? vals.length : sizeOrInitializer as number;
      if (!Number.isInteger(n) || n < 0) {
        throw new ValueError("array size must be a non-negative integer");
      }
      const buffer = new SharedArrayBuffer(n * ctor.BYTES_PER_ELEMENT);
      this.#state = { typecode, buffer, lock: _threadLockOf(options, "Array") };
      this.#data = new (ctor as Float64ArrayConstructor)(buffer);
      if (vals) {
        for (let i = 0; i < n; i++) this.#data[i] = toStored(typecode, vals[i]);
      }
    }
    this.#id = _adoptId ?? nextObjectId();
    _adoptId = null;
    rememberHandle(this.#id, this);
  }

  /** The typecode. */
  get typecode(): string {
    return this.#state.typecode;
  }

  /** The number of elements. */
  get length(): number {
    return this.#data.length;
  }

  /** The typed array over the shared memory itself. */
  get view(): ArrayLike<number | bigint> {
    return this.#data;
  }

  #index(i: number): number {
    if (!Number.isInteger(i)) throw new TypeError("indices must be integers");
    const j = i < 0 ? i + this.length : i;
    if (j < 0 || j >= this.length) throw new IndexError("invalid index");
    return j;
  }

  /**
   * Reads element `i`.
   *
   * @param i The index (negative counts from the end).
   * @returns The element.
   */
  get(i: number): Promise<number> {
    try {
      return Promise.resolve(this.getSync(i));
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /**
   * Reads element `i` now; what `a[i]` calls.
   *
   * @param i The index (negative counts from the end).
   * @returns The element.
   * @throws {IndexError} an index out of range.
   * @throws {TypeError} an index that is not an integer.
   */
  getSync(i: number): number {
    return fromStored(this.#data[this.#index(i)]);
  }

  /**
   * Writes element `i`.
   *
   * @param i The index.
   * @param v The value.
   * @returns A settled promise.
   */
  set(i: number, v: number): Promise<void> {
    try {
      this.setSync(i, v);
      return Promise.resolve();
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /**
   * Writes element `i` now; what `a[i] = v` calls.
   *
   * @param i The index (negative counts from the end).
   * @param v The value.
   * @throws {IndexError} an index out of range.
   * @throws {TypeError} an index that is not an integer, or a value of the
   *   wrong kind.
   */
  setSync(i: number, v: number): void {
    this.#data[this.#index(i)] = toStored(this.#state.typecode, v);
  }

  /**
   * Reads every element.
   *
   * @returns The elements.
   */
  toArray(): Promise<number[]> {
    return Promise.resolve(this.toArraySync());
  }

  /**
   * Reads every element now.
   *
   * @returns The elements.
   */
  toArraySync(): number[] {
    return _JsArray.from(this.#data as ArrayLike<number>, fromStored);
  }

  /**
   * The elements one after the other, as Python's `for x in a`.
   *
   * @returns An iterator over the elements.
   */
  *[Symbol.iterator](): Iterator<number> {
    const d = this.#data;
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
   * Reads a slice, Python's `a[start:stop:step]` (see the process module's
   * {@linkcode Array.slice}).
   *
   * @param start The first index.
   * @param stop The index to stop before.
   * @param step The step (negative walks backwards).
   * @returns A settled promise of the elements.
   */
  slice(
    start?: number | null,
    stop?: number | null,
    step?: number | null,
  ): Promise<number[]> {
    try {
      return Promise.resolve(this.sliceSync(start, stop, step));
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /**
   * Reads a slice now, Python's `a[start:stop:step]`: omitted or `null`
   * bounds take Python's defaults, negative ones count from the end, and
   * bounds out of range are clamped.
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
    const r = sliceRange(this.length, start, stop, step);
    const d = this.#data;
    const out = new _JsArray<number>(r.count);
    for (let k = 0, i = r.start; k < r.count; k++, i += r.step) {
      out[k] = fromStored(d[i]);
    }
    return out;
  }

  /**
   * Writes a slice, Python's `a[start:stop:step] = values`.
   *
   * @param start The first index (`null` for Python's default).
   * @param stop The index to stop before (`null` for Python's default).
   * @param values As many values as the slice has elements.
   * @param step The step (negative walks backwards).
   * @returns A settled promise.
   */
  setSlice(
    start: number | null | undefined,
    stop: number | null | undefined,
    values: ArrayLike<number | bigint>,
    step?: number | null,
  ): Promise<void> {
    try {
      this.setSliceSync(start, stop, values, step);
      return Promise.resolve();
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /**
   * Writes a slice now, Python's `a[start:stop:step] = values`: `values`
   * must have as many elements as the slice (the array cannot change size).
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
    const r: SliceRange = sliceRange(this.length, start, stop, step);
    checkSliceValues(values, r.count);
    const tc = this.#state.typecode;
    const stored = _JsArray.from(values, (v) => toStored(tc, v));
    const d = this.#data;
    for (let k = 0, i = r.start; k < r.count; k++, i += r.step) {
      d[i] = stored[k];
    }
  }

  /**
   * Writes `values` from index `start`.
   *
   * @param values The values.
   * @param start The first index.
   * @returns A settled promise.
   */
  setAll(values: ArrayLike<number | bigint>, start = 0): Promise<void> {
    try {
      this.setAllSync(values, start);
      return Promise.resolve();
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /**
   * Writes `values` from index `start` now.
   *
   * @param values The values.
   * @param start The first index.
   * @throws {ValueError} more values than fit.
   */
  setAllSync(values: ArrayLike<number | bigint>, start = 0): void {
    if (start < 0 || start + values.length > this.length) {
      throw new ValueError("can only assign values within the array's length");
    }
    for (let i = 0; i < values.length; i++) {
      this.#data[start + i] = toStored(this.#state.typecode, values[i]);
    }
  }

  /**
   * The lock guarding the array.
   *
   * @returns The lock.
   * @throws {TypeError} created with `lock: false`.
   */
  getLock(): ThreadLock {
    if (!this.#state.lock) {
      throw new TypeError(
        "this Array was created with lock: false and has no getLock()",
      );
    }
    return this.#state.lock;
  }

  /**
   * Acquires the lock.
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

  /** Releases the lock. */
  release(): void {
    this.getLock().release();
  }

  /**
   * Holds the lock for a `using` block.
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

  /** @internal Describes the array for another thread. */
  [SHARE](): SharedDescriptor {
    return {
      url: _SHARE_URL,
      name: "Array",
      id: this.#id,
      state: this.#state,
    };
  }

  /** @internal Rebuilds a handle in another thread. */
  static _fromShared(state: unknown, id: number): Array {
    _adopting = state;
    _adoptId = id;
    return new this("i", 0);
  }
}
let _adopting: unknown = null;
let _adoptId: number | null = null;
registerShareable(_SHARE_URL, "Array", Array);
installIndexing(Array);
