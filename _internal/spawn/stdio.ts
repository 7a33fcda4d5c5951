/**
 * The stdio slots of a child: each spec becomes a runtime mode (Deno's and
 * Bun's words differ) plus, where the runtime cannot do it itself, a
 * forwarding job, which `wire` starts once the child runs.
 * Design: docs/design/spawn.md
 *
 * @module
 */
import { denoFdStream, feed, isChildOutput } from "./streams.ts";
import type { OutputSpec, StdinSpec } from "./types.ts";

/** A stdio slot resolved into a runtime mode plus a forwarding job. */
export interface Slot {
  mode: string | number | Uint8Array | ReadableStream<Uint8Array>;
  feed?: Uint8Array;
  source?: ReadableStream<Uint8Array>;
  dest?: WritableStream<Uint8Array>;
  close?: () => void;
}

/** Deno's slot for a stdin spec (a descriptor other than 0 is forwarded). */
export function denoIn(spec: StdinSpec | undefined): Slot {
  if (spec === undefined || spec === "inherit") return { mode: "inherit" };
  if (spec === "pipe" || spec === "null") {
    return { mode: spec === "pipe" ? "piped" : "null" };
  }
  if (spec instanceof Uint8Array) return { mode: "piped", feed: spec };
  if (spec instanceof ReadableStream) return { mode: "piped", source: spec };
  if (typeof spec === "number") {
    if (spec === 0) return { mode: "inherit" };
    const fd = denoFdStream(spec, false);
    return { mode: "piped", source: fd.stream, close: fd.close };
  }
  throw new TypeError(`invalid stdin: ${String(spec)}`);
}

/** Deno's slot for a stdout (`slot` 1) or stderr (`slot` 2) spec. */
export function denoOut(spec: OutputSpec | undefined, slot: 1 | 2): Slot {
  if (spec === undefined || spec === "inherit") return { mode: "inherit" };
  if (spec === "pipe" || spec === "null") {
    return { mode: spec === "pipe" ? "piped" : "null" };
  }
  if (spec instanceof WritableStream) return { mode: "piped", dest: spec };
  if (typeof spec === "number") {
    if (spec === slot) return { mode: "inherit" };
    const fd = denoFdStream(spec, true);
    return { mode: "piped", dest: fd.stream, close: fd.close };
  }
  throw new TypeError(`invalid stdout or stderr: ${String(spec)}`);
}

/**
 * Bun's slot for a stdin spec (Bun writes given bytes itself, and reads
 * another child's output pipe into this child itself).
 */
export function bunIn(spec: StdinSpec | undefined): Slot {
  if (spec === undefined || spec === "inherit") return { mode: "inherit" };
  if (spec === "pipe") return { mode: "pipe" };
  if (spec === "null") return { mode: "ignore" };
  if (spec instanceof Uint8Array) {
    // Bun writes a buffer given as stdin itself; an empty one still needs EOF.
    return { mode: spec.length ? spec : "ignore" };
  }
  if (spec instanceof ReadableStream) {
    // Any other stream is pumped here, where its errors can be contained.
    return isChildOutput(spec)
      ? { mode: spec }
      : { mode: "pipe", source: spec };
  }
  if (typeof spec === "number") return { mode: spec };
  throw new TypeError(`invalid stdin: ${String(spec)}`);
}

/** Bun's slot for a stdout or stderr spec. */
export function bunOut(spec: OutputSpec | undefined): Slot {
  if (spec === undefined || spec === "inherit") return { mode: "inherit" };
  if (spec === "pipe") return { mode: "pipe" };
  if (spec === "null") return { mode: "ignore" };
  if (spec instanceof WritableStream) return { mode: "pipe", dest: spec };
  if (typeof spec === "number") return { mode: spec };
  throw new TypeError(`invalid stdout or stderr: ${String(spec)}`);
}

/** Starts the forwarding jobs and hides the pipes they own. */
export function wire(
  stdin: WritableStream<Uint8Array> | null,
  stdout: ReadableStream<Uint8Array> | null,
  stderr: ReadableStream<Uint8Array> | null,
  slots: [Slot, Slot, Slot],
): {
  stdio: {
    stdin: WritableStream<Uint8Array> | null;
    stdout: ReadableStream<Uint8Array> | null;
    stderr: ReadableStream<Uint8Array> | null;
  };
  pumps: Promise<unknown>[];
} {
  const [i, o, e] = slots;
  const pumps: Promise<unknown>[] = [];
  if (stdin && i.feed) {
    feed(stdin, i.feed).catch(() => {});
    stdin = null;
  } else if (stdin && i.source) {
    const close = i.close;
    i.source.pipeTo(stdin).catch(() => {}).finally(() => close?.());
    stdin = null;
  }
  for (const [slot, which] of [[o, "out"], [e, "err"]] as const) {
    const src = which === "out" ? stdout : stderr;
    if (src && slot.dest) {
      const close = slot.close;
      pumps.push(
        src.pipeTo(slot.dest, { preventClose: true }).catch(() => {}).finally(
          () => close?.(),
        ),
      );
      if (which === "out") stdout = null;
      else stderr = null;
    }
  }
  return { stdio: { stdin, stdout, stderr }, pumps };
}
