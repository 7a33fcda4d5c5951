/**
 * The parent's half of the child-process protocol (`protocol.ts`):
 * one Unix socket server per program, started when the first child is and
 * closed (its file removed) when the last child is gone; and
 * {@linkcode startChild}, which spawns `entry.ts` in a new copy of the
 * running runtime through `spawn/spawn.ts`, pairs the connection with the child
 * by a token, and returns a {@linkcode ChildHandle} at once (messages sent
 * before the child connects are kept and sent on connection).
 *
 * Design: docs/design/child.md
 *
 * @module
 */
import { entryUrl } from "../runtime/entry.ts";
import net from "node:net";
import { unlinkSync, writeFileSync } from "node:fs";
import {
  type ChildHello,
  type ChildStart,
  type ChildStop,
  encodeFrame,
  FrameDecoder,
} from "./protocol.ts";
import { nodeProcess, pid, unrefTimer } from "../runtime/adapter.ts";
import { tempDir } from "../runtime/temp_dir.ts";
import { checkChildPermissions, socketMayBeAbstract } from "./permissions.ts";
import { selfCommand } from "../spawn/self_command.ts";
import { spawn } from "../spawn/spawn.ts";
import type { ChildProcess, ExitStatus } from "../spawn/types.ts";
import { checkNotImporting } from "../runtime/agent.ts";

const _MAIN = entryUrl("_internal/child/entry.ts");
/**
 * How long a child whose socket closed may take to exit before it is
 * killed: an ending child closes its socket, then drains its stdout and
 * stderr for at most 5 s (`entry.ts`), then exits.
 */
const _EXIT_GRACE_MS = 6000;

/** Options of {@linkcode startChild}. */
export interface StartChildOptions {
  /** The role module export the child runs, and its data. */
  role: ChildStart["role"];
  /** The role's start-up data (serialized with `node:v8`). */
  data: unknown;
  /** Receives each message from the child. */
  onMessage: (msg: unknown) => void;
  /** Called once when the child has exited (or could not start), with why. */
  onExit: (status: ExitStatus | null, error: unknown) => void;
}

let _server: net.Server | null = null;
let _path = "";
// On Linux the socket lives in the abstract namespace: no file is left
// behind, even by a program that was killed. Deno counts such a socket as
// network access, so without --allow-net it is a file in the temp folder.
const _ABSTRACT = nodeProcess?.platform === "linux" && socketMayBeAbstract();
let _listening: Promise<void> | null = null;
let _live = 0;
let _serial = 0;
const _waiting = new Map<string, ChildHandle>();

function _ensureServer(): Promise<void> {
  if (_listening) return _listening;
  const name = `pyconc-${pid()}-${Date.now().toString(36)}-${_serial++}`;
  _path = _ABSTRACT ? `\0${name}` : `${tempDir()}/${name}.sock`;
  const server = net.createServer((socket) => {
    // One decoder per connection: the first frame pairs it with a child;
    // the child may send more right behind its hello.
    let child: ChildHandle | null = null;
    const decoder = new FrameDecoder((msg) => {
      if (child) {
        child._receive(msg);
        return;
      }
      const hello = msg as ChildHello;
      if (hello.type !== "hello") return;
      child = _waiting.get(hello.token) ?? null;
      _waiting.delete(hello.token);
      if (!child?._attach(socket)) {
        child = null;
        socket.destroy();
      }
    });
    socket.on("data", (chunk: Uint8Array) => decoder.push(chunk));
    socket.on("error", () => {});
  });
  _server = server;
  _listening = new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(_path, () => {
      server.unref();
      resolve();
    });
  });
  return _listening;
}

function _release(): void {
  if (--_live > 0 || !_server) return;
  const server = _server;
  _server = null;
  _listening = null;
  server.close();
  if (_ABSTRACT) return;
  try {
    unlinkSync(_path);
  } catch { /* already gone */ }
}

/** A child process running a role, as its parent sees it. */
export class ChildHandle {
  /** The child's process, once spawned. */
  process: ChildProcess | null = null;
  /** Settles when the child has exited (or failed to start). */
  readonly exited: Promise<ExitStatus | null>;
  #options: StartChildOptions;
  #token: string;
  #socket: net.Socket | null = null;
  #early: Uint8Array[] = [];
  #startPath = "";
  #ref = false;
  #closed = false;
  #socketClosed = false;
  #killTimer: ReturnType<typeof setTimeout> | undefined;
  #exit!: (s: ExitStatus | null) => void;

