// A program for output_test.ts: threads, pool workers and child processes
// each print numbered lines to stdout (and one line to stderr) just before
// they end; the test checks that every line reaches the program's output.
import { Thread } from "../../threading/mod.ts";
import { ProcessPoolExecutor, ThreadPoolExecutor } from "../../futures/mod.ts";
import { Pool, Process } from "../../multiprocessing/mod.ts";

/** How many writers each round of a scenario starts. */
export const WRITERS = 3;

/**
 * What one writer prints: `lines` lines with `console.log`, then `bulk`
 * lines in one `process.stdout.write`, then one line on stderr.
 */
export function say(tag: string, i: number, lines: number, bulk = 0): void {
  for (let j = 0; j < lines; j++) console.log(`${tag} ${i} line ${j}`);
  if (bulk > 0) {
    const text = Array.from({ length: bulk }, (_, j) => `${tag} ${i} bulk ${j}`)
      .join("\n");
    (globalThis as unknown as {
      process: { stdout: { write(s: string): void } };
    }).process.stdout.write(text + "\n");
  }
  console.error(`${tag} ${i} err`);
}

const target = { module: import.meta.url, name: "say" };

/**
 * Runs `rounds` rounds of one scenario, each with {@linkcode WRITERS}
 * writers numbered on from the round before, then prints "main done".
 * Child processes write one at a time: the children share the program's
 * stdout, where writes of more than a pipe's atomic size would interleave.
 */
export async function main(
  scenario: string,
  lines: number,
  bulk: number,
  rounds = 1,
): Promise<void> {
  for (let round = 0; round < rounds; round++) {
    const ids = Array.from({ length: WRITERS }, (_, k) => round * WRITERS + k);
    await runRound(scenario, ids, lines, bulk);
  }
  console.log("main done");
}

async function runRound(
  scenario: string,
  ids: number[],
  lines: number,
  bulk: number,
): Promise<void> {
  switch (scenario) {
    case "thread":
    case "thread-sync":
    case "daemon":
    case "daemon-sync": {
      const ts = ids.map((i) =>
        new Thread({
          target,
          args: ["thread", i, lines, bulk],
          daemon: scenario.startsWith("daemon"),
        })
      );
      for (const t of ts) t.start();
      // joinSync blocks this thread: the output arrives after it returns.
      for (const t of ts) {
        if (scenario.endsWith("-sync")) t.joinSync();
        else await t.join();
      }
      return;
    }
    case "pool": {
      await using ex = new ThreadPoolExecutor({ maxWorkers: ids.length });
      await Promise.all(
        ids.map((i) => ex.submit(target, "pool", i, lines, bulk)),
      );
      return;
    }
    case "pool-idle": {
      // No shutdown: an idle pool does not keep the program alive, so the
      // output must be out before the futures settle.
      const ex = new ThreadPoolExecutor({ maxWorkers: ids.length });
      await Promise.all(
        ids.map((i) => ex.submit(target, "pool", i, lines, bulk)),
      );
      return;
    }
    case "process": {
      for (const i of ids) {
        const p = new Process({ target, args: ["process", i, lines, bulk] });
        p.start();
        await p.join();
      }
      return;
    }
    case "process-pool": {
      await using ex = new ProcessPoolExecutor({ maxWorkers: 1 });
      await Promise.all(
        ids.map((i) => ex.submit(target, "pool", i, lines, bulk)),
      );
      return;
    }
    case "mp-pool": {
      const pool = new Pool(1);
      await Promise.all(
        ids.map((i) => pool.applyAsync(target, ["pool", i, lines, bulk]).get()),
      );
      pool.close();
      await pool.join();
      return;
    }
    default:
      throw new Error(`unknown scenario ${scenario}`);
  }
}
