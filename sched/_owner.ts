/**
 * Private access to the heap that holds an event. `Event` keeps it in a
 * private field (private fields stay writable on a frozen object) and hands
 * these two functions over from a static block when event.ts is evaluated.
 *
 * @module
 */
import type { Event } from "./event.ts";

/** The heap an event is queued in, or null once it ran or was cancelled. */
export const _owner: {
  get: (event: Event) => object | null;
  set: (event: Event, heap: object | null) => void;
} = {
  get: () => null,
  set: () => {},
};
