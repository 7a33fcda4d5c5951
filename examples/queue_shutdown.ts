// Python 3.13's Queue.shutdown(): a producer thread shuts the queue down when done, and the consumer's loop ends.
//
// The Python version (3.13 and later):
//
//     import queue, threading
//
//     q = queue.Queue(maxsize=2)
//
//     def producer():
//         for i in range(5):
//             q.put(i)
//         q.shutdown()
//
//     threading.Thread(target=producer).start()
//     while True:
//         try:
//             item = q.get()
//         except queue.ShutDown:
//             break
//         print('got', item)
//         q.task_done()
//     q.join()
//     print('queue shut down, all tasks done')
//
// Here the producer is a Web Worker blocking in q.putSync() while the
// bounded queue is full; the consumer drains the queue with `for await`,
// which ends when the queue is shut down and empty (instead of throwing
// ShutDown, which q.get() does as in Python).
import { Queue } from "../queue/mod.ts";
import { Thread } from "../threading/mod.ts";

const q = new Queue<number>(2);

function producer(q: Queue<number>): void {
  for (let i = 0; i < 5; i++) q.putSync(i);
  q.shutdown();
}

const t = new Thread({ target: producer, args: [q] });
t.start();
for await (const item of q) {
  console.log("got", item);
  q.taskDone();
}
await q.join();
console.log("queue shut down, all tasks done");
await t.join();
