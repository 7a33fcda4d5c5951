// Run by permissions_test.ts on Deno without --allow-net: every way of
// starting a child reports Deno's NotCapable error, naming the flag.
import { ProcessPoolExecutor } from "../../futures/mod.ts";
import { Pool, Process } from "../../multiprocessing/mod.ts";

const outcome = (err: unknown) =>
  `${(err as Error).name}: ${(err as Error).message}`;

{
  await using ex = new ProcessPoolExecutor({ maxWorkers: 1 });
  try {
    await ex.submit((x: number) => x, 1).result(30);
    console.log("pool: ran");
  } catch (err) {
    console.log(`pool: ${outcome(err)}`);
  }
}
try {
  await new Process({ target: () => {} }).start();
  console.log("process: started");
} catch (err) {
  console.log(`process: ${outcome(err)}`);
}
try {
  await using pool = new Pool(1);
  await pool.apply((x: number) => x, [1]);
  console.log("mp pool: ran");
} catch (err) {
  console.log(`mp pool: ${outcome(err)}`);
}
