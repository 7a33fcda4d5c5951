// The subprocess benchmarks against the raw runtime call and CPython, run under Deno or Bun:
//   deno run -A bench/subprocess_compare.ts [N] [ROUNDS]
//   bun bench/subprocess_compare.ts [N] [ROUNDS]
// Each case runs N calls of ours and of the raw call per round, interleaved
// call by call so machine noise hits both alike; the median of ROUNDS rounds
// is reported. CPython's numbers come from bench/subprocess_py.py, run by
// this script.
import {
  checkOutput,
  checkOutputSync,
  PIPE,
  run,
  runSync,
} from "../subprocess/mod.ts";

// deno-lint-ignore no-explicit-any
const g = globalThis as any;
const runtime: "deno" | "bun" = g.Bun ? "bun" : "deno";
const args = runtime === "deno" ? g.Deno.args : g.process.argv.slice(2);
const N = Number(args[0] ?? 200);
const ROUNDS = Number(args[1] ?? 7);
const PIPE_BYTES = 100_000_000;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

// --- the raw runtime calls, doing exactly what our call does ---------------
const raw = runtime === "deno"
  ? {
    true: async () => {
      await new g.Deno.Command("true", {
        stdin: "inherit",
        stdout: "inherit",
        stderr: "inherit",
      }).spawn().status;
    },
    trueSync: () => {
      new g.Deno.Command("true", {
        stdin: "inherit",
        stdout: "inherit",
        stderr: "inherit",
      }).outputSync();
    },
    // Deno.Command has no timeout: the nearest raw call is plain outputSync.
    trueSyncTimeout: () => {
      new g.Deno.Command("true", {
        stdin: "inherit",
        stdout: "inherit",
        stderr: "inherit",
      }).outputSync();
    },
    echo: async () =>
      (await new g.Deno.Command("echo", {
        args: ["hi"],
        stdout: "piped",
        stderr: "inherit",
      }).output()).stdout,
    echoSync: () =>
      new g.Deno.Command("echo", {
        args: ["hi"],
        stdout: "piped",
        stderr: "inherit",
      }).outputSync().stdout,
    pipe: async () =>
      (await new g.Deno.Command("head", {
        args: ["-c", String(PIPE_BYTES), "/dev/zero"],
        stdout: "piped",
        stderr: "inherit",
      }).output()).stdout,
  }
  : {
    true: async () => {
      await g.Bun.spawn(["true"], {
        stdin: "inherit",
        stdout: "inherit",
        stderr: "inherit",
      }).exited;
    },
    trueSync: () => {
      g.Bun.spawnSync(["true"], {
        stdin: "inherit",
        stdout: "inherit",
        stderr: "inherit",
      });
    },
    trueSyncTimeout: () => {
      g.Bun.spawnSync(["true"], {
        stdin: "inherit",
        stdout: "inherit",
        stderr: "inherit",
        timeout: 10_000,
      });
    },
    echo: async () => {
      const p = g.Bun.spawn(["echo", "hi"], {
        stdin: "inherit",
        stdout: "pipe",
        stderr: "inherit",
      });
      const [out] = await Promise.all([p.stdout.bytes(), p.exited]);
      return out;
    },
    echoSync: () =>
      g.Bun.spawnSync(["echo", "hi"], {
        stdin: "inherit",
        stdout: "pipe",
        stderr: "inherit",
      }).stdout,
    pipe: async () => {
      const p = g.Bun.spawn(["head", "-c", String(PIPE_BYTES), "/dev/zero"], {
        stdin: "inherit",
        stdout: "pipe",
        stderr: "inherit",
      });
      const [out] = await Promise.all([p.stdout.bytes(), p.exited]);
      return out;
    },
  };

const ours = {
  true: () => run(["true"]),
  trueSync: () => runSync(["true"]),
  trueSyncTimeout: () => runSync(["true"], { timeout: 10 }),
  echo: () => checkOutput(["echo", "hi"]),
  echoSync: () => checkOutputSync(["echo", "hi"]),
  pipe: async () =>
    (await run(["head", "-c", String(PIPE_BYTES), "/dev/zero"], {
      stdout: PIPE,
    }))
      .stdout,
};

const cpu = (): number => {
  const u = g.process.cpuUsage();
  return u.user + u.system;
};
/** Parent-process CPU µs per call, by case: [ours, raw]. */
const cpuOf: Record<string, [number, number]> = {};

