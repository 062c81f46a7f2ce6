// Entry point of one extraction worker thread: takes one task at a time from the pool, answers
// with the text (or TNEF files), and lets the pool kill it when it overruns its time or memory.
import { parentPort } from 'node:worker_threads';
import { extractTextInProcess, preloadParsers, type ExtractionRequest } from './text-extractors';
import { decodeTnef } from './tnef-decoder';

export type WorkerTask =
  | { id: number; kind: 'extract'; request: ExtractionRequest; maxChars: number }
  | { id: number; kind: 'tnef'; bytes: Uint8Array };

export type WorkerReply =
  | { id: number; ok: true; result: unknown }
  | { id: number; ok: false; error: string }
  /** Sent once the parsers are loaded: their load time must not count against a file's timeout. */
  | { ready: true };

if (!parentPort) throw new Error('extraction-worker must run in a worker thread');
const port = parentPort;

void preloadParsers().then(() => port.postMessage({ ready: true } satisfies WorkerReply));

port.on('message', (task: WorkerTask) => {
  void handle(task).then(
    ({ result, transfer }) =>
      port.postMessage({ id: task.id, ok: true, result } satisfies WorkerReply, transfer),
    (err: unknown) =>
      port.postMessage({
        id: task.id,
        ok: false,
        error: (err as Error)?.message ?? String(err),
      } satisfies WorkerReply),
  );
});

async function handle(task: WorkerTask): Promise<{ result: unknown; transfer: ArrayBuffer[] }> {
  if (task.kind === 'extract') {
    return { result: await extractTextInProcess(task.request, task.maxChars), transfer: [] };
  }
  const files = decodeTnef(task.bytes);
  return { result: files, transfer: files.map((f) => f.bytes.buffer as ArrayBuffer) };
}
