// Private access to an event's heap position. `Event` keeps the position in a
// private field (private fields stay writable on a frozen object) and hands
// these two functions over from a static block when event.ts is evaluated.
import type { Event } from "./event.ts";

/** Where the owning scheduler's heap holds an event: its index, or -1. */
export const _slot: {
  get: (event: Event) => number;
  set: (event: Event, index: number) => void;
} = {
  get: () => -1,
  set: () => {},
};
