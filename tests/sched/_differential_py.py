# The CPython side of tests/sched/differential_test.ts: reads a JSON list of
# scripts on stdin, runs each with sched.scheduler on a fake clock, and prints
# the JSON list of traces. The TypeScript interpreter mirrors this line by line.
import json
import sched
import sys


def play(script):
    trace = []
    state = {"now": 0.0}
    events = {}
    behaviours = script["events"]

    def timefunc():
        return state["now"]

    def delayfunc(d):
        trace.append(["delay", d])
        state["now"] += d

    s = sched.scheduler(timefunc, delayfunc)

    def act(ident, **kwargs):
        trace.append(["run", ident, state["now"], kwargs.get("k")])
        b = behaviours[str(ident)]
        do(b["ops"])
        if b["throws"]:
            raise RuntimeError(f"boom {ident}")

    def do(ops):
        for op in ops:
            kind = op[0]
            if kind == "enterabs" or kind == "enter":
                _, ident, when, priority, with_kwargs = op
                kwargs = {"k": ident} if with_kwargs else {}
                fn = s.enterabs if kind == "enterabs" else s.enter
                events[ident] = fn(when, priority, act, (ident,), kwargs)
            elif kind == "cancel":
                ident = op[1]
                if ident not in events:
                    trace.append(["cancel-unknown", ident])
                    continue
                try:
                    s.cancel(events[ident])
                    trace.append(["cancel", ident])
                except ValueError as e:
                    trace.append(["cancel-error", ident, str(e)])
            elif kind == "snap":
                trace.append(["snap", [[e.time, e.priority, e.sequence, e.argument[0]]
                                       for e in s.queue]])
            elif kind == "empty":
                trace.append(["empty", s.empty()])
            elif kind == "advance":
                state["now"] += op[1]
            elif kind == "run":
                try:
                    trace.append(["ret", s.run(blocking=op[1])])
                except RuntimeError as e:
                    trace.append(["raised", str(e)])
            else:
                raise AssertionError(op)

    do(script["ops"])
    return trace


print(json.dumps([play(script) for script in json.load(sys.stdin)]))
