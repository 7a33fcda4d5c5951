// Differential tests: seeded random schedules (equal times and priorities,
// cancels, actions that enter and cancel events, actions that throw,
// non-blocking runs) played by CPython's sched and by ours on a fake clock
// must leave the same trace: run order, times, delays, queue snapshots,
// return values and errors.
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { type Event, scheduler, ValueError } from "../../sched/mod.ts";
import { assertNoLeaks } from "../_leaks.ts";

type Op =
  | ["enterabs" | "enter", number, number, number, boolean]
  | ["cancel", number]
  | ["snap"]
  | ["empty"]
  | ["advance", number]
  | ["run", boolean];

interface Script {
  ops: Op[];
  events: Record<string, { ops: Op[]; throws: boolean }>;
}

/** mulberry32: a small seeded generator, so every failure can be replayed. */
function generator(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    int: (n: number) => Math.floor(next() * n),
    chance: (p: number) => next() < p,
  };
}

function makeScript(seed: number): Script {
  const r = generator(seed);
  const events: Script["events"] = {};
  let nextId = 0;
  // Times on a half-unit grid over a short span, so equal times abound.
  const time = () => r.int(12) / 2;
  const delay = () => r.int(9) / 2 - 1;
  const enterOp = (depth: number): Op => {
    const id = nextId++;
    const ops: Op[] = [];
    if (depth < 3) {
      const n = r.int(depth === 0 ? 3 : 2);
      for (let i = 0; i < n; i++) ops.push(anyOp(depth + 1, true));
    }
    events[id] = { ops, throws: r.chance(0.04) };
    return [
      r.chance(0.5) ? "enterabs" : "enter",
      id,
      r.chance(0.5) ? time() : delay(),
      r.int(3),
      r.chance(0.2),
    ] as Op;
  };
  const anyOp = (depth: number, inAction: boolean): Op => {
    const roll = r.int(100);
    if (roll < 45) return enterOp(depth);
    if (roll < 70) return ["cancel", r.int(Math.max(1, nextId + 2))];
    if (roll < 82) return ["snap"];
    if (roll < 87) return ["empty"];
    if (inAction) return enterOp(depth);
    if (roll < 93) return ["advance", r.int(5) / 2];
    return ["run", r.chance(0.6) ? false : true];
  };
  const ops: Op[] = [];
  const n = 5 + r.int(30);
  for (let i = 0; i < n; i++) ops.push(anyOp(0, false));
  ops.push(["snap"], ["run", false], ["snap"], ["run", true], ["empty"]);
  return { ops, events };
}

/** Plays a script with our scheduler; mirrors _differential_py.py. */
async function play(script: Script, sync: boolean): Promise<unknown[]> {
  const trace: unknown[] = [];
  let now = 0;
  const events = new Map<number, Event>();
  const s = new scheduler(() => now, (d) => {
    trace.push(["delay", d]);
    now += d;
  });
  const act = (id: number, kwargs?: { k?: number }) => {
    trace.push(["run", id, now, kwargs?.k ?? null]);
    const b = script.events[String(id)];
    doSync(b.ops);
    if (b.throws) throw new Error(`boom ${id}`);
  };
  const step = (op: Op): boolean => {
    switch (op[0]) {
      case "enterabs":
      case "enter": {
        const [kind, id, when, priority, withKwargs] = op;
        const kwargs = withKwargs ? { k: id } : {};
        events.set(
          id,
          kind === "enterabs"
            ? s.enterabs(when, priority, act, [id], kwargs)
            : s.enter(when, priority, act, [id], kwargs),
        );
        return true;
      }
      case "cancel": {
        const event = events.get(op[1]);
        if (!event) {
          trace.push(["cancel-unknown", op[1]]);
          return true;
        }
        try {
          s.cancel(event);
          trace.push(["cancel", op[1]]);
        } catch (e) {
          assert.ok(e instanceof ValueError);
          trace.push(["cancel-error", op[1], e.message]);
        }
        return true;
      }
      case "snap":
        trace.push([
          "snap",
          s.queue.map((e) => [e.time, e.priority, e.sequence, e.argument[0]]),
        ]);
        return true;
      case "empty":
        trace.push(["empty", s.empty()]);
        return true;
      case "advance":
        now += op[1];
        return true;
      case "run":
        return false;
    }
  };
  const doSync = (ops: Op[]) => {
    for (const op of ops) if (!step(op)) throw new Error("run in an action");
  };
  for (const op of script.ops) {
    if (step(op)) continue;
    const blocking = op[1] as boolean;
    try {
      const ret = sync ? s.runSync({ blocking }) : await s.run({ blocking });
      trace.push(["ret", ret ?? null]);
    } catch (e) {
      trace.push(["raised", (e as Error).message]);
    }
  }
  return trace;
}

function runPython(scripts: Script[]): unknown[][] {
  const program = fileURLToPath(
    new URL("./_differential_py.py", import.meta.url),
  );
  const r = spawnSync("python3", [program], {
    input: JSON.stringify(scripts),
    encoding: "utf8",
    maxBuffer: 1 << 28,
  });
  assert.equal(r.status, 0, `python3 failed: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

const SEEDS = Array.from({ length: 400 }, (_, i) => 1000 + i);

describe("sched differential against CPython", () => {
  const scripts = SEEDS.map(makeScript);
  let expected: unknown[][] | undefined;
  const python = () => expected ??= runPython(scripts);

  it("generates schedules that exercise every rule", () => {
    const traces = python();
    const kinds = new Set(traces.flat().map((t) => (t as unknown[])[0]));
    for (
      const k of [
        "run",
        "delay",
        "snap",
        "cancel",
        "cancel-error",
        "raised",
        "ret",
        "empty",
      ]
    ) assert.ok(kinds.has(k), `no ${k} in any trace`);
    // Ties: some snapshot holds two events with equal time and priority.
    const tie = traces.flat().some((t) => {
      const [kind, q] = t as [string, number[][]];
      return kind === "snap" &&
        q.some((e, i) => i > 0 && e[0] === q[i - 1][0] && e[1] === q[i - 1][1]);
    });
    assert.ok(tie, "no equal time and priority in any snapshot");
  });

  it("scheduler.run() matches CPython on 400 seeded schedules", async () => {
    const traces = python();
    for (let i = 0; i < scripts.length; i++) {
      assert.deepEqual(
        await play(scripts[i], false),
        traces[i],
        `seed ${SEEDS[i]}`,
      );
    }
  });

  it("scheduler.runSync() matches CPython on 400 seeded schedules", async () => {
    const traces = python();
    for (let i = 0; i < scripts.length; i++) {
      assert.deepEqual(
        await play(scripts[i], true),
        traces[i],
        `seed ${SEEDS[i]}`,
      );
    }
  });
});

after(() => assertNoLeaks());
