#!/usr/bin/env node
// Runs every check and every test on Deno and on Bun, the consumer check
// (the package as users install it), then proves that no worker process or
// child process was left running. Ends with the line
// "N passed, N failed". Usage: node scripts/test.mjs [test files or folders]
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
process.chdir(root);
const bin = (name) => join(root, "node_modules", ".bin", name);
if (!existsSync(bin("deno")) || !existsSync(bin("bun"))) {
  console.log("installing dev dependencies (npm ci)");
  execFileSync("npm", ["ci", "--no-audit", "--no-fund"], { stdio: "inherit" });
}
const env = {
  ...process.env,
  NO_COLOR: "1",
  PYCONC_TEST_RUN: String(process.pid),
};
const publicModules = [
  "mod.ts",
  ...[
    "threading",
    "queue",
    "futures",
    "subprocess",
    "sched",
    "multiprocessing",
    "multiprocessing/dummy",
  ]
    .map((m) => `${m}/mod.ts`)
    .filter((f) => existsSync(f)),
];
const targets = process.argv.slice(2);
const quick = targets.length > 0;

let passed = 0;
let failed = 0;
const failures = [];

function run(label, cmd, args, parse) {
  const t0 = Date.now();
  console.log(`\n=== ${label}: ${cmd.replace(root, "")} ${args.join(" ")}`);
  const r = spawnSync(cmd, args, {
    env,
    encoding: "utf8",
    maxBuffer: 1 << 28,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const out = (r.stdout ?? "") + (r.stderr ?? "");
  process.stdout.write(out);
  const counts = parse
    ? parse(out)
    : { pass: r.status === 0 ? 1 : 0, fail: r.status === 0 ? 0 : 1 };
  if (r.status !== 0 && counts.fail === 0) counts.fail = 1;
  passed += counts.pass;
  failed += counts.fail;
  if (counts.fail) failures.push(label);
  console.log(
    `--- ${label}: ${counts.pass} passed, ${counts.fail} failed (${
      ((Date.now() - t0) / 1000).toFixed(1)
    } s)`,
  );
}

function parseDeno(out) {
  // "ok | 3 passed (12 steps) | 0 failed" or "FAILED | 2 passed (5 steps) | 1 failed (2 steps)"
  const m = out.match(
    /\|\s*(\d+) passed(?: \((\d+) steps?\))?\s*\|\s*(\d+) failed(?: \((\d+) steps?\))?/g,
  );
  if (!m) return { pass: 0, fail: 1 };
  const last = m[m.length - 1].match(
    /(\d+) passed(?: \((\d+) steps?\))?\s*\|\s*(\d+) failed(?: \((\d+) steps?\))?/,
  );
  const pass = Number(last[2] ?? last[1]);
  const fail = Number(last[4] ?? last[3]);
  return { pass, fail };
}

function parseBun(out) {
  const p = out.match(/^\s*(\d+) pass$/m);
  const f = out.match(/^\s*(\d+) fail$/m);
  if (!p) return { pass: 0, fail: 1 };
  return { pass: Number(p[1]), fail: Number(f?.[1] ?? 0) };
}

function testFiles() {
  const found = [];
  const walk = (dir) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith("_test.ts")) found.push(p);
    }
  };
  walk("tests");
  return found.sort();
}

function leftovers() {
  // Every process started under this run carries PYCONC_TEST_RUN in its
  // environment; any that is still alive now was leaked by a test.
  const mine = [];
  for (const p of readdirSync("/proc")) {
    if (!/^\d+$/.test(p) || Number(p) === process.pid) continue;
    try {
      const environ = execFileSync("cat", [`/proc/${p}/environ`], {
        encoding: "latin1",
        stdio: ["ignore", "pipe", "ignore"],
      });
      if (environ.includes(`PYCONC_TEST_RUN=${process.pid}\0`)) {
        const cmdline = execFileSync("cat", [`/proc/${p}/cmdline`], {
          encoding: "latin1",
        }).replaceAll("\0", " ");
        mine.push(`${p}: ${cmdline}`);
      }
    } catch { /* gone already */ }
  }
  return mine;
}

if (!quick) {
  run("deno fmt", bin("deno"), ["fmt", "--check"]);
  run("deno lint", bin("deno"), ["lint"]);
  run("deno check", bin("deno"), ["check", "."]);
  run("deno doc --lint", bin("deno"), ["doc", "--lint", ...publicModules]);
  run("deno publish --dry-run", bin("deno"), [
    "publish",
    "--dry-run",
    "--allow-dirty",
  ]);
}
const files = quick ? targets : testFiles();
run(
  "deno test",
  bin("deno"),
  ["test", "-A", "--no-check", ...files],
  parseDeno,
);
run("bun test", bin("bun"), [
  "test",
  "--timeout",
  "60000",
  ...files.map((f) => f.startsWith(".") || f.startsWith("/") ? f : `./${f}`),
], parseBun);

if (!quick) {
  // The library as users get it: jsr-style URLs on Deno, the npm form on Bun,
  // a compiled binary, and children's permissions (scripts/consumer.mjs).
  run("consumer check", process.execPath, ["scripts/consumer.mjs"], (out) => {
    const m = out.match(/^(\d+) passed, (\d+) failed$/m);
    return m
      ? { pass: Number(m[1]), fail: Number(m[2]) }
      : { pass: 0, fail: 1 };
  });
}

const leaked = leftovers();
console.log(`\n=== leak check: ${leaked.length} process(es) left running`);
if (leaked.length) {
  for (const l of leaked) console.log("  leaked " + l);
  failed += 1;
  failures.push("leak check");
  for (const l of leaked) {
    try {
      process.kill(Number(l.split(":")[0]), "SIGKILL");
    } catch { /* ignore */ }
  }
} else passed += 1;

if (failures.length) console.log(`\nfailed: ${failures.join(", ")}`);
console.log(`\n${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
