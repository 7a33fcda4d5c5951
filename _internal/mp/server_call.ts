/**
 * One request being served ({@linkcode Call}): its reply or error, and its
 * parking on an object until it can proceed or its timeout runs out; and
 * {@linkcode PENDING}, what an operation returns when the reply comes later.
 *
 * Design: docs/design/mp_server.md
 *
 * @module
 */
import { errorToRecord } from "../share/codec.ts";
import type { Conn } from "./server_connection.ts";

/** One request being served. */
export class Call {
  done = false;
  timer: ReturnType<typeof setTimeout> | null = null;
  /** Undoes the parking (removes the call from the object's queues). */
  cancel: (() => void) | null = null;

  constructor(
    readonly conn: Conn,
    readonly id: number,
    readonly pid: number,
    readonly tid: number,
  ) {}

  /** Replies with `value`; false when the client is gone (nothing was delivered). */
  reply(value: unknown): boolean {
    if (this.done) return false;
    this.#end();
    if (this.id === 0) return this.conn.alive;
    return this.conn.write({ i: this.id, v: value });
  }

  /** Replies with an error. */
  fail(err: unknown): void {
    if (this.done) return;
    this.#end();
    if (this.id !== 0) this.conn.write({ i: this.id, e: errorToRecord(err) });
  }

  #end(): void {
    this.done = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.conn.parked.delete(this);
  }

  /**
   * Parks the call until the object replies; after `ms` milliseconds (if
   * finite) `onTimeout` runs. `cancel` removes it from the object's queues.
   */
  park(ms: number, onTimeout: (() => void) | null, cancel: () => void): void {
    this.cancel = cancel;
    this.conn.parked.add(this);
    if (onTimeout && ms !== Infinity) {
      this.timer = setTimeout(() => {
        this.timer = null;
        if (!this.done) onTimeout();
      }, Math.max(0, ms));
    }
  }

  /** Stops the timer without replying (the call waits on, for something else). */
  stopTimer(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  /** Whether the call still waits for its reply and its client is alive. */
  get live(): boolean {
    return !this.done && this.conn.alive;
  }
}

/** A value an operation returns to say "the reply comes later". */
export const PENDING: unique symbol = Symbol("pending");
