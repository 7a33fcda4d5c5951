// sched on a simulated clock: deterministic runs, cancel, non-blocking steps and runSync.
import { scheduler, type ValueError } from "../sched/mod.ts";

// Python: s = sched.scheduler(lambda: now, advance)
let now = 0;
const s = new scheduler(() => now, (delay) => {
  now += delay; // the "sleep" just moves the clock
});

const log = (what: string) => console.log(`t=${now} ${what}`);
s.enter(3, 1, log, ["tea is ready"]);
const alarm = s.enter(2, 1, log, ["alarm"]);
s.enter(1, 1, () => {
  log("kettle on; cancelling the alarm, adding a reminder at t=2");
  s.cancel(alarm);
  s.enterabs(2, 0, log, ["reminder"]);
});
console.log("queue:", s.queue.map((e) => `${e.time}/${e.priority}`).join(" "));

// Non-blocking: run what is due, get the delay to the next event.
now = 1;
console.log("next in", s.runSync({ blocking: false }));
try {
  s.cancel(alarm);
} catch (e) {
  console.log(
    `cancel again: ${(e as ValueError).name}: ${(e as Error).message}`,
  );
}
s.runSync();
console.log("empty:", s.empty(), "at t =", now);
// Prints:
// queue: 1/1 2/1 3/1
// t=1 kettle on; cancelling the alarm, adding a reminder at t=2
// next in 1
// cancel again: ValueError: list.remove(x): x not in list
// t=2 reminder
// t=3 tea is ready
// empty: true at t = 3
