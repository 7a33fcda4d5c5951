import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  getoutput,
  getoutputSync,
  getstatusoutput,
  getstatusoutputSync,
} from "../../subprocess/mod.ts";
import { assertNoLeaks } from "../_leaks.ts";

describe("getoutput", () => {
  it("getstatusoutput() returns [status, merged output without the last newline]", async () => {
    assert.deepEqual(
      await getstatusoutput("echo out; echo err >&2; exit 3"),
      [3, "out\nerr"],
    );
    assert.deepEqual(await getstatusoutput("echo hi"), [0, "hi"]);
    assert.deepEqual(await getstatusoutput("printf 'a\\n\\n'"), [0, "a\n"]);
    assert.deepEqual(await getstatusoutput("kill -9 $$"), [-9, ""]);
    const [status, out] = await getstatusoutput("no-such-program-xyz");
    assert.equal(status, 127);
    assert.match(out, /no-such-program-xyz/);
  });

  it("getstatusoutput() decodes with the given encoding", async () => {
    assert.deepEqual(
      await getstatusoutput("printf '\\351'", { encoding: "latin-1" }),
      [0, "é"],
    );
  });

  it("getoutput() returns the output whatever the status", async () => {
    assert.equal(await getoutput("echo hi; exit 1"), "hi");
    assert.equal(await getoutput("echo a; echo b >&2"), "a\nb");
  });

  it("getstatusoutputSync() and getoutputSync() block and agree", () => {
    assert.deepEqual(getstatusoutputSync("echo x; exit 2"), [2, "x"]);
    assert.equal(getoutputSync("echo y >&2"), "y");
  });
});

after(() => assertNoLeaks());
