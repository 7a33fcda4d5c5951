/**
 * The bootstrap of a child process started by this library with
 * `selfCommand(entry.ts, [socketPath, token, parentPid, startPath])`:
 * reads (and removes) the {@linkcode ChildStart} the parent left in
 * `startPath`, connects to the parent's socket, says hello, imports
 * the role module named there and runs its export with a
 * {@linkcode ChildChannel}. The child exits when the parent says "stop" or
 * its socket closes (the parent exited or dropped it), so no child outlives
 * its parent; what it wrote to stdout and stderr goes out first.
 *
 * @module
 */
import net from "node:net";
import { readFileSync, unlinkSync } from "node:fs";
import {
  type ChildHello,
  type ChildStart,
  encodeFrame,
  FrameDecoder,
} from "./protocol.ts";
import {
  exit,
  nodeProcess,
  pid,
  ppid,
  processAlive,
  runtime,
  unrefTimer,
} from "../runtime/adapter.ts";
import { importEntry } from "../runtime/entry.ts";

/** What a role module receives: the child's end of the conversation. */
export interface ChildChannel {
  /** Sends a message to the parent; throws when it cannot be serialized. */
  send(msg: unknown): void;
  /** Receives every later message from the parent (earlier ones are kept until set). */
  onMessage(handler: (msg: unknown) => void): void;
  /** Ends the conversation; the child exits once the socket is flushed. */
  close(code?: number): void;
}

/** The signature of a role module's export. */
export type ChildRole = (
  channel: ChildChannel,
  data: unknown,
) => void | Promise<void>;

const [socketPath, token, parentArg, startPath] = (nodeProcess.argv as string[])
  .slice(2);
if (!socketPath || !token || !startPath) {
  throw new Error(
    "child/entry.ts needs a socket path, a token, the parent's pid and a start file",
  );
}

const address = socketPath.startsWith("@")
  ? `\0${socketPath.slice(1)}`
  : socketPath;
let socket: net.Socket;
let connected = false;
let attempts = 0;
/** Frames sent before the connection is up. */
const unsent: Uint8Array[] = [];
let handler: ((msg: unknown) => void) | null = null;
const early: unknown[] = [];
let closing: number | null = null;

const channel: ChildChannel = {
  send(msg) {
    const frame = encodeFrame(msg);
    if (connected) socket.write(frame);
    else unsent.push(frame);
  },
  onMessage(h) {
    handler = h;
    for (const m of early.splice(0)) h(m);
  },
  close(code = 0) {
    if (closing !== null) return;
    closing = code;
    if (connected) socket.end(() => finish(code));
    // If the parent is gone (or blocked) the flush may never finish.
    setTimeout(() => finish(code), 1000).unref?.();
  },
};

/**
 * The longest an ending child waits for its stdout and stderr to drain;
 * `parent.ts` kills a child whose socket closed a second later than this.
 */
const _FLUSH_MS = 5000;
let finishing = false;

/** Exits with `code` once what this process wrote to stdout and stderr is out. */
function finish(code: number): void {
  if (finishing) return;
  finishing = true;
  void flushStdio().then(() => exit(code));
}

/**
 * Waits, at most `_FLUSH_MS`, until stdout and stderr hold nothing
 * unwritten. Bun's `process.stdout` and `stderr` keep what a pipe's reader
 * has not taken yet in a buffer that `writableLength` does not show and
 * `exit()` drops; ending a stream waits for it (the process exits right
 * after, so nothing writes to them again). Deno writes synchronously.
 */
function flushStdio(): Promise<void> {
  if (runtime !== "bun") return Promise.resolve();
  return new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, _FLUSH_MS);
    let left = 1;
    const one = () => {
      if (--left > 0) return;
      clearTimeout(timer);
      resolve();
    };
    for (const stream of [nodeProcess.stdout, nodeProcess.stderr]) {
      if (!stream || stream.writableEnded || stream.destroyed) continue;
      left++;
      // A reader that went away fails the stream: nothing left to wait for.
      stream.on("error", () => {});
      stream.end(one);
    }
    one();
  });
}

async function start(msg: ChildStart): Promise<void> {
  const mod = await importEntry(msg.role.module) as Record<string, unknown>;
  const role = mod[msg.role.name] as ChildRole;
  if (typeof role !== "function") {
    throw new TypeError(
      `child role ${msg.role.name} not found in ${msg.role.module}`,
    );
  }
  await role(channel, msg.data);
}

function readStart(): ChildStart {
  const frames: unknown[] = [];
  new FrameDecoder((m) => frames.push(m)).push(readFileSync(startPath));
  unlinkSync(startPath);
  const m = frames[0] as ChildStart | undefined;
  if (frames.length !== 1 || m?.type !== "start") {
    throw new Error(`no start message in ${startPath}`);
  }
  return m;
}

const decoder = new FrameDecoder((msg) => {
  const m = msg as { type: string };
  if (m.type === "stop") {
    channel.close(0);
    return;
  }
  if (handler) handler(msg);
  else early.push(msg);
});

// A child inherits the parent's listening socket on some runtimes: if the
// parent dies before this child connects, the connection lands in the
// child's own copy of the listener and nothing ever closes it. Watch the
// parent instead of trusting the socket alone.
// The parent passes its pid: if it died before this child even started,
// ppid() already names whoever adopted the orphan.
const parentPid = Number(parentArg) || ppid();
unrefTimer(setInterval(() => {
  if (!processAlive(parentPid) || ppid() !== parentPid) finish(0);
}, 500));

// The parent spawns this child before its socket listens: retry while
// the connection is refused.
function connect(): void {
  const s = net.connect(address);
  socket = s;
  s.on("connect", () => {
    connected = true;
    for (const f of unsent.splice(0)) s.write(f);
    if (closing !== null) {
      const code = closing;
      s.end(() => finish(code));
    }
  });
  s.on("data", (chunk: Uint8Array) => decoder.push(chunk));
  s.on("error", (err: { code?: string }) => {
    if (
      !connected && attempts++ < 5000 &&
      (err.code === "ECONNREFUSED" || err.code === "ENOENT")
    ) {
      s.destroy();
      setTimeout(connect, Math.min(attempts, 10));
      return;
    }
    finish(closing ?? 0);
  });
  s.on("close", () => {
    if (connected) finish(closing ?? 0);
  });
}

connect();
channel.send(
  { type: "hello", id: 0, token, pid: pid() } satisfies ChildHello,
);
try {
  const msg = readStart();
  start(msg).catch((err) => {
    console.error("pyconc child failed to start:", err);
    finish(70);
  });
} catch (err) {
  console.error("pyconc child failed to start:", err);
  finish(70);
}
