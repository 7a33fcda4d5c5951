// Worker-side loops for the threading benchmarks (module targets).
import type { Event, Lock } from "../threading/mod.ts";

/** Ping side of an Event ping-pong: `rounds` round trips, blocking waits. */
export function eventPing(
  ping: Event,
  pong: Event,
  rounds: number,
  out: Float64Array,
): void {
  const t0 = performance.now();
  for (let i = 0; i < rounds; i++) {
    ping.set();
    pong.waitSync();
    pong.clear();
  }
  out[0] = performance.now() - t0;
}

/** Pong side of an Event ping-pong. */
export function eventPong(ping: Event, pong: Event, rounds: number): void {
  for (let i = 0; i < rounds; i++) {
    ping.waitSync();
    ping.clear();
    pong.set();
  }
}

/** Ping side of the physical floor: a flag in shared memory, spinning. */
export function rawPing(
  flag: Int32Array,
  rounds: number,
  out: Float64Array,
): void {
  const t0 = performance.now();
  for (let i = 0; i < rounds; i++) {
    Atomics.store(flag, 0, 1);
    while (Atomics.load(flag, 0) !== 2) { /* spin */ }
  }
  out[0] = performance.now() - t0;
}

/** Pong side of the physical floor. */
export function rawPong(flag: Int32Array, rounds: number): void {
  for (let i = 0; i < rounds; i++) {
    while (Atomics.load(flag, 0) !== 1) { /* spin */ }
    Atomics.store(flag, 0, 2);
  }
}

/** One side of a contended lock: `n` acquire/release pairs around a shared increment. */
export function lockHammer(
  lock: Lock,
  counter: Int32Array,
  n: number,
  go: Int32Array,
): void {
  Atomics.add(go, 0, 1);
  while (Atomics.load(go, 0) < 2) { /* start together */ }
  for (let i = 0; i < n; i++) {
    lock.acquireSync();
    counter[0]++;
    lock.release();
  }
}

/** The Event protocol with no library around it: one word, CAS to set, AND to clear, spin to wait. */
class _MiniEvent {
  readonly #i: Int32Array;
  constructor(sab: SharedArrayBuffer) {
    this.#i = new Int32Array(sab);
  }
  set(): void {
    for (;;) {
      const s = Atomics.load(this.#i, 0);
      if (Atomics.compareExchange(this.#i, 0, s, ((s + 2) | 1) | 0) === s) {
        break;
      }
    }
    Atomics.notify(this.#i, 0);
  }
  clear(): void {
    Atomics.and(this.#i, 0, ~1);
  }
  waitSync(): void {
    const seen = Atomics.load(this.#i, 0);
    if (seen & 1) return;
    while (Atomics.load(this.#i, 0) === seen) { /* spin */ }
  }
}

/** Ping side of the minimal-Event ping-pong. */
export function miniPing(
  a: SharedArrayBuffer,
  b: SharedArrayBuffer,
  rounds: number,
  out: Float64Array,
): void {
  const ping = new _MiniEvent(a);
  const pong = new _MiniEvent(b);
  const t0 = performance.now();
  for (let i = 0; i < rounds; i++) {
    ping.set();
    pong.waitSync();
    pong.clear();
  }
  out[0] = performance.now() - t0;
}

/** Pong side of the minimal-Event ping-pong. */
export function miniPong(
  a: SharedArrayBuffer,
  b: SharedArrayBuffer,
  rounds: number,
): void {
  const ping = new _MiniEvent(a);
  const pong = new _MiniEvent(b);
  for (let i = 0; i < rounds; i++) {
    ping.waitSync();
    ping.clear();
    pong.set();
  }
}
