#!/usr/bin/env node
// Runs the benchmarks: every bench/*_compare.ts under Deno and under Bun
// (each compares against its baselines and peers in the same run), then
// `deno bench` over bench/*_bench.ts. Usage: node scripts/bench.mjs [name filter]
// Results are recorded by hand in bench/RESULTS.md with the machine's load.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
process.chdir(root);
const bin = (name) => join(root, "node_modules", ".bin", name);
if (!existsSync(bin("deno")) || !existsSync(bin("bun"))) {
  execFileSync("npm", ["ci", "--no-audit", "--no-fund"], { stdio: "inherit" });
}
const filter = process.argv[2] ?? "";
const files = readdirSync("bench").filter((f) => f.includes(filter)).sort();
let failed = 0;
const step = (label, cmd, args) => {
  console.log(`\n### ${label}`);
  const r = spawnSync(cmd, args, { stdio: "inherit" });
  if (r.status !== 0) {
    failed++;
    console.log(`!!! ${label} failed (exit ${r.status ?? r.signal})`);
  }
};
for (const f of files.filter((f) => f.endsWith("_compare.ts"))) {
  // --expose-gc lets a runner collect garbage between timed runs, as on Bun.
  step(`${f} on deno`, bin("deno"), [
    "run",
    "-A",
    "--v8-flags=--expose-gc",
    join("bench", f),
  ]);
  step(`${f} on bun`, bin("bun"), [join("bench", f)]);
}
const benches = files.filter((f) => f.endsWith("_bench.ts")).map((f) =>
  join("bench", f)
);
if (benches.length) {
  step("deno bench", bin("deno"), ["bench", "-A", "--no-check", ...benches]);
}
process.exit(failed ? 1 : 0);
