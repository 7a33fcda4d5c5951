/**
 * The state of Value and Array: a typed array, in the server's memory or
 * over a block of shared memory, and the operations on its elements.
 *
 * @module
 */
import type { ShmLoc } from "../shm/arena.ts";
import type { Call } from "./server_call.ts";
import { freeBlock, SharedState } from "./server_state.ts";

/** Value and Array: a typed array (of length 1 for a Value), in this server's memory or over a block of shared memory (`loc`). */
export class ArrayState extends SharedState {
  constructor(
    readonly data: ArrayLike<number | bigint> & {
      [i: number]: number | bigint;
      length: number;
      slice(a?: number, b?: number): unknown;
    },
    readonly loc: ShmLoc | null = null,
  ) {
    super();
  }

  override dispose(): void {
    if (this.loc) freeBlock(this.loc);
  }

  op(_c: Call, m: string, a: unknown[]): unknown {
    const d = this.data;
    switch (m) {
      case "get":
        return d[a[0] as number];
      case "set":
        d[a[0] as number] = a[1] as number;
        return null;
      case "slice":
        return d.slice(a[0] as number, a[1] as number);
      case "setSlice": {
        const start = a[0] as number;
        const vals = a[1] as ArrayLike<number | bigint>;
        for (let i = 0; i < vals.length; i++) d[start + i] = vals[i];
        return null;
      }
      case "add": {
        // An atomic read-modify-write, for counters.
        const i = a[0] as number;
        d[i] = (d[i] as number) + (a[1] as number);
        return d[i];
      }
    }
    throw new TypeError(`Array has no method ${m}`);
  }
}
