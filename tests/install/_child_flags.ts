// Prints the flags a Deno child of this program would get (for
// deno_flags_test.ts).
import { denoChildFlags } from "../../_internal/spawn/deno_flags.ts";

console.log(JSON.stringify(denoChildFlags({
  read: ["/tmp", "/etc"],
  write: ["/tmp"],
  import: ["127.0.0.1:1", "jsr.io"],
})));
