/**
 * Differential tests: the same seeded random operations run on CPython's
 * queue module (python3) and on ours, with identical results: every get,
 * every error, qsize/empty/full, and the `queue` snapshots.
 *
 * @module
 */
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import {
  LifoQueue,
  PriorityQueue,
  Queue,
  SimpleQueue,
} from "../../queue/mod.ts";
import { assertNoLeaks } from "../_leaks.ts";

type Op = [string, unknown?];
interface Case {
  cls: "Queue" | "LifoQueue" | "PriorityQueue" | "SimpleQueue";
  maxsize: number;
  ops: Op[];
}

const PYTHON = `
import json, sys, queue

def tup(v):
    return tuple(tup(x) for x in v) if isinstance(v, list) else v

def run(case):
    cls, maxsize, ops = case["cls"], case["maxsize"], case["ops"]
    simple = cls == "SimpleQueue"
    q = queue._PySimpleQueue() if simple else getattr(queue, cls)(maxsize)
    conv = tup if cls == "PriorityQueue" else (lambda v: v)
    out = []
    for op in ops:
        name = op[0]
        try:
            if name == "putNowait":
                q.put_nowait(conv(op[1])); r = None
            elif name == "put0":
                q.put(conv(op[1]), timeout=0); r = None
            elif name == "getNowait":
                r = q.get_nowait()
            elif name == "get0":
                r = q.get(timeout=0)
            elif name == "taskDone":
                q.task_done(); r = None
            elif name == "qsize":
                r = q.qsize()
            elif name == "empty":
                r = q.empty()
            elif name == "full":
                r = q.full()
            elif name == "snapshot":
                r = list(q._queue if simple else q.queue)
            out.append({"ok": r})
        except Exception as e:
            out.append({"err": type(e).__name__, "msg": str(e)})
    return out

cases = json.load(sys.stdin)
json.dump([run(c) for c in cases], sys.stdout)
`;

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const STRINGS = [
  "a",
  "b",
  "ab",
  "",
  "zz",
  "é",
  "\uffff",
  "\u{10000}",
  "\ue000",
  "日本",
  "a\u{1F600}",
];

function makeItem(
  rnd: () => number,
  cls: Case["cls"],
  domain: number,
): unknown {
  const int = () => Math.floor(rnd() * 20) - 5;
  const str = () => STRINGS[Math.floor(rnd() * STRINGS.length)];
  if (cls !== "PriorityQueue") {
    switch (Math.floor(rnd() * 6)) {
      case 0:
        return int();
      case 1:
        return Math.round(rnd() * 1000) / 8 + 0.5;
      case 2:
        return str();
      case 3:
        return [int(), str(), [rnd() < 0.5, null]];
      case 4:
        return { k: int(), s: str() };
      default:
        return rnd() < 0.5;
    }
  }
  switch (domain) {
    case 0: // numbers: ints, floats and bools together
      return rnd() < 0.1 ? rnd() < 0.5 : rnd() < 0.5 ? int() : int() + 0.5;
    case 1: // strings by code point
      return str() + str();
    case 2: // (priority, data) tuples with many ties
      return [Math.floor(rnd() * 4), str()];
    default: // nested tuples of different lengths
      return rnd() < 0.5
        ? [int() % 3, [int() % 2, str()]]
        : [int() % 3, [int() % 2]];
  }
}

function makeCase(cls: Case["cls"], seed: number): Case {
  const rnd = mulberry32(seed);
  const maxsize = cls === "SimpleQueue" ? 0 : [0, 3, 10][seed % 3];
  const domain = seed % 4;
  const names = cls === "SimpleQueue"
    ? ["putNowait", "put0", "getNowait", "get0", "qsize", "empty"]
    : [
      "putNowait",
      "put0",
      "getNowait",
      "get0",
      "taskDone",
      "qsize",
      "empty",
      "full",
    ];
  const ops: Op[] = [];
  for (let i = 0; i < 300; i++) {
    // Lean towards puts first, gets later, so queues both fill and drain.
    const r = rnd();
    const bias = i < 150 ? 0.55 : 0.35;
    let name: string;
    if (r < bias) name = rnd() < 0.5 ? "putNowait" : "put0";
    else if (r < bias + 0.3) name = rnd() < 0.5 ? "getNowait" : "get0";
    else if (r < 0.95) name = names[Math.floor(rnd() * names.length)];
    else name = "snapshot";
    if (name === "putNowait" || name === "put0") {
      ops.push([name, makeItem(rnd, cls, domain)]);
    } else ops.push([name]);
  }
  ops.push(["snapshot"]);
  return { cls, maxsize, ops };
}

// deno-lint-ignore no-explicit-any
type AnyQueue = any;

function runOurs(c: Case): unknown[] {
  let q: AnyQueue;
  switch (c.cls) {
    case "Queue":
      q = new Queue(c.maxsize);
      break;
    case "LifoQueue":
      q = new LifoQueue(c.maxsize);
      break;
    case "PriorityQueue":
      q = new PriorityQueue(c.maxsize);
      break;
    default:
      q = new SimpleQueue();
  }
  const out: unknown[] = [];
  for (const [name, item] of c.ops) {
    try {
      let r: unknown = null;
      switch (name) {
        case "putNowait":
          q.putNowait(item);
          break;
        case "put0":
          q.putSync(item, { timeout: 0 });
          break;
        case "getNowait":
          r = q.getNowait();
          break;
        case "get0":
          r = q.getSync({ timeout: 0 });
          break;
        case "taskDone":
          q.taskDone();
          break;
        case "qsize":
          r = q.qsize();
          break;
        case "empty":
          r = q.empty();
          break;
        case "full":
          r = q.full();
          break;
        case "snapshot":
          r = q.queue;
          break;
      }
      out.push({ ok: r ?? null });
    } catch (e) {
      out.push({ err: (e as Error).name, msg: (e as Error).message });
    }
  }
  return JSON.parse(JSON.stringify(out));
}

const hasPython = spawnSync("python3", ["-c", "import queue"]).status === 0;

describe(
  "queue against CPython",
  { skip: !hasPython && "python3 not found" },
  () => {
    const cases: Case[] = [];
    for (
      const cls of [
        "Queue",
        "LifoQueue",
        "PriorityQueue",
        "SimpleQueue",
      ] as const
    ) {
      for (let seed = 1; seed <= 24; seed++) {
        cases.push(
          makeCase(cls, seed * 7919 + cls.length),
        );
      }
    }
    let expected: unknown[][] = [];

    it("python3 runs the same operations", () => {
      const r = spawnSync("python3", ["-c", PYTHON], {
        input: JSON.stringify(cases),
        encoding: "utf8",
        maxBuffer: 1 << 26,
      });
      assert.equal(r.status, 0, r.stderr);
      expected = JSON.parse(r.stdout);
      assert.equal(expected.length, cases.length);
    });

    for (const cls of ["Queue", "LifoQueue", "PriorityQueue", "SimpleQueue"]) {
      it(`${cls} matches CPython's gets, errors and q.queue snapshots`, () => {
        let checked = 0;
        cases.forEach((c, i) => {
          if (c.cls !== cls) return;
          const ours = runOurs(c);
          const theirs = expected[i];
          for (let k = 0; k < c.ops.length; k++) {
            assert.deepEqual(
              ours[k],
              theirs[k],
              `${cls}(maxsize=${c.maxsize}) op ${k} ${
                JSON.stringify(c.ops[k])
              }`,
            );
          }
          checked++;
        });
        assert.equal(checked, 24);
      });
    }
  },
);

after(() => assertNoLeaks());
