#!/usr/bin/env node
// The tour: runs every program in examples/ on Deno and on Bun, in name
// order, printing what each one prints. Usage: node scripts/tour.mjs [name filter]
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
process.chdir(root);
const bin = (name) => join(root, "node_modules", ".bin", name);
if (!existsSync(bin("deno")) || !existsSync(bin("bun"))) {
  console.log("installing dev dependencies (npm ci)");
  execFileSync("npm", ["ci", "--no-audit", "--no-fund"], { stdio: "inherit" });
}
const filter = process.argv[2] ?? "";
const examples = readdirSync("examples").filter((f) =>
  f.endsWith(".ts") && f.includes(filter)
).sort();
let failed = 0;
for (const file of examples) {
  const path = join("examples", file);
  const summary = readFileSync(path, "utf8").match(/^\/\/ (.*)$/m)?.[1] ?? "";
  for (
    const [name, cmd, args] of [["deno", bin("deno"), ["run", "-A", path]], [
      "bun",
      bin("bun"),
      [path],
    ]]
  ) {
    console.log(`\n### ${file} on ${name}${summary ? ` - ${summary}` : ""}`);
    const t0 = Date.now();
    const r = spawnSync(cmd, args, { stdio: "inherit", timeout: 120_000 });
    const secs = ((Date.now() - t0) / 1000).toFixed(2);
    if (r.status !== 0) {
      failed++;
      console.log(
        `!!! ${file} on ${name} failed (exit ${
          r.status ?? r.signal
        }) after ${secs} s`,
      );
    } else console.log(`(${secs} s)`);
  }
}
console.log(
  `\ntour: ${examples.length * 2 - failed} runs ok, ${failed} failed`,
);
process.exit(failed ? 1 : 0);
