// A child for spawn_test.ts: prints its last argument, a colon, and stdin.
import process from "node:process";

let input = "";
const dec = new TextDecoder();
for await (const c of process.stdin) {
  input += dec.decode(c as Uint8Array, { stream: true });
}
process.stdout.write(`${process.argv.at(-1)}:${input}`);
