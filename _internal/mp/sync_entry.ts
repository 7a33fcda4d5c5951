/**
 * The helper worker behind multiprocessing's `Sync` calls (see
 * `mp_client.ts`): it makes each call on its own connections, posts the
 * outcome back on the caller's port, then wakes the caller through the
 * shared flag. Calls run concurrently (one thread sends one at a time, but
 * the helper does not assume it).
 *
 * @module
 */
import { deserialize, serialize } from "node:v8";
import { type MessagePort, workerData } from "node:worker_threads";
import { errorToRecord } from "../share/codec.ts";
import { _capacity, request } from "./client.ts";
import type { ObjectInit } from "./wire.ts";

const { port, flag } = workerData as {
  port: MessagePort;
  flag: SharedArrayBuffer;
};
const f = new Int32Array(flag);

interface _Req {
  address: string;
  oid: number;
  init: ObjectInit | null;
  m: string;
  args: unknown[];
  tid: number;
}

/** Writes the reply into the caller's mailbox (or a larger new one) and posts its length. */
function _post(out: unknown, sab: SharedArrayBuffer): void {
  const bytes = serialize(out);
  if (bytes.length <= sab.byteLength) {
    new Uint8Array(sab).set(bytes);
    port.postMessage({ len: bytes.length });
  } else {
    const bigger = new SharedArrayBuffer(_capacity(bytes.length));
    new Uint8Array(bigger).set(bytes);
    port.postMessage({ sab: bigger, len: bytes.length });
  }
}

port.on("message", async (raw: { sab: SharedArrayBuffer; len: number }) => {
  const msg = deserialize(
    new Uint8Array(raw.sab, 0, raw.len).slice(),
  ) as _Req;
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
    _post(out, raw.sab);
  } catch (err) {
    _post({ e: errorToRecord(err) }, raw.sab);
  }
  Atomics.store(f, 0, 1);
  Atomics.notify(f, 0);
});
