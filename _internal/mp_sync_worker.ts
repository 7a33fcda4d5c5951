/**
 * The helper worker behind multiprocessing's `Sync` calls (see
 * `mp_client.ts`): it makes each call on its own connections, posts the
 * outcome back on the caller's port, then wakes the caller through the
 * shared flag. Calls run concurrently (one thread sends one at a time, but
 * the helper does not assume it).
 *
 * @module
 */
import { type MessagePort, workerData } from "node:worker_threads";
import { errorToRecord } from "./codec.ts";
import { request } from "./mp_client.ts";
import type { ObjectInit } from "./mp_wire.ts";

const { port, flag } = workerData as {
  port: MessagePort;
  flag: SharedArrayBuffer;
};
const f = new Int32Array(flag);

port.on("message", async (msg: {
  address: string;
  oid: number;
  init: ObjectInit | null;
  m: string;
  args: unknown[];
  tid: number;
}) => {
  let out: { v?: unknown; e?: unknown };
  try {
    out = {
      v: await request(
        msg.address,
        msg.oid,
        msg.init,
        msg.m,
        msg.args,
        msg.tid,
      ),
    };
  } catch (err) {
    out = { e: errorToRecord(err) };
  }
  try {
    port.postMessage(out);
  } catch (err) {
    port.postMessage({ e: errorToRecord(err) });
  }
  Atomics.store(f, 0, 1);
  Atomics.notify(f, 0);
});
