// A worker entry for entry_test.ts: answers with its own URL and its data.
import { parentPort, workerData } from "node:worker_threads";

parentPort!.postMessage({ url: import.meta.url, data: workerData });
