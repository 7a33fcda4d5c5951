/**
 * The worker that serves one thread's multiprocessing shared objects (see
 * `mp_server.ts`). It is started unref'd by the first shared object its
 * thread creates and lives as long as the process: it must keep serving
 * other processes while the threads of its own block in `Sync` calls.
 *
 * @module
 */
import { type MessagePort, parentPort, workerData } from "node:worker_threads";
import { decode, type Encoded } from "../share/codec.ts";
import {
  adoptLocal,
  type LocalQueue,
  serve,
  setShmFreePort,
} from "./server.ts";

const { address, ready, frees } = workerData as {
  address: string;
  ready: SharedArrayBuffer;
  /** Where blocks of shared memory of freed objects go back to the owning thread's arena. */
  frees?: MessagePort;
};
if (frees) {
  setShmFreePort(frees);
  (frees as { unref?: () => void }).unref?.();
}
const flag = new Int32Array(ready);
serve(address).then(
  () => Atomics.store(flag, 0, 1),
  (err) => {
    console.error("pyconc: multiprocessing server could not listen:", err);
    Atomics.store(flag, 0, 2);
  },
).finally(() => Atomics.notify(flag, 0));

// The owning thread hands over the queues it keeps in shared memory.
parentPort?.on(
  "message",
  async (m: { oid: number; encoded: Encoded; holder?: string }) => {
    adoptLocal(m.oid, await decode(m.encoded) as LocalQueue, m.holder);
  },
);