  constructor(options: StartChildOptions) {
    checkChildPermissions();
    this.#options = options;
    this.#token = `${pid()}-${++_serial}-${
      Math.random().toString(36).slice(2)
    }`;
    this.exited = new Promise((r) => this.#exit = r);
    _live++;
    // Encoded before anything starts, so that data which cannot be sent
    // throws to the caller.
    this.#spawn(encodeFrame(
      {
        type: "start",
        id: 0,
        role: options.role,
        data: options.data,
      } satisfies ChildStart,
    ));
  }

  // Spawns at once, before the socket listens (the child retries its
  // connection until it does), so the pid is known when the constructor
  // returns and the child can run even if this thread blocks right away.
  #spawn(start: Uint8Array): void {
    let child: ChildProcess;
    try {
      const listening = _ensureServer();
      _waiting.set(this.#token, this);
      this.#startPath = `${tempDir()}/pyconc-${this.#token}.start`;
      writeFileSync(this.#startPath, start, { mode: 0o600 });
      child = spawn(
        selfCommand(_MAIN, [
          // The command line spells an abstract address's leading NUL "@".
          _path.replace(/^\0/, "@"),
          this.#token,
          String(pid()),
          this.#startPath,
        ]),
        {
          stdin: "null",
          stdout: "inherit",
          stderr: "inherit",
        },
      );
      listening.catch(() => child.kill("SIGKILL"));
    } catch (err) {
      queueMicrotask(() => this.#finish(null, err));
      return;
    }
    this.process = child;
    if (!this.#ref) child.unref();
    child.exited.then(
      (status) => this.#finish(status, null),
      (err) => this.#finish(null, err),
    );
  }

  #finish(status: ExitStatus | null, error: unknown): void {
    _waiting.delete(this.#token);
    this.#closed = true;
    clearTimeout(this.#killTimer);
    // The child removes the file when it reads it; this covers a child
    // that died before that.
    if (this.#startPath) {
      try {
        unlinkSync(this.#startPath);
      } catch { /* already read */ }
    }
    this.#socket?.destroy();
    _release();
    this.#exit(status);
    this.#options.onExit(status, error);
  }

  /**
   * @internal Called by the server when this child has said hello.
   * @returns `false` when this handle no longer wants the connection.
   */
  _attach(socket: net.Socket): boolean {
    if (this.#closed) return false;
    this.#socket = socket;
    socket.on("close", () => {
      this.#socketClosed = true;
      // The exit status follows from the process; make sure it comes. The
      // timer is unref'd: a child the program does not wait for watches
      // its parent itself.
      if (this.#closed) return;
      this.#killTimer = setTimeout(() => this.kill(), _EXIT_GRACE_MS);
      unrefTimer(this.#killTimer);
    });
    if (!this.#ref) socket.unref();
    for (const f of this.#early.splice(0)) socket.write(f);
    return true;
  }

  /** @internal Called by the server with each later message of this child. */
  _receive(msg: unknown): void {
    this.#options.onMessage(msg);
  }

  /** Sends a message; throws at once when it cannot be serialized. */
  send(msg: unknown): void {
    const frame = encodeFrame(msg);
    if (this.#closed) return;
    if (this.#socket) this.#socket.write(frame);
    else this.#early.push(frame);
  }

  /** Lets the child keep the program alive. */
  ref(): void {
    if (this.#ref) return;
    this.#ref = true;
    this.process?.ref();
    this.#socket?.ref();
  }

  /** Stops the child from keeping the program alive. */
  unref(): void {
    if (!this.#ref) return;
    this.#ref = false;
    this.process?.unref();
    this.#socket?.unref();
  }

  /** Kills the child with SIGKILL. */
  kill(): void {
    this.process?.kill("SIGKILL");
  }

  /**
   * Stops the child: asks it to exit (or with `force`, kills it) and waits
   * until it has. A child that has not closed its socket within a second
   * is killed; one that has is writing out its last output (see
   * `_EXIT_GRACE_MS`).
   */
  async stop(force = false): Promise<void> {
    this.ref(); // stay alive until the exit is seen
    if (force || !this.#socket) {
      this.kill();
    } else {
      this.send({ type: "stop", id: 0 } satisfies ChildStop);
      this.#socket.end();
    }
    const timer = setTimeout(() => {
      if (!this.#socketClosed) this.kill();
    }, 1000);
    await this.exited;
    clearTimeout(timer);
  }
}

/** Starts a child process running `options.role`. */
export function startChild(options: StartChildOptions): ChildHandle {
  checkNotImporting("process");
  return new ChildHandle(options);
}
