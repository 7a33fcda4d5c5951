// The sched example of the Python docs: enter, enterabs and priorities on the wall clock (delays scaled 10x down).
//
// Python:
//   s = sched.scheduler(time.time, time.sleep)
//   s.enter(10, 1, print_time)
//   s.enter(5, 2, print_time, argument=('positional',))
//   s.enter(5, 1, print_time, kwargs={'a': 'keyword'})
//   s.enterabs(1_650_000_000, 10, print_time, argument=("first enterabs",))
//   s.enterabs(1_650_000_000, 5, print_time, argument=("second enterabs",))
//   s.run()
import { scheduler } from "../sched/mod.ts";

/** Python's `time.time()`: wall-clock seconds with sub-millisecond digits. */
const time = () => (performance.timeOrigin + performance.now()) / 1000;

// The default delayfunc is a sleep in seconds, like time.sleep.
const s = new scheduler(time);

// Keyword arguments arrive as one last object argument.
function printTime(a: string | { a: string } = "default") {
  console.log("From print_time", time(), typeof a === "string" ? a : a.a);
}

async function printSomeTimes() {
  console.log(time());
  s.enter(1, 1, printTime);
  s.enter(0.5, 2, printTime, ["positional"]);
  // despite having higher priority, 'keyword' runs after 'positional' as enter() is relative
  s.enter(0.5, 1, printTime, [], { a: "keyword" });
  s.enterabs(1_650_000_000, 10, printTime, ["first enterabs"]);
  s.enterabs(1_650_000_000, 5, printTime, ["second enterabs"]);
  await s.run();
  console.log(time());
}

await printSomeTimes();
// Python prints (with its own times):
// 1652342830.3640375
// From print_time 1652342830.3642538 second enterabs
// From print_time 1652342830.3643398 first enterabs
// From print_time 1652342835.3694863 positional
// From print_time 1652342835.3696074 keyword
// From print_time 1652342840.369612 default
// 1652342840.3697174
