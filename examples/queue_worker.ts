// Python's queue docs example: a daemon worker thread takes thirty tasks from a Queue, q.join() waits for them all.
//
// Python's docs (queue module, "Example of how to wait for enqueued tasks
// to be completed"):
//
//     import threading
//     import queue
//
//     q = queue.Queue()
//
//     def worker():
//         while True:
//             item = q.get()
//             print(f'Working on {item}')
//             print(f'Finished {item}')
//             q.task_done()
//
//     # Turn-on the worker thread.
//     threading.Thread(target=worker, daemon=True).start()
//
//     # Send thirty task requests to the worker.
//     for item in range(30):
//         q.put(item)
//
//     # Block until all tasks are done.
//     q.join()
//     print('All work completed')
//
// The worker is a Web Worker; it gets a live handle on the same queue as its
// argument. It blocks in q.getSync() (the blocking twin of get) forever, and
// being a daemon it does not keep the program alive once the main thread is
// done. It prints with a synchronous write: Bun buffers a worker's
// console.log until the worker's event loop turns, which a thread blocked in
// getSync() never lets happen.
import { Queue } from "../queue/mod.ts";
import { Thread } from "../threading/mod.ts";

const q = new Queue<number>();

async function worker(q: Queue<number>): Promise<void> {
  const { writeSync } = await import("node:fs");
  const print = (line: string) => writeSync(1, line + "\n");
  for (;;) {
    const item = q.getSync();
    print(`Working on ${item}`);
    print(`Finished ${item}`);
    q.taskDone();
  }
}

// Turn-on the worker thread.
new Thread({ target: worker, args: [q], daemon: true }).start();

// Send thirty task requests to the worker.
for (let item = 0; item < 30; item++) await q.put(item);

// Block until all tasks are done.
await q.join();
console.log("All work completed");
