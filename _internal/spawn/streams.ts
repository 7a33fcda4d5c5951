/**
 * Byte streams around a child: collecting a pipe to its end (cancellable),
 * feeding bytes into one and closing it, web streams over Bun's `FileSink`
 * and over one of this process's file descriptors on Deno, and joining
 * chunks.
 * Design: docs/design/spawn.md
 *
 * @module
 */
import { denoNs } from "../runtime/adapter.ts";

const _childOutputs = new WeakSet<ReadableStream<Uint8Array>>();

/**
 * Records that `stream` is the runtime's own stdout or stderr pipe of a child
 * started by `spawn()`, so that giving it to another child as stdin lets Bun
 * forward the bytes itself rather than through a JavaScript pump.
 */
export function markChildOutput(
  stream: ReadableStream<Uint8Array> | null,
): void {
  if (stream) _childOutputs.add(stream);
}

/** Whether `stream` is a child's own output pipe (see {@linkcode markChildOutput}). */
export function isChildOutput(stream: ReadableStream<Uint8Array>): boolean {
  return _childOutputs.has(stream);
}

/** Reads a stream to its end into chunks; can be cancelled at any time. */
export class Collector {
  readonly chunks: Uint8Array[] = [];
  readonly done: Promise<void>;
  #reader: ReadableStreamDefaultReader<Uint8Array>;

  constructor(stream: ReadableStream<Uint8Array>) {
    this.#reader = stream.getReader();
    this.done = this.#run();
  }

  async #run(): Promise<void> {
    try {
      for (;;) {
        const { done, value } = await this.#reader.read();
        if (done) return;
        this.chunks.push(value);
      }
    } catch {
      // a cancelled or broken pipe ends the output; what was read stays
    }
  }

  cancel(): Promise<void> {
    this.#reader.cancel().catch(() => {});
    return this.done;
  }

  bytes(): Uint8Array {
    return concatBytes(this.chunks);
  }
}

/** Reads a runtime's pipe stream to its end, natively where it can. */
export async function readAll(
  stream: ReadableStream<Uint8Array>,
): Promise<Uint8Array> {
  // deno-lint-ignore no-explicit-any
  const s = stream as any;
  if (typeof s.bytes === "function") {
    try {
      return await s.bytes();
    } catch {
      return new Uint8Array(0); // a broken pipe ends the output
    }
  }
  const c = new Collector(stream);
  await c.done;
  return c.bytes();
}

/** Joins byte chunks into one array (no copy for a single chunk). */
export function concatBytes(chunks: Uint8Array[]): Uint8Array {
  if (chunks.length === 1) return chunks[0];
  let n = 0;
  for (const c of chunks) n += c.length;
  const out = new Uint8Array(n);
  let off = 0;
  for (const c of chunks) {
    out.set(c, off);
    off += c.length;
  }
  return out;
}

/** Whether an error is the child having closed its end of a pipe. */
function _isBrokenPipe(err: unknown): boolean {
  // deno-lint-ignore no-explicit-any
  const e = err as any;
  return e?.name === "BrokenPipe" || e?.code === "EPIPE" ||
    e?.name === "Interrupted" || e?.code === "EINVAL";
}

/** Writes `data` to a pipe and closes it; a child that stopped reading is fine. */
export async function feed(
  sink: WritableStream<Uint8Array>,
  data: Uint8Array,
): Promise<void> {
  const w = sink.getWriter();
  try {
    if (data.length) await w.write(data);
    await w.close();
  } catch (err) {
    if (!_isBrokenPipe(err)) throw err;
    await w.abort().catch(() => {});
  }
}

/** A WritableStream over Bun's FileSink, so both runtimes expose web streams. */
// deno-lint-ignore no-explicit-any
export function sinkStream(sink: any): WritableStream<Uint8Array> {
  return new WritableStream<Uint8Array>({
    async write(chunk) {
      sink.write(chunk);
      await sink.flush();
    },
    async close() {
      await sink.end();
    },
    async abort() {
      try {
        await sink.end();
      } catch { /* already closed */ }
    },
  });
}

/**
 * A stream over one of this process's file descriptors (Deno, which takes no
 * descriptors in `Deno.Command`). Writes go through `write()` at once:
 * `FsFile.writable` buffers until it is closed, which would hold the output
 * back past the child's exit.
 */
export function denoFdStream(fd: number, write: true): {
  stream: WritableStream<Uint8Array>;
  close(): void;
};
export function denoFdStream(fd: number, write: false): {
  stream: ReadableStream<Uint8Array>;
  close(): void;
};
export function denoFdStream(fd: number, write: boolean): {
  // deno-lint-ignore no-explicit-any
  stream: any;
  close(): void;
} {
  // deno-lint-ignore no-explicit-any
  let file: any;
  let own = false;
  if (fd === 0 && !write) file = denoNs.stdin;
  else if (fd === 1 && write) file = denoNs.stdout;
  else if (fd === 2 && write) file = denoNs.stderr;
  else {
    file = denoNs.openSync(
      `/dev/fd/${fd}`,
      write ? { write: true } : {
        read: true,
      },
    );
    own = true;
  }
  const close = () => {
    if (!own) return;
    own = false;
    try {
      file.close();
    } catch { /* already closed */ }
  };
  if (write) {
    return {
      stream: new WritableStream<Uint8Array>({
        async write(chunk) {
          let off = 0;
          while (off < chunk.length) {
            off += await file.write(chunk.subarray(off));
          }
        },
      }),
      close,
    };
  }
  return {
    stream: new ReadableStream<Uint8Array>({
      async pull(ctrl) {
        const buf = new Uint8Array(64 * 1024);
        const n = await file.read(buf);
        if (n === null) ctrl.close();
        else ctrl.enqueue(buf.subarray(0, n));
      },
    }, { highWaterMark: 0 }),
    close,
  };
}
