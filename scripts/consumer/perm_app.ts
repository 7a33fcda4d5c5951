// A child of the library gets the parent's permissions, never more: run on
// Deno with a restricted allow-list, a process pool task tries what the
// parent may not do. scripts/consumer.mjs compares its lines with
// perm_expected.txt.
import { ProcessPoolExecutor } from "@pyconc/pyconc/futures";

await using ex = new ProcessPoolExecutor({ maxWorkers: 1 });
const attempts: [string, () => unknown][] = [
  ["read /etc/hostname", () => Deno.readTextFileSync("/etc/hostname")],
  ["env HOME", () => Deno.env.get("HOME")],
  ["run true", () => new Deno.Command("true").outputSync().code],
];
for (const [what, attempt] of attempts) {
  let here: string;
  try {
    attempt();
    here = "allowed";
  } catch (err) {
    here = (err as Error).name;
  }
  const child = await ex.submit((source: string) => {
    try {
      (0, eval)(`(${source})`)();
      return "allowed";
    } catch (err) {
      return (err as Error).name;
    }
  }, attempt.toString()).result();
  console.log(`${what}: parent ${here}, child ${child}`);
}