/**
 * Median microseconds per call of `a` and `b`. Calls interleave one by one
 * (a b b a a b ...), so load from elsewhere on the machine lands on both
 * alike; each round averages `n` calls of each, and the median round wins.
 * The CPU time this process spends per call (user + system, the cost of our
 * layer on top of the runtime's) is recorded too, in `cpuOf[label]`.
 */
async function pair(
  a: () => unknown,
  b: () => unknown,
  n: number,
  label: string,
): Promise<[number, number]> {
  const xa: number[] = [];
  const xb: number[] = [];
  const ca: number[] = [];
  const cb: number[] = [];
  for (let i = 0; i < 5; i++) await a(), await b(); // warm up
  for (let r = 0; r < ROUNDS; r++) {
    let ta = 0;
    let tb = 0;
    let ua = 0;
    let ub = 0;
    for (let i = 0; i < n; i++) {
      const first = (i + r) % 2 === 0;
      for (const which of first ? [0, 1] : [1, 0]) {
        const c0 = cpu();
        const t0 = performance.now();
        await (which === 0 ? a() : b());
        const dt = performance.now() - t0;
        const dc = cpu() - c0;
        if (which === 0) ta += dt, ua += dc;
        else tb += dt, ub += dc;
      }
    }
    xa.push(ta * 1000 / n);
    xb.push(tb * 1000 / n);
    ca.push(ua / n);
    cb.push(ub / n);
  }
  cpuOf[label] = [median(ca), median(cb)];
  return [median(xa), median(xb)];
}

const rows: [string, number, number][] = [];
for (
  const [name, key] of [
    ['run(["true"])', "true"],
    ['runSync(["true"])', "trueSync"],
    ['runSync(["true"], {timeout: 10})', "trueSyncTimeout"],
    ['checkOutput(["echo", "hi"])', "echo"],
    ['checkOutputSync(["echo", "hi"])', "echoSync"],
  ] as const
) {
  const [o, r] = await pair(ours[key], raw[key], N, name);
  rows.push([name, o, r]);
}
const [pipeOurs, pipeRaw] = await pair(ours.pipe, raw.pipe, 3, "pipe");

// CPython, through our own run().
const py = JSON.parse(
  (await run(
    [
      "python3",
      new URL("./subprocess_py.py", import.meta.url).pathname,
      String(N),
      String(ROUNDS),
    ],
    { stdout: PIPE, text: true, check: true },
  )).stdout!,
);
const pyOf: Record<string, number> = {
  'run(["true"])': py.run_true_us,
  'checkOutput(["echo", "hi"])': py.check_output_echo_us,
};

const fmt = (x: number) => x.toFixed(1).padStart(9);
console.log(
  `subprocess on ${runtime} (N=${N} calls x ${ROUNDS} rounds, medians; CPython ${py.python})`,
);
console.log(
  "case".padEnd(34) + "ours µs".padStart(9) + "raw µs".padStart(9) +
    "  ours/raw" + "  CPU ours/raw µs" + "  CPython µs" + "  ours/CPython",
);
for (const [name, o, r] of rows) {
  const p = pyOf[name.replace("Sync", "")];
  const [co, cr] = cpuOf[name];
  console.log(
    name.padEnd(34) + fmt(o) + fmt(r) + (o / r).toFixed(3).padStart(10) +
      `${co.toFixed(0)}/${cr.toFixed(0)}`.padStart(18) +
      (p ? fmt(p).padStart(12) + (o / p).toFixed(3).padStart(15) : ""),
  );
}
const mbps = (us: number) => PIPE_BYTES / 1e6 / (us / 1e6);
console.log(
  `100 MB pipe (run + PIPE)`.padEnd(34) +
    `${mbps(pipeOurs).toFixed(0)} MB/s ours, ${
      mbps(pipeRaw).toFixed(0)
    } MB/s raw, ` +
    `${
      (PIPE_BYTES / 1e6 / (py.pipe_100mb_ms / 1e3)).toFixed(0)
    } MB/s CPython; ` +
    `time ours/raw ${(pipeOurs / pipeRaw).toFixed(3)}`,
);
console.log(JSON.stringify({
  runtime,
  N,
  ROUNDS,
  rows: rows.map(([name, o, r]) => ({
    name,
    ours_us: o,
    raw_us: r,
    ours_cpu_us: cpuOf[name][0],
    raw_cpu_us: cpuOf[name][1],
  })),
  pipe_ms: { ours: pipeOurs / 1000, raw: pipeRaw / 1000 },
  pipe_cpu_ms: { ours: cpuOf.pipe[0] / 1000, raw: cpuOf.pipe[1] / 1000 },
  cpython: py,
}));
