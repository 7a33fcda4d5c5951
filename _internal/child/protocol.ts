/**
 * The wire protocol between a program and the child processes it starts
 * from its own runtime (`futures.ProcessPoolExecutor` now, `multiprocessing`
 * later).
 *
 * Design: docs/design/child.md
 *
 * @module
 */
import { Buffer } from "node:buffer";
import { deserialize, serialize } from "node:v8";
import type { ModuleTarget } from "../share/target.ts";

/** Child to parent, first message: who is calling. */
export interface ChildHello {
  type: "hello";
  /** Always 0: the message is about no task. */
  id: 0;
  /** The token from the child's command line. */
  token: string;
  /** The child's process id. */
  pid: number;
}

/** Parent to child, in the start file: what to be. */
export interface ChildStart {
  type: "start";
  /** Always 0: the message is about no task. */
  id: 0;
  /**
   * The role: a module export `(channel, data) => void | Promise<void>` the
   * child imports and runs (for a pool, `pool_role.ts`'s `runPool`).
   */
  role: { module: string; name: string } & ModuleTarget;
  /** The role's start-up data. */
  data: unknown;
}

/** Parent to child: exit now (after the socket is flushed). */
export interface ChildStop {
  type: "stop";
  /** Always 0: the message is about no task. */
  id: 0;
}

/** The largest frame accepted, so a corrupt length cannot exhaust memory. */
export const MAX_FRAME_BYTES = 2 ** 31 - 1;
/** Bytes in a frame header. */
export const FRAME_HEADER_BYTES = 4;

/** Encodes `msg` as one frame. */
export function encodeFrame(msg: unknown): Uint8Array {
  const body = serialize(msg);
  const out = Buffer.allocUnsafe(FRAME_HEADER_BYTES + body.length);
  out.writeUInt32LE(body.length, 0);
  out.set(body, FRAME_HEADER_BYTES);
  return out;
}

/**
 * Splits a byte stream into frames and decodes each. Chunks are kept in a
 * list and joined once per frame, so a large frame arriving in many chunks
 * costs one copy.
 */
export class FrameDecoder {
  #chunks: Uint8Array[] = [];
  #size = 0;
  #need = -1;
  #onMessage: (msg: unknown) => void;

  /** A decoder that hands each message to `onMessage`. */
  constructor(onMessage: (msg: unknown) => void) {
    this.#onMessage = onMessage;
  }

  /** Bytes received and not yet decoded. */
  get buffered(): number {
    return this.#size;
  }

  #take(n: number): Uint8Array {
    const first = this.#chunks[0];
    if (first.length >= n) {
      const out = first.subarray(0, n);
      if (first.length === n) this.#chunks.shift();
      else this.#chunks[0] = first.subarray(n);
      this.#size -= n;
      return out;
    }
    const out = new Uint8Array(n);
    let off = 0;
    while (off < n) {
      const c = this.#chunks[0];
      const k = Math.min(c.length, n - off);
      out.set(c.subarray(0, k), off);
      off += k;
      if (k === c.length) this.#chunks.shift();
      else this.#chunks[0] = c.subarray(k);
    }
    this.#size -= n;
    return out;
  }

  /**
   * Feeds received bytes; decodes every complete frame.
   *
   * @throws {RangeError} a frame length above {@linkcode MAX_FRAME_BYTES}.
   */
  push(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    this.#chunks.push(chunk);
    this.#size += chunk.length;
    for (;;) {
      if (this.#need < 0) {
        if (this.#size < FRAME_HEADER_BYTES) return;
        const h = this.#take(FRAME_HEADER_BYTES);
        this.#need = (h[0] | (h[1] << 8) | (h[2] << 16)) + h[3] * 2 ** 24;
        if (this.#need > MAX_FRAME_BYTES) {
          throw new RangeError(`frame of ${this.#need} bytes is too large`);
        }
      }
      if (this.#size < this.#need) return;
      const body = this.#take(this.#need);
      this.#need = -1;
      this.#onMessage(deserialize(body));
    }
  }
}
