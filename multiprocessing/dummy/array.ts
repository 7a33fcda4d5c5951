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
 * @example
 * ```ts
 * import { Array } from "@pyconc/pyconc/multiprocessing/dummy";
 * const a = new Array("i", [1, 2, 3]);
 * a.setSync(0, 5);
 * console.assert(a.toArraySync().join() === "5,2,3");
 * ```
 */
export class Array {
  readonly #state: _State;
  // deno-lint-ignore no-explicit-any
  readonly #data: any;
  readonly #id: number;

  /**
   * Creates a shared array.
   *
   * @param typecode One of "b" "B" "h" "H" "i" "I" "l" "L" "q" "Q" "f" "d".
   * @param sizeOrInitializer A length (zero-filled) or the initial values.
   * @param options `{ lock }`.
   * @throws {ValueError} an unknown typecode or a negative size.
   */
  constructor(
    typecode: Typecode,
    sizeOrInitializer: number | ArrayLike<number | bigint>,
    options?: DummyCtypeOptions,
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
      this.#state = { typecode, buffer, lock: _threadLockOf(options) };
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
    if (j < 0 || j >= this.length) throw new RangeError("invalid index");
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
   * Reads element `i` now.
   *
   * @param i The index.
   * @returns The element.
   * @throws {RangeError} an index out of range.
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
   * Writes element `i` now.
   *
   * @param i The index.
   * @param v The value.
   * @throws {RangeError} an index out of range.
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
