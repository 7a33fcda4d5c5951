/**
 * Bytes <-> text for the `text`, `encoding` and `errors` options, with
 * Python's universal newlines, and the readers Popen shares between its
 * public streams and communicate().
 *
 * @module
 */
import { ValueError } from "../_internal/core/errors.ts";

/** How undecodable bytes are handled, as Python's `errors` argument. */
export type ErrorsMode = "strict" | "replace";

const _latin1 = new Set(["latin-1", "latin1", "iso-8859-1", "iso8859-1", "l1"]);
const _ascii = new Set(["ascii", "us-ascii", "646"]);
const _utf8 = new Set(["utf-8", "utf8", "u8", "utf"]);
const _utf16 = new Set(["utf-16le", "utf-16-le", "utf-16be", "utf-16-be"]);

/** Normalises an encoding name; throws Python's error for an unknown one. */
export function checkEncoding(encoding: string): string {
  if (typeof encoding !== "string") {
    throw new TypeError(
      `encoding must be a string, not ${typeof encoding}`,
    );
  }
  const e = encoding.toLowerCase().replaceAll("_", "-");
  if (_latin1.has(e) || _ascii.has(e) || _utf8.has(e) || _utf16.has(e)) {
    return e;
  }
  try {
    new TextDecoder(e);
    return e;
  } catch {
    throw new ValueError(`unknown encoding: ${encoding}`);
  }
}

/** Checks the `errors` option. */
export function checkErrors(errors: string | undefined): ErrorsMode {
  if (errors === undefined || errors === "strict") return "strict";
  if (errors === "replace") return "replace";
  throw new ValueError(
    `unsupported errors mode: ${errors} (use "strict" or "replace")`,
  );
}

/** A streaming decoder for one encoding. */
export class Decoder {
  readonly #enc: string;
  readonly #strict: boolean;
  #td?: TextDecoder;

  constructor(encoding: string, errors: ErrorsMode) {
    this.#enc = encoding;
    this.#strict = errors === "strict";
    if (!_latin1.has(encoding) && !_ascii.has(encoding)) {
      this.#td = new TextDecoder(_utf8.has(encoding) ? "utf-8" : encoding, {
        fatal: this.#strict,
        ignoreBOM: true,
      });
    }
  }

  decode(bytes: Uint8Array, stream = false): string {
    if (this.#td) {
      try {
        return this.#td.decode(bytes, { stream });
      } catch {
        throw new ValueError(
          `'${this.#enc}' codec can't decode the output: invalid ${this.#enc} data`,
        );
      }
    }
    let s = "";
    const ascii = _ascii.has(this.#enc);
    for (let i = 0; i < bytes.length; i += 8192) {
      const part = bytes.subarray(i, i + 8192);
      if (ascii) {
        const bad = part.findIndex((b) => b > 0x7f);
        if (bad >= 0 && this.#strict) {
          throw new ValueError(
            `'ascii' codec can't decode byte 0x${
              part[bad].toString(16)
            } in position ${i + bad}: ordinal not in range(128)`,
          );
        }
        s += String.fromCharCode(...part.map((b) => b > 0x7f ? 0xfffd : b));
        continue;
      }
      s += String.fromCharCode(...part);
    }
    return s;
  }
}

/** Python's universal newlines: `\r\n` and `\r` become `\n`. */
export function translateNewlines(s: string): string {
  return s.includes("\r") ? s.replace(/\r\n?/g, "\n") : s;
}

/** Decodes a whole output as Python does in text mode. */
export function decodeAll(
  bytes: Uint8Array,
  encoding: string,
  errors: ErrorsMode,
): string {
  return translateNewlines(new Decoder(encoding, errors).decode(bytes));
}

const _te = new TextEncoder();

/** Encodes input text; bytes pass through unchanged. */
export function encodeInput(
  input: string | Uint8Array,
  encoding: string,
): Uint8Array {
  if (input instanceof Uint8Array) return input;
  if (typeof input !== "string") {
    throw new TypeError(
      `input must be a string or a Uint8Array, not ${
        input === null ? "null" : typeof input
      }`,
    );
  }
  if (_utf8.has(encoding)) return _te.encode(input);
  if (_latin1.has(encoding) || _ascii.has(encoding)) {
    const max = _ascii.has(encoding) ? 0x7f : 0xff;
    const out = new Uint8Array(input.length);
    for (let i = 0; i < input.length; i++) {
      const c = input.charCodeAt(i);
      if (c > max) {
        throw new ValueError(
          `'${encoding}' codec can't encode character '\\u${
            c.toString(16).padStart(4, "0")
          }' in position ${i}`,
        );
      }
      out[i] = c;
    }
    return out;
  }
  if (_utf16.has(encoding)) {
    const le = encoding.includes("le");
    const out = new Uint8Array(input.length * 2);
    const view = new DataView(out.buffer);
    for (let i = 0; i < input.length; i++) {
      view.setUint16(i * 2, input.charCodeAt(i), le);
    }
    return out;
  }
  throw new ValueError(
    `cannot encode input text as ${encoding}; pass a Uint8Array instead`,
  );
}

