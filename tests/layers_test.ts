/**
 * Keeps the architecture of docs/architecture.md true: `_internal/` is a
 * stack of layer folders, a layer imports only itself and the layers below
 * it, and nothing under `_internal/` imports a module folder.
 *
 * @module
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, normalize, relative } from "node:path";
import { fileURLToPath } from "node:url";

/** The layers of `_internal/`, lowest first. */
const LAYERS = [
  "core",
  "runtime",
  "spawn",
  "sync",
  "share",
  "shm",
  "thread",
  "pool",
  "child",
  "mp",
] as const;

const ROOT = normalize(join(dirname(fileURLToPath(import.meta.url)), ".."));

/**
 * Every relative module a file names: imports, exports, `import()`, and the
 * entry modules it starts (`new URL("./x.ts", ...)`, `entryUrl("./x.ts", ...)`).
 */
function relativeSpecifiers(source: string): string[] {
  const found: string[] = [];
  const code = source.replace(/\/\*[\s\S]*?\*\//g, "").replace(
    /^\s*\/\/.*$/gm,
    "",
  );
  const patterns = [
    /\bfrom\s+["'](\.{1,2}\/[^"']+)["']/g,
    /\bimport\s*\(\s*["'](\.{1,2}\/[^"']+)["']/g,
    /\bimport\s+["'](\.{1,2}\/[^"']+)["']/g,
    /\bnew URL\(\s*["'](\.{1,2}\/[^"']+\.[jt]s)["']/g,
  ];
  for (const p of patterns) {
    for (const m of code.matchAll(p)) found.push(m[1]);
  }
  return found;
}

/** The library files a file starts by their root-relative path (`entryUrl`). */
function entrySpecifiers(source: string): string[] {
  const code = source.replace(/\/\*[\s\S]*?\*\//g, "");
  return [...code.matchAll(/\bentryUrl\(\s*["']([^"']+)["']/g)].map((m) =>
    m[1]
  );
}

/** One import, with both ends relative to the project root. */
interface Edge {
  from: string;
  to: string;
}

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(join(ROOT, dir), { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...sourceFiles(p));
    else if (/\.(ts|js|mjs)$/.test(e.name)) out.push(p);
  }
  return out;
}

function edgesOf(files: string[], read: (f: string) => string): Edge[] {
  const edges: Edge[] = [];
  for (const from of files) {
    for (const spec of relativeSpecifiers(read(from))) {
      edges.push({ from, to: normalize(join(dirname(from), spec)) });
    }
    for (const path of entrySpecifiers(read(from))) {
      edges.push({ from, to: normalize(path) });
    }
  }
  return edges;
}

/** The layer index of a path under `_internal/`, or -1 outside any layer. */
function layerOf(path: string): number {
  const parts = relative("_internal", path).split(/[\\/]/);
  if (parts.length < 2 || parts[0] === "..") return -1;
  return LAYERS.indexOf(parts[0] as typeof LAYERS[number]);
}

/** What is wrong with a set of imports, one line per broken rule. */
function violations(files: string[], edges: Edge[]): string[] {
  const problems: string[] = [];
  for (const f of files) {
    if (f.startsWith("_internal") && layerOf(f) < 0) {
      problems.push(`${f} is not inside a layer folder of _internal/`);
    }
  }
  for (const { from, to } of edges) {
    if (!from.startsWith("_internal")) continue;
    if (!to.startsWith("_internal")) {
      problems.push(`${from} imports ${to}, outside _internal/`);
      continue;
    }
    const a = layerOf(from);
    const b = layerOf(to);
    if (b > a) {
      problems.push(
        `${from} (layer ${LAYERS[a]}) imports ${to} (higher layer ${
          LAYERS[b]
        })`,
      );
    }
  }
  return problems;
}

describe("architecture", () => {
  it("every file of _internal/ sits in a layer and imports only downwards", () => {
    const files = sourceFiles("_internal");
    assert.ok(files.length > 30, `found only ${files.length} files`);
    const edges = edgesOf(files, (f) => readFileSync(join(ROOT, f), "utf8"));
    assert.ok(edges.length > 50, `found only ${edges.length} imports`);
    assert.deepEqual(violations(files, edges), []);
  });

  it("every layer folder is one of the known layers, each with a README", () => {
    const folders = readdirSync(join(ROOT, "_internal"), {
      withFileTypes: true,
    }).filter((e) => e.isDirectory()).map((e) => e.name).sort();
    assert.deepEqual(folders, [...LAYERS].sort());
    for (const layer of LAYERS) {
      const readme = readFileSync(
        join(ROOT, "_internal", layer, "README.md"),
        "utf8",
      );
      assert.match(readme, /May import/, `_internal/${layer}/README.md`);
    }
  });

  it("the check catches an upward import, a module import and a stray file", () => {
    const sources: Record<string, string> = {
      "_internal/core/errors.ts": 'import { x } from "../mp/client.ts";',
      "_internal/share/codec.ts": 'await import("../../threading/mod.ts");',
      "_internal/pool/runner.ts":
        'const u = new URL("../child/entry.ts", import.meta.url);',
      "_internal/thread/entry.ts":
        'startWorker(entryUrl("_internal/mp/x.ts"));',
      "_internal/sync/wait.ts": 'entryUrl("multiprocessing/_process_role.ts");',
      "_internal/mp/client.ts": 'import "../core/errors.ts";',
      "_internal/stray.ts": "",
    };
    const files = Object.keys(sources);
    const found = violations(files, edgesOf(files, (f) => sources[f]));
    assert.deepEqual(found, [
      "_internal/stray.ts is not inside a layer folder of _internal/",
      "_internal/core/errors.ts (layer core) imports _internal/mp/client.ts (higher layer mp)",
      "_internal/share/codec.ts imports threading/mod.ts, outside _internal/",
      "_internal/pool/runner.ts (layer pool) imports _internal/child/entry.ts (higher layer child)",
      "_internal/thread/entry.ts (layer thread) imports _internal/mp/x.ts (higher layer mp)",
      "_internal/sync/wait.ts imports multiprocessing/_process_role.ts, outside _internal/",
    ]);
  });
});
