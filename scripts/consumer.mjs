#!/usr/bin/env node
// The consumer check: builds the package as users get it and runs a program
// that lives outside the repo and imports the library only by its published
// names (scripts/consumer/app.ts), comparing what it prints with
// scripts/consumer/expected.txt:
//   (a) Deno, the checkout served over HTTP on 127.0.0.1 (as jsr: serves
//       https URLs), imported through an import map, with the README's
//       permissions plus --allow-import for the server, not -A;
//   (b) Bun, JSR's npm form (scripts/npm_form.mjs) in a scratch node_modules;
//   (c) a `bun build --compile` binary of the same program;
//   (d) Deno, a parent with a restricted allow-list whose process-pool child
//       is denied what the parent is denied, and given what the parent holds
//       in full (scripts/consumer/perm_app.ts);
//   (e) Deno, threads, queues, a thread pool and sched with no permission but
//       the import (threads_app.ts), multiprocessing with --allow-ffi, and
//       the first program again with the server gone (the module cache).
// Prints one "ok"/"FAILED" line per case and ends with "N passed, N failed".
// Usage: node scripts/consumer.mjs
import { spawn, spawnSync } from "node:child_process";
import {
  cpSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { extname, join, normalize } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const bin = (name) => join(root, "node_modules", ".bin", name);
const here = join(root, "scripts", "consumer");
const scratch = mkdtempSync(join(tmpdir(), "pyconc-consumer-"));
const temp = (process.env.TMPDIR || "/tmp").replace(/(.)\/+$/, "$1");

const TYPES = { ".ts": "application/typescript", ".js": "text/javascript" };
const server = createServer((req, res) => {
  const path = normalize(
    decodeURIComponent(new URL(req.url, "http://x").pathname),
  );
  try {
    const body = readFileSync(join(root, path));
    res.writeHead(200, {
      "content-type": TYPES[extname(path)] ?? "application/octet-stream",
    });
    res.end(body);
  } catch {
    res.writeHead(404).end();
  }
});
await new Promise((r) => server.listen(0, "127.0.0.1", r));
const host = `127.0.0.1:${server.address().port}`;

let passed = 0;
let failed = 0;

/** Runs a command without blocking (the HTTP server must keep serving). */
function spawnAsync(cmd, args, options) {
  return new Promise((resolve) => {
    const p = spawn(cmd, args, {
      ...options,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    p.stdout.on("data", (d) => out += d);
    p.stderr.on("data", (d) => err += d);
    const timer = setTimeout(() => p.kill("SIGKILL"), 180_000);
    p.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, out, err });
    });
  });
}

async function check(label, expectedFile, cmd, args, options) {
  const t0 = Date.now();
  const r = await spawnAsync(cmd, args, options);
  const want = readFileSync(join(here, expectedFile), "utf8").trimEnd();
  const got = r.out.trimEnd();
  const secs = ((Date.now() - t0) / 1000).toFixed(1);
  if (r.code === 0 && got === want) {
    passed++;
    console.log(`ok     ${label} (${secs} s)`);
    return;
  }
  failed++;
  console.log(`FAILED ${label} (exit ${r.code ?? r.signal}, ${secs} s)`);
  console.log(`  command: ${cmd} ${args.join(" ")}`);
  console.log(`  expected:\n${want.replace(/^/gm, "    ")}`);
  console.log(`  got:\n${got.replace(/^/gm, "    ")}`);
  console.log(
    `  stderr:\n${r.err.trimEnd().slice(-4000).replace(/^/gm, "    ")}`,
  );
}

try {
  // (a) and (d): Deno over HTTP, a fresh module cache, no -A.
  const denoDir = join(scratch, "deno");
  cpSync(here, denoDir, { recursive: true });
  const exports = JSON.parse(readFileSync(join(root, "deno.json"), "utf8"))
    .exports;
  const imports = {};
  for (const [key, path] of Object.entries(exports)) {
    imports[`@pyconc/pyconc${key === "." ? "" : key.slice(1)}`] =
      `http://${host}/${path.replace(/^\.\//, "")}`;
  }
  writeFileSync(
    join(denoDir, "import_map.json"),
    JSON.stringify({ imports }, null, 2),
  );
  const denoEnv = {
    ...process.env,
    NO_COLOR: "1",
    DENO_DIR: join(scratch, "deno_cache"),
  };
  const denoExe = spawnSync(bin("deno"), [
    "eval",
    "console.log(Deno.execPath())",
  ], {
    encoding: "utf8",
  }).stdout.trim();
  // What the README asks of a program using process pools and multiprocessing.
  const processes = [
    "--allow-run",
    "--allow-net",
    `--allow-read=${temp}`,
    `--allow-write=${temp}`,
  ];
  const deno = (label, expected, flags, script) =>
    check(label, expected, bin("deno"), [
      "run",
      "--no-prompt",
      "--no-check",
      "--import-map=import_map.json",
      `--allow-import=${host}`,
      ...flags,
      script,
    ], { cwd: denoDir, env: denoEnv });

  await deno(
    "deno, served over HTTP, README permissions",
    "expected.txt",
    processes,
    "app.ts",
  );
  await deno(
    "deno, threads and pools with no permission but the import",
    "threads_expected.txt",
    [],
    "threads_app.ts",
  );
  await deno(
    "deno, multiprocessing in shared memory (--allow-ffi)",
    "expected.txt",
    [...processes, "--allow-ffi"],
    "app.ts",
  );
  await deno(
    "deno, children denied what the parent is denied",
    "perm_expected.txt",
    [`--allow-run=${denoExe}`, ...processes.slice(1)],
    "perm_app.ts",
  );
  await deno(
    "deno, children get what the parent holds in full",
    "perm_granted_expected.txt",
    [
      `--allow-run=${denoExe}`,
      "--allow-net",
      "--allow-read",
      "--allow-env",
      `--allow-write=${temp}`,
    ],
    "perm_app.ts",
  );
  // Children load the library from the parent's module cache (DENO_DIR):
  // with the server gone, the same program still runs.
  await new Promise((r) => server.close(r));
  await deno(
    "deno, offline from the module cache",
    "expected.txt",
    processes,
    "app.ts",
  );

  // (b) and (c): JSR's npm form in a scratch node_modules, on Bun.
  const bunDir = join(scratch, "bun");
  cpSync(join(here, "app.ts"), join(bunDir, "app.ts"));
  writeFileSync(join(bunDir, "package.json"), '{ "type": "module" }\n');
  const form = spawnSync(bin("bun"), [
    join(root, "scripts", "npm_form.mjs"),
    join(bunDir, "node_modules", "@pyconc", "pyconc"),
  ], { encoding: "utf8" });
  if (form.status !== 0) throw new Error(`npm form: ${form.stderr}`);
  await check("bun, JSR's npm form", "expected.txt", bin("bun"), ["app.ts"], {
    cwd: bunDir,
  });
  const build = spawnSync(bin("bun"), [
    "build",
    "--compile",
    "app.ts",
    "--outfile",
    "app-bin",
  ], { cwd: bunDir, encoding: "utf8" });
  if (build.status !== 0) {
    failed++;
    console.log(`FAILED bun build --compile:\n${build.stdout}${build.stderr}`);
  } else {
    await check(
      "bun build --compile binary",
      "expected.txt",
      join(bunDir, "app-bin"),
      [],
      {
        cwd: bunDir,
      },
    );
  }
} finally {
  if (server.listening) server.close();
  rmSync(scratch, { recursive: true, force: true });
}
console.log(`\n${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