/**
 * A text stream over a source of byte chunks, with universal newlines. It
 * reads only when its own reader asks (no read ahead), so a pipe whose
 * stream was created but not read can still be handed to another child whole.
 */
export function textStream(
  read: () => Promise<Uint8Array | null>,
  encoding: string,
  errors: ErrorsMode,
  cancel: () => void,
): ReadableStream<string> {
  const dec = new Decoder(encoding, errors);
  let pendingCR = false;
  return new ReadableStream<string>({
    async pull(ctrl) {
      // Loop until there is text to give: a chunk can decode to nothing
      // (half a character, or a lone CR held back).
      for (;;) {
        const chunk = await read();
        let s = dec.decode(chunk ?? new Uint8Array(0), chunk !== null);
        if (pendingCR) s = "\r" + s;
        pendingCR = chunk !== null && s.endsWith("\r");
        if (pendingCR) s = s.slice(0, -1);
        s = translateNewlines(s);
        if (s) ctrl.enqueue(s);
        if (chunk === null) return ctrl.close();
        if (s) return;
      }
    },
    cancel,
  }, { highWaterMark: 0 });
}

/**
 * One reader over a child's output pipe, shared by the public stream and by
 * communicate(), so data read by one is never read again by the other. The
 * reader is taken at the first read, so that an unread pipe can be handed
 * whole to another child ({@linkcode OutputPipe.take}), as Python passes
 * `p1.stdout` to `Popen(..., stdin=p1.stdout)`.
 */
export class OutputPipe {
  readonly #raw: ReadableStream<Uint8Array>;
  #reader: ReadableStreamDefaultReader<Uint8Array> | null = null;
  readonly chunks: Uint8Array[] = [];
  #drain?: Promise<void>;
  #closed = false;
  #taken: ReadableStream<Uint8Array> | null = null;

  constructor(stream: ReadableStream<Uint8Array>) {
    this.#raw = stream;
  }

  /** The next chunk, or `null` at EOF, once closed, or once handed on. */
  async read(): Promise<Uint8Array | null> {
    if (this.#closed || this.#taken) return null;
    this.#reader ??= this.#raw.getReader();
    try {
      const { done, value } = await this.#reader.read();
      return done ? null : value;
    } catch {
      return null;
    }
  }

  /** Reads to EOF into `chunks` (once; later calls share the same run). */
  drain(): Promise<void> {
    this.#drain ??= (async () => {
      for (;;) {
        const c = await this.read();
        if (c === null) return;
        this.chunks.push(c);
      }
    })();
    return this.#drain;
  }

  /**
   * Closes this process's read end. A child still writing gets SIGPIPE,
   * unless the pipe was handed to another child, which keeps reading it (as
   * when Python's parent closes `p1.stdout` after starting `p2`).
   */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#taken) return;
    if (this.#reader) this.#reader.cancel().catch(() => {});
    else this.#raw.cancel().catch(() => {});
  }

  /** Closes the pipe once nothing can read it any more ({@linkcode holdPipe}). */
  release(): void {
    this.close();
  }

  /**
   * Hands the rest of the pipe to another child's stdin: the runtime's own
   * pipe stream when nothing was read yet (Bun then forwards it itself),
   * else a stream over what is left. This process reads no more
   * from it.
   *
   * @throws {ValueError} the pipe was closed or already handed on.
   */
  take(): ReadableStream<Uint8Array> {
    if (this.#closed) throw new ValueError("I/O operation on closed file");
    if (this.#taken) {
      throw new ValueError("the pipe was already given to another process");
    }
    if (!this.#reader) return this.#taken = this.#raw;
    const reader = this.#reader;
    return this.#taken = new ReadableStream<Uint8Array>({
      async pull(ctrl) {
        const { done, value } = await reader.read();
        if (done) ctrl.close();
        else ctrl.enqueue(value);
      },
      cancel: (reason) => reader.cancel(reason),
    }, { highWaterMark: 0 });
  }

  /**
   * Undoes {@linkcode OutputPipe.take} when the other child could not be
   * started and nothing was read from the stream given to it.
   */
  untake(): void {
    if (this.#taken && !this.#taken.locked) this.#taken = null;
  }

  /** A web stream over this pipe; cancelling it closes the pipe. */
  stream(): ReadableStream<Uint8Array> {
    return new ReadableStream<Uint8Array>({
      pull: async (ctrl) => {
        const c = await this.read();
        if (c === null) ctrl.close();
        else ctrl.enqueue(c);
      },
      cancel: () => this.close(),
    }, { highWaterMark: 0 });
  }
}

