// Fixture for popen_fds_test.ts: starts many Popens with an unread stdout
// pipe, with `await using` and without (references dropped, then a forced
// collection), and prints the number of this process's open descriptors at
// each step as one JSON line. Run with `deno run --v8-flags=--expose-gc` or
// `bun` (which has `Bun.gc(true)`).
import { readdirSync } from "node:fs";
import { PIPE, Popen } from "../../subprocess/mod.ts";

// deno-lint-ignore no-explicit-any
const g = globalThis as any;
const n = Number(g.Deno ? g.Deno.args[0] : g.process.argv[2]) || 200;

function fds(): number {
  return readdirSync("/proc/self/fd").length;
}

function collect(): void {
  if (g.Bun) g.Bun.gc(true);
  else g.gc();
}

const tick = () => new Promise((r) => setTimeout(r, 10));

/** Collects until the count stops falling (finalizers run in later tasks). */
async function settle(): Promise<number> {
  let best = fds();
  for (let i = 0, still = 0; i < 100 && still < 5; i++) {
    collect();
    await tick();
    const now = fds();
    if (now < best) best = now, still = 0;
    else still++;
  }
  return best;
}

async function plain(): Promise<void> {
  for (let i = 0; i < n; i++) {
    const p = new Popen(["echo", "x"], { stdout: PIPE });
    await p.wait();
  }
}

async function withUsing(): Promise<void> {
  for (let i = 0; i < n; i++) {
    await using p = new Popen(["echo", "x"], { stdout: PIPE });
    await p.wait();
  }
}

async function textUnread(): Promise<void> {
  for (let i = 0; i < n; i++) {
    const p = new Popen<string>(["sh", "-c", "echo x; echo y >&2"], {
      stdin: PIPE,
      stdout: PIPE,
      stderr: PIPE,
      text: true,
    });
    void p.stdout; // the stream was made, but nobody reads it
    await p.wait();
  }
}

/** A stream kept after its Popen is dropped must stay readable. */
function keptStream(): [ReadableStream<Uint8Array>, WeakRef<object>] {
  const p = new Popen(["echo", "kept"], { stdout: PIPE });
  return [p.stdout!, new WeakRef(p)];
}

await tick();
const [kept, keptPopen] = keptStream();
await settle();
const keptCollected = keptPopen.deref() === undefined;
const keptText = await new Response(kept).text();
const start = await settle();
await withUsing();
const afterUsing = fds();
await plain();
const plainBeforeGc = fds();
const afterPlain = await settle();
await textUnread();
const afterText = await settle();
console.log(
  JSON.stringify({
    n,
    start,
    afterUsing,
    plainBeforeGc,
    afterPlain,
    afterText,
    kept: keptText,
    keptCollected,
  }),
);
