/**
 * Value of multiprocessing.dummy: one number in shared memory.
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
import type { Held } from "../../threading/_held.ts";
import type { AcquireOptions } from "../../threading/_acquire_args.ts";
import { Lock } from "../../threading/lock.ts";
import { RLock } from "../../threading/rlock.ts";
import {
  fromStored,
  toStored,
  type Typecode,
  typedArrayOf,
} from "../../_internal/mp/typecodes.ts";
import { checkOptions } from "../../_internal/core/options.ts";

const _SHARE_URL = shareUrl(import.meta.url, "multiprocessing/dummy/value.ts");

/** A lock of the threading module, as `Value` and `Array` use. */
export type ThreadLock = Lock | RLock;

/** Options of the dummy {@linkcode Value} and {@linkcode Array}. */
export interface DummyCtypeOptions {
  /** `true` (default) for a new threading `RLock`, a `Lock`/`RLock` to use, or `false` for none. */
  lock?: boolean | ThreadLock;
}

/**
 * @internal The lock of a dummy Value or Array: from `{ lock }`, or given
 * positionally as CPython's `multiprocessing.dummy.Value(typecode, value,
 * lock=True)` allows.
 */
export function _threadLockOf(
  options: DummyCtypeOptions | boolean | ThreadLock | undefined,
  fn = "Value",
): ThreadLock | null {
  const lock = typeof options === "boolean" || options instanceof Lock ||
      options instanceof RLock
    ? options
    : checkOptions(options, ["lock"], fn).lock ?? true;
  if (lock === true) return new RLock();
  if (lock === false) return null;
  if (!(lock instanceof Lock) && !(lock instanceof RLock)) {
    throw new TypeError(
      "lock must be true, false, or a threading Lock or RLock",
    );
  }
  return lock;
}

interface _State {
  typecode: string;
  buffer: SharedArrayBuffer;
  lock: ThreadLock | null;
}

/**
 * One number of a C type in shared memory, with the API of the process
 * module's {@linkcode Value}; here `value` is a plain read or write of a
 * `SharedArrayBuffer`, seen at once by every thread it is passed to.
 *
 * @example
 * ```ts
 * import { Value } from "@pyconc/pyconc/multiprocessing/dummy";
 * const v = new Value("i", 1);
 * {
 *   using _h = v.holdSync();
 *   v.value += 1;
 * }
 * console.assert(v.value === 2);
 * ```
 */
export class Value {
  readonly #state: _State;
  // deno-lint-ignore no-explicit-any
  readonly #data: any;
  readonly #id: number;

  /**
   * Creates a shared number.
   *
   * @param typecode One of "b" "B" "h" "H" "i" "I" "l" "L" "q" "Q" "f" "d".
   * @param value The initial value.
   * @param options `{ lock }`, or the lock itself (`true`, `false`, a
   *   `Lock` or `RLock`) as CPython's dummy `Value(typecode, value, lock)`.
   * @throws {ValueError} an unknown typecode.
   * @throws {TypeError} a value of the wrong kind, a bad lock, or an unknown option.
   */
  constructor(
    typecode: Typecode,
    value: number | bigint = 0,
    options?: DummyCtypeOptions | boolean | ThreadLock,
  ) {
    const adopted = _adopting as _State | null;
    _adopting = null;
    const ctor = typedArrayOf(adopted?.typecode ?? typecode);
    if (adopted) this.#state = adopted;
    else {
      const buffer = new SharedArrayBuffer(ctor.BYTES_PER_ELEMENT);
      this.#state = { typecode, buffer, lock: _threadLockOf(options) };
    }
    this.#data = new (ctor as Float64ArrayConstructor)(this.#state.buffer);
    if (!adopted) this.#data[0] = toStored(typecode, value);
    this.#id = _adoptId ?? nextObjectId();
    _adoptId = null;
    rememberHandle(this.#id, this);
  }

  /** The typecode. */
  get typecode(): string {
    return this.#state.typecode;
  }

  /** The value now. */
  get value(): number {
    return fromStored(this.#data[0]);
  }
  set value(v: number) {
    this.#data[0] = toStored(this.#state.typecode, v);
  }

  /**
   * Reads the value.
   *
   * @returns The value.
   */
  get(): Promise<number> {
    return Promise.resolve(this.value);
  }

  /**
   * Writes the value.
   *
   * @param v The new value.
   * @returns A settled promise.
   */
  set(v: number): Promise<void> {
    try {
      this.value = v;
      return Promise.resolve();
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /**
   * The lock guarding the value.
   *
   * @returns The lock.
   * @throws {TypeError} created with `lock: false`.
   */
  getLock(): ThreadLock {
    if (!this.#state.lock) {
      throw new TypeError(
        "this Value was created with lock: false and has no getLock()",
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
   * The blocking twin of {@linkcode Value.acquire}.
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
   * The blocking twin of {@linkcode Value.hold}.
   *
   * @param options `{ blocking, timeout }`.
   * @returns A handle for `using`.
   */
  holdSync(options?: AcquireOptions): Held {
    return this.getLock().holdSync(options);
  }

  /** @internal Describes the value for another thread. */
  [SHARE](): SharedDescriptor {
    return {
      url: _SHARE_URL,
      name: "Value",
      id: this.#id,
      state: this.#state,
    };
  }

  /** @internal Rebuilds a handle in another thread. */
  static _fromShared(state: unknown, id: number): Value {
    _adopting = state;
    _adoptId = id;
    return new Value("i");
  }

  /** A short description, as Python's repr. */
  toString(): string {
    return `<Synchronized wrapper for c_${this.#state.typecode}(${this.value})>`;
  }
}
let _adopting: unknown = null;
let _adoptId: number | null = null;
registerShareable(_SHARE_URL, "Value", Value);
