// threading: ten threads add to one shared counter under a Lock; prints "The count is 10000".
//
// The Python version:
//
//     import threading
//     count = 0
//     lock = threading.Lock()
//     def work():
//         global count
//         for _ in range(1000):
//             with lock:
//                 count += 1
//     threads = [threading.Thread(target=work) for _ in range(10)]
//     for t in threads: t.start()
//     for t in threads: t.join()
//     print("The count is", count)
//
// Threads here are Web Workers with separate memory, so the counter lives in
// a SharedArrayBuffer and the Lock is passed to each thread as an argument.
import { Lock, Thread } from "../threading/mod.ts";

const lock = new Lock();
const count = new Int32Array(new SharedArrayBuffer(4));

function work(lock: Lock, count: Int32Array): void {
  for (let i = 0; i < 1000; i++) {
    lock.acquireSync();
    count[0] += 1;
    lock.release();
  }
}

const threads = Array.from(
  { length: 10 },
  () => new Thread({ target: work, args: [lock, count] }),
);
for (const t of threads) t.start();
for (const t of threads) await t.join();
console.log("The count is", count[0]);
