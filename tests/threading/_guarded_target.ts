// Module targets for targets_test.ts: a program that is its own target,
// guarded as it should be, and what a worker sees of import.meta.main.
import { Thread } from "../../threading/mod.ts";

/** What `import.meta.main` is where the library imported this module. */
export function isMain(): boolean {
  return import.meta.main;
}

/** Starts and joins a thread from inside a target, after the import. */
export async function startNested(out: Int32Array): Promise<void> {
  const t = new Thread({
    target: (o: Int32Array) => {
      o[0] = 7;
    },
    args: [out],
  });
  t.start();
  await t.join();
}

/** Throws a ReferenceError of its own, which no hint should touch. */
export function ownReferenceError(): never {
  throw new ReferenceError("missing is not defined");
}

if (import.meta.main) {
  const t = new Thread({ target: { module: import.meta.url, name: "isMain" } });
  t.start();
  await t.join();
}
