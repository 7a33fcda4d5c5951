// futures: the ThreadPoolExecutor example of Python's docs, loading pages in parallel and printing their sizes as they complete.
//
// The Python version (concurrent.futures documentation):
//
//     def load_url(url, timeout):
//         with urllib.request.urlopen(url, timeout=timeout) as conn:
//             return conn.read()
//     with concurrent.futures.ThreadPoolExecutor(max_workers=5) as executor:
//         future_to_url = {executor.submit(load_url, url, 60): url for url in URLS}
//         for future in concurrent.futures.as_completed(future_to_url):
//             url = future_to_url[future]
//             try:
//                 data = future.result()
//             except Exception as exc:
//                 print('%r generated an exception: %s' % (url, exc))
//             else:
//                 print('%r page is %d bytes' % (url, len(data)))
//
// To run without a network, the pages come from a small local server; one
// of them does not exist, to show an error coming back from a worker.
import { createServer } from "node:http";
import {
  asCompleted,
  type Future,
  ThreadPoolExecutor,
} from "../futures/mod.ts";

const server = createServer((req, res) => {
  const size = Number(req.url?.slice(1));
  if (!Number.isFinite(size)) {
    res.writeHead(404).end();
    return;
  }
  setTimeout(() => res.end("x".repeat(size)), Math.random() * 50);
});
await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
const { port } = server.address() as { port: number };
const URLS = ["1024", "4096", "30", "65536", "missing"].map((p) =>
  `http://127.0.0.1:${port}/${p}`
);

/** Runs in a worker: fetches a page with a timeout in seconds. */
async function loadUrl(url: string, timeout: number): Promise<Uint8Array> {
  const res = await fetch(url, { signal: AbortSignal.timeout(timeout * 1000) });
  if (!res.ok) throw new Error(`HTTP Error ${res.status}: ${res.statusText}`);
  return new Uint8Array(await res.arrayBuffer());
}

{
  await using executor = new ThreadPoolExecutor({ maxWorkers: 5 });
  const futureToUrl = new Map(
    URLS.map((url) => [executor.submit(loadUrl, url, 60), url]),
  );
  for await (const f of asCompleted(futureToUrl.keys())) {
    // The value is the future itself; TypeScript types it as its result.
    const future = f as unknown as Future<Uint8Array>;
    const url = futureToUrl.get(future);
    try {
      const data = await future.result();
      console.log(`'${url}' page is ${data.length} bytes`);
    } catch (exc) {
      console.log(`'${url}' generated an exception: ${(exc as Error).message}`);
    }
  }
}
server.close();
