// subprocess.call() runs a script and reports how it ended; then run() with capture, check and a timeout.
//
// Python's docs ("Replacing os.system()"):
//
//     try:
//         retcode = call("mycmd" + " myarg", shell=True)
//         if retcode < 0:
//             print("Child was terminated by signal", -retcode, file=sys.stderr)
//         else:
//             print("Child returned", retcode, file=sys.stderr)
//     except OSError as e:
//         print("Execution failed:", e, file=sys.stderr)
import {
  call,
  CalledProcessError,
  PIPE,
  run,
  STDOUT,
  TimeoutExpired,
} from "../subprocess/mod.ts";
import { OSError } from "../mod.ts";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

// A small script to run.
const dir = mkdtempSync(join(tmpdir(), "pyconc-example-"));
const script = join(dir, "mycmd");
writeFileSync(script, '#!/bin/sh\necho "mycmd got: $*"\nexit 3\n', {
  mode: 0o755,
});

for (const cmd of [`${script} myarg`, "kill -TERM $$"]) {
  try {
    const retcode = await call(cmd, { shell: true });
    if (retcode < 0) console.log("Child was terminated by signal", -retcode);
    else console.log("Child returned", retcode);
  } catch (e) {
    if (!(e instanceof OSError)) throw e;
    console.log("Execution failed:", e.message);
  }
}

// A program that does not exist is an OSError (FileNotFoundError) naming it.
try {
  await call(["mycmd-that-does-not-exist"]);
} catch (e) {
  console.log("Execution failed:", (e as Error).message);
}

// run(): capture text output, merge stderr, and check the exit status.
const cp = await run(["sh", "-c", "echo out; echo err >&2"], {
  stdout: PIPE,
  stderr: STDOUT,
  text: true,
});
console.log(String(cp));
try {
  await run([script], { check: true, captureOutput: true });
} catch (e) {
  if (!(e instanceof CalledProcessError)) throw e;
  console.log(e.message);
}
try {
  await run(["sleep", "5"], { timeout: 0.2 });
} catch (e) {
  if (!(e instanceof TimeoutExpired)) throw e;
  console.log(e.message);
}
rmSync(dir, { recursive: true });