/** A pipe end that {@linkcode holdPipe} can close once nothing holds it. */
interface Releasable {
  release(): void;
}

const _holders = new WeakMap<Releasable, number>();
const _collected = new FinalizationRegistry<Releasable>((pipe) => {
  const left = (_holders.get(pipe) ?? 1) - 1;
  _holders.set(pipe, left);
  if (left === 0) pipe.release();
});

/**
 * Keeps `pipe` open while `holder` (its Popen, or the public stream over it)
 * is reachable: once every holder has been garbage collected, the pipe is
 * closed, as CPython closes a collected Popen's file objects. Deno keeps a
 * child's pipe in its resource table until it is read to the end or closed,
 * so without this an unread pipe would leak a file descriptor per child.
 */
export function holdPipe(holder: object, pipe: Releasable): void {
  _holders.set(pipe, (_holders.get(pipe) ?? 0) + 1);
  _collected.register(holder, pipe);
}

const _pipes = new WeakMap<object, OutputPipe>();

/**
 * Records that `stream` (a Popen's public `stdout` or `stderr`) reads
 * `pipe`, so that the stream given as another child's stdin hands over the
 * pipe itself, whatever its text mode.
 */
export function registerPipe(stream: object, pipe: OutputPipe): void {
  _pipes.set(stream, pipe);
}

/** The pipe behind a Popen's public output stream, if `stream` is one. */
export function pipeOf(stream: object): OutputPipe | undefined {
  return _pipes.get(stream);
}

/** The write end of a child's stdin pipe, shared like {@linkcode OutputPipe}. */
export class InputPipe {
  readonly #writer: WritableStreamDefaultWriter<Uint8Array>;
  #closed = false;

  constructor(stream: WritableStream<Uint8Array>) {
    this.#writer = stream.getWriter();
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Writes bytes; throws BrokenPipe-like errors to the caller. */
  async write(chunk: Uint8Array): Promise<void> {
    if (this.#closed) throw new ValueError("write to closed file");
    await this.#writer.write(chunk);
  }

  /** Closes the pipe, so the child sees EOF; errors of a gone child are ignored. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    try {
      await this.#writer.close();
    } catch {
      await this.#writer.abort().catch(() => {});
    }
  }

  /** Closes the pipe once nothing can write to it any more ({@linkcode holdPipe}). */
  release(): void {
    this.close().catch(() => {});
  }

  /** Writes `data` then closes, ignoring a child that stopped reading. */
  async feed(data: Uint8Array | null): Promise<void> {
    try {
      if (data && data.length) await this.write(data);
    } catch {
      /* BrokenPipe: the child exited or closed stdin, as Python ignores */
    }
    await this.close();
  }

  /** A web stream over this pipe; closing it closes the pipe. */
  stream(): WritableStream<Uint8Array> {
    return new WritableStream<Uint8Array>({
      write: (chunk) => this.write(chunk),
      close: () => this.close(),
      abort: () => this.close(),
    });
  }
}

/** Reads a whole file-like source synchronously, for the Sync twins. */
export function readAllSync(
  file: { readSync(p: Uint8Array): number | null },
): Uint8Array {
  const chunks: Uint8Array[] = [];
  for (;;) {
    const buf = new Uint8Array(64 * 1024);
    const n = file.readSync(buf);
    if (n === null || n === 0) break;
    chunks.push(buf.subarray(0, n));
  }
  let len = 0;
  for (const c of chunks) len += c.length;
  const out = new Uint8Array(len);
  let off = 0;
  for (const c of chunks) out.set(c, off), off += c.length;
  return out;
}

/** Writes all of `data` to a file-like destination synchronously. */
export function writeAllSync(
  file: { writeSync(p: Uint8Array): number },
  data: Uint8Array,
): void {
  let off = 0;
  while (off < data.length) off += file.writeSync(data.subarray(off));
}
