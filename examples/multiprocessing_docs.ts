// multiprocessing: the examples of Python's multiprocessing docs (Pool, Queue, Pipe, Value and Array, Manager, AsyncResult timeouts), printing what Python prints.
//
// The Python version (prints exactly what this program prints):
//
//     from multiprocessing import Array, Manager, Pipe, Pool, Process, Queue, TimeoutError, Value
//     import time
//
//     def square(x):
//         return x * x
//
//     def put_list(q):
//         q.put([42, None, 'hello'])
//
//     def send_list(conn):
//         conn.send([42, None, 'hello'])
//         conn.close()
//
//     def negate(n, a):
//         n.value = 3.1415927
//         for i in range(len(a)):
//             a[i] = -a[i]
//
//     def fill(d, l):
//         d[1] = '1'
//         d['2'] = 2
//         d[0.25] = None
//         l.reverse()
//
//     if __name__ == '__main__':
//         with Pool(5) as p:
//             print(p.map(square, [1, 2, 3]))
//
//         q = Queue()
//         p = Process(target=put_list, args=(q,))
//         p.start()
//         print(q.get())
//         p.join()
//
//         parent_conn, child_conn = Pipe()
//         p = Process(target=send_list, args=(child_conn,))
//         p.start()
//         print(parent_conn.recv())
//         p.join()
//
//         num = Value('d', 0.0)
//         arr = Array('i', range(10))
//         p = Process(target=negate, args=(num, arr))
//         p.start()
//         p.join()
//         print(num.value)
//         print(arr[:])
//
//         with Manager() as manager:
//             d = manager.dict()
//             l = manager.list(range(10))
//             p = Process(target=fill, args=(d, l))
//             p.start()
//             p.join()
//             print(d)
//             print(l)
//
//         with Pool(processes=4) as pool:
//             print(pool.map(square, range(10)))
//             print(sorted(pool.imap_unordered(square, range(10))))
//             res = pool.apply_async(square, (20,))
//             print(res.get(timeout=1))
//             res = pool.apply_async(time.sleep, (10,))
//             try:
//                 print(res.get(timeout=1))
//             except TimeoutError:
//                 print("We lacked patience and got a multiprocessing.TimeoutError")
//
// Targets are functions sent to the child as source, so they take what
// they use as arguments. A shared dict is a Map on the process serving it.
import {
  Array as SharedArray,
  type Connection,
  type DictProxy,
  type ListProxy,
  Manager,
  Pipe,
  Pool,
  Process,
  Queue,
  TimeoutError,
  Value,
} from "../multiprocessing/mod.ts";

/** Python's repr of the values printed here. */
function repr(v: unknown): string {
  if (v === null || v === undefined) return "None";
  if (typeof v === "string") return `'${v}'`;
  if (Array.isArray(v)) return `[${v.map(repr).join(", ")}]`;
  if (v instanceof Map) {
    return `{${[...v].map(([k, x]) => `${repr(k)}: ${repr(x)}`).join(", ")}}`;
  }
  return String(v);
}

const square = (x: number) => x * x;

{
  await using p = new Pool(5);
  console.log(repr(await p.map(square, [1, 2, 3])));
}

const q = new Queue<unknown[]>();
let p = new Process({
  target: (q: Queue<unknown[]>) => q.putSync([42, null, "hello"]),
  args: [q],
});
await p.start();
console.log(repr(await q.get()));
await p.join();

const [parentConn, childConn] = Pipe();
p = new Process({
  target: (conn: Connection) => {
    conn.sendSync([42, null, "hello"]);
    conn.close();
  },
  args: [childConn],
});
await p.start();
console.log(repr(await parentConn.recv()));
await p.join();

const num = new Value("d", 0.0);
const arr = new SharedArray("i", [...Array(10).keys()]);
p = new Process({
  target: (n: Value, a: SharedArray) => {
    n.value = 3.1415927;
    for (let i = 0; i < a.length; i++) a.setSync(i, -a.getSync(i));
  },
  args: [num, arr],
});
await p.start();
await p.join();
console.log(repr(num.value));
console.log(repr(arr.toArraySync()));

{
  await using manager = Manager();
  const d = manager.dict<unknown, unknown>();
  const l = manager.list([...Array(10).keys()]);
  p = new Process({
    target: async (d: DictProxy, l: ListProxy) => {
      await d.set(1, "1");
      await d.set("2", 2);
      await d.set(0.25, null);
      await l.reverse();
    },
    args: [d, l],
  });
  await p.start();
  await p.join();
  console.log(repr(await d.copy()));
  console.log(repr(await l.toArray()));
}

{
  await using pool = new Pool(4);
  const range10 = [...Array(10).keys()];
  console.log(repr(await pool.map(square, range10)));
  const unordered = [];
  for await (const x of pool.imapUnordered(square, range10)) unordered.push(x);
  console.log(repr(unordered.sort((a, b) => a - b)));
  const res = pool.applyAsync(square, [20]);
  console.log(repr(await res.get(1)));
  const sleeping = pool.applyAsync(
    (s: number) => new Promise((r) => setTimeout(r, s * 1000)),
    [10],
  );
  try {
    console.log(repr(await sleeping.get(1)));
  } catch (err) {
    if (!(err instanceof TimeoutError)) throw err;
    console.log("We lacked patience and got a multiprocessing.TimeoutError");
  }
}
