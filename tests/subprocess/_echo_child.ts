// A child for spawn_test.ts: prints its first argument, a colon, and stdin.
import process from "node:process";

const chunks: Uint8Array[] = [];
for await (const c of process.stdin) chunks.push(c as Uint8Array);
const input = new TextDecoder().decode(
  chunks.length
    ? new Uint8Array(await new Blob(chunks).arrayBuffer())
    : new Uint8Array(0),
);
process.stdout.write(`${process.argv.at(-1)}:${input}`);
