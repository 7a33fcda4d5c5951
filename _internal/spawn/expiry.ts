/**
 * Timers for child timeouts: `expiry` resolves after a delay of any length
 * (re-arming past the 2^31-1 ms limit of `setTimeout`) and can be
 * cancelled; `MAX_TIMER_MS` is that limit.
 * Design: docs/design/spawn.md
 *
 * @module
 */

/** The longest delay `setTimeout` (and Bun's spawn timeout) takes, in ms. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * A promise that resolves after `ms` milliseconds, and a way to cancel it.
 * Unlike a bare `setTimeout`, delays beyond 2^31-1 ms (24.8 days) do not fire
 * at once: the timer is re-armed until the whole delay has passed.
 */
export function expiry(ms: number): {
  expired: Promise<void>;
  cancel(): void;
} {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let cancelled = false;
  if (ms === Infinity) return { expired: new Promise(() => {}), cancel() {} };
  const end = performance.now() + ms;
  const expired = new Promise<void>((resolve) => {
    const arm = () => {
      if (cancelled) return;
      const left = end - performance.now();
      if (left <= 0) return resolve();
      timer = setTimeout(arm, Math.min(left, MAX_TIMER_MS));
    };
    timer = setTimeout(arm, Math.min(ms, MAX_TIMER_MS));
  });
  return {
    expired,
    cancel() {
      cancelled = true;
      clearTimeout(timer);
    },
  };
}
