/**
 * The server side of multiprocessing's shared objects (see `wire.ts`): it
 * keeps the state of every lock, semaphore, event, condition, barrier,
 * queue, pipe, value, array and manager container created by one thread,
 * and runs each operation. It runs in its own worker (`server_entry.ts`),
 * so a thread of the owning process that blocks in a `Sync` call never
 * stops the server. This file is its public face: {@linkcode serve}.
 *
 * Design: docs/design/mp_server.md
 *
 * @module
 */
import net from "node:net";
import { accept } from "./server_connection.ts";
import { Dispatcher } from "./server_dispatch.ts";

export { adoptLocal, serverStats } from "./server_registry.ts";
export { setShmFreePort } from "./server_state.ts";
export type { LocalQueue } from "./server_queues.ts";

/** Serves shared objects on `address` until the process exits. */
export function serve(address: string): Promise<void> {
  const dispatcher = new Dispatcher();
  const server = net.createServer((socket) => accept(socket, dispatcher));
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(address, () => resolve());
  });
}
