import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  closeSync,
  mkdtempSync,
  openSync,
  readFileSync,
  readSync,
  rmSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  type FileSink,
  type FileSource,
  PIPE,
  Popen,
  run,
  runSync,
  STDOUT,
} from "../../subprocess/mod.ts";
import { assertNoLeaks } from "../_leaks.ts";
import { sh } from "./_util.ts";

let dir = "";
before(() => {
  dir = mkdtempSync(join(tmpdir(), "pyconc-sp-"));
});
after(() => rmSync(dir, { recursive: true, force: true }));

/** A file object over a node:fs descriptor, like a Deno.FsFile. */
function fileObject(fd: number): FileSink & FileSource {
  return {
    write: (p) => Promise.resolve(writeSync(fd, p)),
    writeSync: (p) => writeSync(fd, p),
    read: (p) => {
      const n = readSync(fd, p);
      return Promise.resolve(n === 0 ? null : n);
    },
    readSync: (p) => {
      const n = readSync(fd, p);
      return n === 0 ? null : n;
    },
  };
}

describe("files", () => {
  it("run() writes stdout to a file descriptor", async () => {
    const path = join(dir, "fd-out.txt");
    const fd = openSync(path, "w");
    try {
      const cp = await run(sh("echo one; echo two >&2"), {
        stdout: fd,
        stderr: STDOUT,
      });
      assert.equal(cp.stdout, null);
    } finally {
      closeSync(fd);
    }
    assert.equal(readFileSync(path, "utf8"), "one\ntwo\n");
  });

  it("run() reads stdin from a file descriptor", async () => {
    const path = join(dir, "fd-in.txt");
    writeFileSync(path, "from a file");
    const fd = openSync(path, "r");
    try {
      const cp = await run(["cat"], { stdin: fd, stdout: PIPE, text: true });
      assert.equal(cp.stdout, "from a file");
    } finally {
      closeSync(fd);
    }
  });

  it("run() and runSync() use open file objects (read/write methods)", async () => {
    const out = join(dir, "obj-out.txt");
    const inp = join(dir, "obj-in.txt");
    writeFileSync(inp, "abc");
    for (const sync of [false, true]) {
      const ofd = openSync(out, "w");
      const ifd = openSync(inp, "r");
      try {
        const opts = {
          stdin: fileObject(ifd),
          stdout: fileObject(ofd),
          stderr: PIPE,
        };
        const cp = sync
          ? runSync(sh("cat; echo e >&2"), opts)
          : await run(sh("cat; echo e >&2"), opts);
        assert.equal(cp.stdout, null);
        assert.equal(new TextDecoder().decode(cp.stderr!), "e\n");
      } finally {
        closeSync(ofd);
        closeSync(ifd);
      }
      assert.equal(readFileSync(out, "utf8"), "abc", `sync=${sync}`);
    }
  });

  it("Popen.wait() returns once output forwarded to a file is written", async () => {
    const path = join(dir, "popen-out.txt");
    const fd = openSync(path, "w");
    try {
      const p = new Popen(["head", "-c", "1000000", "/dev/zero"], {
        stdout: fileObject(fd),
      });
      assert.equal(p.stdout, null);
      assert.equal(await p.wait(), 0);
    } finally {
      closeSync(fd);
    }
    assert.equal(readFileSync(path).length, 1_000_000);
  });

  it("run() with a Deno.FsFile (Deno only) leaves the file open", async () => {
    // deno-lint-ignore no-explicit-any
    const Deno = (globalThis as any).Deno;
    if (!Deno || (globalThis as { Bun?: unknown }).Bun) return;
    const path = join(dir, "fsfile.txt");
    const file = await Deno.open(path, { write: true, create: true });
    try {
      await run(["echo", "via FsFile"], { stdout: file });
      await file.write(new TextEncoder().encode("after\n"));
    } finally {
      file.close();
    }
    assert.equal(readFileSync(path, "utf8"), "via FsFile\nafter\n");
  });

  it("run() rejects a file object without read or write methods", async () => {
    await assert.rejects(run(["true"], { stdout: {} as FileSink }), TypeError);
    assert.throws(
      () => runSync(["true"], { stdout: { write: () => Promise.resolve(0) } }),
      TypeError,
    );
  });
});

after(() => assertNoLeaks());
