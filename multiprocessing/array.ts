// Array: a fixed-length array of a C type, shared by processes.
import type { AcquireOptions } from "../threading/_acquire_args.ts";
import type { Held } from "../threading/_held.ts";
import { ValueError } from "../_internal/errors.ts";
import type { SemLock } from "./_lock_base.ts";
import { _adopting, _newRef, _registerProxy, BaseProxy } from "./_proxy.ts";
import {
  fromStored,
  toStored,
  type Typecode,
  typedArrayOf,
} from "./_typecodes.ts";
import { _lockOf, type SharedCtypeOptions } from "./value.ts";

interface _Extra {
  typecode: string;
  length: number;
  lock: SemLock | null;
}

const _JsArray = globalThis.Array;

/**
 * A fixed-length array of numbers of one C type shared by processes, as
 * Python's `multiprocessing.Array(typecode, sizeOrInitializer)`. Element
 * access is a round trip to the process serving it: `get(i)`/`set(i, v)`
 * are async, `getSync`/`setSync` block; `toArray()` reads all at once, and
 * `setAll` writes from index 0. Negative indexes count from the end. Hold
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
      const ctor = typedArrayOf(typecode);
      let data;
      if (typeof sizeOrInitializer === "number") {
        if (!Number.isInteger(sizeOrInitializer) || sizeOrInitializer < 0) {
          throw new ValueError("array size must be a non-negative integer");
        }
        data = new ctor(sizeOrInitializer);
      } else {
        const vals = _JsArray.from(sizeOrInitializer);
        data = new ctor(vals.length);
        for (let i = 0; i < vals.length; i++) {
          data[i] = toStored(typecode, vals[i]) as never;
        }
      }
      extra = { typecode, length: data.length, lock: _lockOf(options) };
      ref = _newRef("array", { data }, extra);
    }
    super(ref!);
    this.#extra = extra;
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
    return fromStored(await this._call("get", this.#index(i)));
  }

  /**
   * The blocking twin of {@linkcode Array.get}.
   *
   * @param i The index.
   * @returns The element.
   */
  getSync(i: number): number {
    return fromStored(this._callSync("get", this.#index(i)));
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
    await this._call("set", this.#index(i), toStored(this.#extra.typecode, v));
  }

  /**
   * The blocking twin of {@linkcode Array.set}.
   *
   * @param i The index.
   * @param v The value.
   */
  setSync(i: number, v: number): void {
    this._callSync("set", this.#index(i), toStored(this.#extra.typecode, v));
  }

  /**
   * Reads every element.
   *
   * @returns A plain array of the elements.
   */
  async toArray(): Promise<number[]> {
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
    await this._call(
      "setSlice",
      this.#index0(start),
      this.#stored(values, start),
    );
  }

  /**
   * The blocking twin of {@linkcode Array.setAll}.
   *
   * @param values The new values.
   * @param start The first index written.
   */
  setAllSync(values: ArrayLike<number | bigint>, start = 0): void {
    this._callSync(
      "setSlice",
      this.#index0(start),
      this.#stored(values, start),
    );
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
_registerProxy(Array, import.meta.url, "Array");
