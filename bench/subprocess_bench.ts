// deno bench -A bench/subprocess_bench.ts
// Latency of run(["true"]) and checkOutput(["echo", "hi"]), async and sync,
// each beside the raw Deno.Command call doing the same work, and a 100 MB
// pipe. Deno only (Deno.bench); bench/subprocess_compare.ts covers Bun and
// CPython too.
import {
  checkOutput,
  checkOutputSync,
  PIPE,
  run,
  runSync,
} from "../subprocess/mod.ts";

const inherit = {
  stdin: "inherit",
  stdout: "inherit",
  stderr: "inherit",
} as const;

Deno.bench("raw Deno.Command(true).spawn().status", {
  group: "true",
  baseline: true,
}, async () => {
  await new Deno.Command("true", inherit).spawn().status;
});
Deno.bench('run(["true"])', { group: "true" }, async () => {
  await run(["true"]);
});

Deno.bench("raw Deno.Command(true).outputSync()", {
  group: "trueSync",
  baseline: true,
}, () => {
  new Deno.Command("true", inherit).outputSync();
});
Deno.bench('runSync(["true"])', { group: "trueSync" }, () => {
  runSync(["true"]);
});

const echo = {
  args: ["hi"],
  stdout: "piped" as const,
  stderr: "inherit" as const,
};
Deno.bench("raw Deno.Command(echo hi).output()", {
  group: "echo",
  baseline: true,
}, async () => {
  (await new Deno.Command("echo", echo).output()).stdout;
});
Deno.bench('checkOutput(["echo", "hi"])', { group: "echo" }, async () => {
  await checkOutput(["echo", "hi"]);
});

Deno.bench("raw Deno.Command(echo hi).outputSync()", {
  group: "echoSync",
  baseline: true,
}, () => {
  new Deno.Command("echo", echo).outputSync().stdout;
});
Deno.bench('checkOutputSync(["echo", "hi"])', { group: "echoSync" }, () => {
  checkOutputSync(["echo", "hi"]);
});

const big = ["-c", "100000000", "/dev/zero"];
Deno.bench("raw spawn(head -c 100MB).stdout.bytes()", {
  group: "pipe100MB",
  baseline: true,
  n: 20,
}, async () => {
  const child = new Deno.Command("head", { args: big, stdout: "piped" })
    .spawn();
  const [out] = await Promise.all([child.stdout.bytes(), child.status]);
  if (out.length !== 100_000_000) throw new Error("short read");
});
Deno.bench(
  "run(head -c 100MB, stdout PIPE)",
  { group: "pipe100MB", n: 20 },
  async () => {
    const out = (await run(["head", ...big], { stdout: PIPE })).stdout;
    if (out?.length !== 100_000_000) throw new Error("short read");
  },
);
