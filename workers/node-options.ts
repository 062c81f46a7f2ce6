// The V8 heap sizes the worker is shipped with (docs/deployment.md, Memory). A crawl makes garbage fast
// (message bytes, parsed MIME, documents); with V8's defaults on a large machine (old space ~4 GB,
// 16 MB semi-spaces) the main thread lets ~100 MB of it and its buffers pile up between collections,
// and the malloc arenas behind those buffers stay grown. These limits make V8 collect sooner: measured
// on huge-mailbox, peak RSS 299 MB instead of 421–521 MB, at the same speed (BENCHMARKS.md, issue 14).
// The flags apply to every thread of the process: the workflow thread (its cache, see
// defaultCachedWorkflows) and the extraction threads get the same limits.

/** What `npm start`, the Docker image (ENV NODE_OPTIONS) and the benchmark's workers run with. */
export const WORKER_NODE_OPTIONS = '--max-old-space-size=384 --max-semi-space-size=4';

/** True when the process was started with an old-space limit (command line or NODE_OPTIONS). */
export function heapLimitGiven(
  execArgv: string[] = process.execArgv,
  nodeOptions: string | undefined = process.env.NODE_OPTIONS,
): boolean {
  return [...execArgv, ...(nodeOptions ?? '').split(/\s+/)].some((arg) =>
    /^--max[-_]old[-_]space[-_]size(=|$)/.test(arg),
  );
}
