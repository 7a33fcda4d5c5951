// Builds the package as JSR's npm layer serves it to Bun and Node users: every
// published .ts file transpiled to .js at the same path, the specifiers of
// imports and exports rewritten from .ts to .js (other strings left alone, as
// JSR leaves them), and a package.json whose `exports` come from deno.json's.
// Usage: bun scripts/npm_form.mjs OUT_DIR (Bun: it uses Bun's transpiler)
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";

const root = join(import.meta.dir, "..");
const out = process.argv[2];
if (!out) throw new Error("usage: bun scripts/npm_form.mjs OUT_DIR");

const config = JSON.parse(readFileSync(join(root, "deno.json"), "utf8"));
const excluded = (config.publish?.exclude ?? []).map((p) =>
  p.replace(/\/$/, "")
);

function published(dir) {
  const files = [];
  for (const e of readdirSync(join(root, dir), { withFileTypes: true })) {
    const rel = dir ? `${dir}/${e.name}` : e.name;
    if (e.name.startsWith(".") || excluded.includes(rel)) continue;
    if (e.isDirectory()) files.push(...published(rel));
    else if (e.name.endsWith(".ts") && !e.name.endsWith(".d.ts")) {
      files.push(rel);
    }
  }
  return files;
}

const toJs = (spec) => spec.replace(/\.ts$/, ".js");
const transpiler = new Bun.Transpiler({ loader: "ts", target: "bun" });
const specifier =
  /(\bfrom\s*|\bimport\s*\(\s*|\bimport\s*|\bexport\s*\*\s*from\s*)(["'])(\.{1,2}\/[^"']+\.ts)\2/g;

const files = published("");
for (const file of files) {
  const js = transpiler.transformSync(readFileSync(join(root, file), "utf8"))
    .replace(specifier, (_m, lead, q, spec) => `${lead}${q}${toJs(spec)}${q}`);
  const target = join(out, toJs(file));
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, js);
}

const exports = {};
for (
  const [name, path] of Object.entries(config.exports)
) {
  exports[name] = `./${relative(".", toJs(path))}`;
}
writeFileSync(
  join(out, "package.json"),
  JSON.stringify(
    {
      name: config.name,
      version: config.version,
      type: "module",
      exports,
    },
    null,
    2,
  ) + "\n",
);
console.log(`npm form: ${files.length} files in ${out}`);
