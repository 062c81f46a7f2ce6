// A pool of worker threads that extracts attachment text with a memory limit and a per-file
// timeout: a hostile PDF or a decompression bomb never blocks the activity's heartbeats or takes
// the worker process down — its thread is terminated and replaced, and the file is recorded.
import { existsSync } from 'node:fs';
import { availableParallelism, totalmem } from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { DEFAULT_MAX_TEXT_CHARS, type ExtractionRequest, type ExtractionResult } from './text-extractors';
import type { TnefFile } from './tnef-decoder';
import type { WorkerReply, WorkerTask } from './extraction-worker';

export interface ExtractionPoolOptions {
  /** Worker threads (default: defaultExtractionThreads()). */
  threads?: number;
  /** An idle thread exits after this long, giving its memory back; the next file starts one again. */
  idleMs?: number;
  /** V8 old-generation limit per thread. */
  memoryLimitMb?: number;
  /** Wall-clock budget per file; the thread is terminated beyond it. */
  timeoutMs?: number;
  maxTextChars?: number;
}

export interface ExtractionPoolStats {
  completed: number;
  timeouts: number;
  crashes: number;
  threadsStarted: number;
  /** Threads that exited after idleMs without work. */
  threadsRetired: number;
}

type TaskBody =
  { kind: 'extract'; request: ExtractionRequest; maxChars: number } | { kind: 'tnef'; bytes: Uint8Array };

type TaskReply = { ok: true; result: unknown } | { ok: false; error: string; timedOut?: boolean };

interface QueuedTask {
  body: TaskBody;
  settle: (reply: TaskReply) => void;
}

interface Slot {
  worker: Worker;
  /** Parsers loaded: only ready threads get tasks, so load time never counts as a file's time. */
  ready: boolean;
  idleTimer?: NodeJS.Timeout;
  task?: QueuedTask & { id: number; timer: NodeJS.Timeout };
}

/**
 * Threads from the machine, started only when files wait: one core stays with the event loop
 * (HTTP, MIME parsing, bulk JSON), and each thread may grow to its heap limit (256 MB) plus the
 * parsers' code, so at most one per GiB of memory; never more than two.
 */
export function defaultExtractionThreads(
  cores = availableParallelism(),
  memoryBytes = process.constrainedMemory?.() || totalmem(),
): number {
  return Math.max(1, Math.min(2, cores - 1, Math.floor(memoryBytes / 2 ** 30)));
}

/**
 * Per-file budget by default. Below the heartbeat timeout of the activities that extract
 * (workflows/activity-options.ts; a unit test holds them apart), so one slow file never looks like
 * a lost worker even between keep-alive heartbeats.
 */
export const DEFAULT_EXTRACTION_TIMEOUT_MS = 20_000;

/** A thread that cannot even load its parsers within this time is broken, not slow. */
const START_TIMEOUT_MS = 120_000;

/**
 * How to start the worker file: the compiled `.js` beside this file under plain node; from
 * sources (jest, tsx) a `.ts` entry loaded through tsx's CommonJS hook.
 */
export function workerEntry(): { filename: string; evalCode: boolean } {
  const compiled = path.join(__dirname, 'extraction-worker.js');
  if (existsSync(compiled)) return { filename: compiled, evalCode: false };
  const source = path.join(__dirname, 'extraction-worker.ts');
  const tsxHook = require.resolve('tsx/cjs');
  return {
    filename: `require(${JSON.stringify(tsxHook)}); require(${JSON.stringify(source)});`,
    evalCode: true,
  };
}

export class ExtractionPool {
  private readonly threads: number;
  private readonly idleMs: number;
  private readonly memoryLimitMb: number;
  private readonly timeoutMs: number;
  private readonly maxTextChars: number;
  private readonly slots: Slot[] = [];
  private readonly queue: QueuedTask[] = [];
  private nextId = 1;
  private closed = false;
  readonly stats: ExtractionPoolStats = {
    completed: 0,
    timeouts: 0,
    crashes: 0,
    threadsStarted: 0,
    threadsRetired: 0,
  };

  constructor(options: ExtractionPoolOptions = {}) {
    this.threads = Math.max(1, options.threads ?? defaultExtractionThreads());
    this.idleMs = options.idleMs ?? 60_000;
    this.memoryLimitMb = options.memoryLimitMb ?? 256;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_EXTRACTION_TIMEOUT_MS;
    this.maxTextChars = options.maxTextChars ?? DEFAULT_MAX_TEXT_CHARS;
  }

  /** Never rejects for a bad file: the outcome says `timeout` or `error: …` instead. */
  async extractText(request: ExtractionRequest): Promise<ExtractionResult> {
    const reply = await this.submit({
      kind: 'extract',
      request: copyRequest(request),
      maxChars: this.maxTextChars,
    });
    if (reply.ok) return reply.result as ExtractionResult;
    return {
      text: '',
      truncated: false,
      extraction: reply.timedOut ? 'timeout' : `error: ${reply.error.slice(0, 500)}`,
    };
  }

  /** Inner files of a winmail.dat; rejects when it cannot be decoded (the caller keeps it as binary). */
  async decodeTnef(bytes: Uint8Array): Promise<TnefFile[]> {
    const reply = await this.submit({ kind: 'tnef', bytes: copyBytes(bytes) });
    if (!reply.ok) throw new Error(reply.timedOut ? 'TNEF decoding timed out' : reply.error);
    return (reply.result as TnefFile[]).map((f) => ({ filename: f.filename, bytes: f.bytes }));
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const task of this.queue.splice(0)) task.settle({ ok: false, error: 'extraction pool closed' });
    await Promise.all(
      this.slots.splice(0).map(async (slot) => {
        clearTimeout(slot.idleTimer);
        if (slot.task) {
          clearTimeout(slot.task.timer);
          slot.task.settle({ ok: false, error: 'extraction pool closed' });
        }
        await slot.worker.terminate();
      }),
    );
  }

  private submit(body: TaskBody): Promise<TaskReply> {
    if (this.closed) return Promise.resolve({ ok: false, error: 'extraction pool closed' });
    return new Promise<TaskReply>((resolve) => {
      this.queue.push({ body, settle: resolve });
      this.dispatch();
    });
  }

  private dispatch(): void {
    while (this.queue.length) {
      const slot = this.slots.find((s) => s.ready && !s.task);
      if (!slot) {
        if (this.slots.length < this.threads) this.slots.push(this.startWorker());
        return;
      }
      this.run(slot, this.queue.shift()!);
    }
  }

  private run(slot: Slot, queued: QueuedTask): void {
    const id = this.nextId++;
    const timer = setTimeout(
      () => this.fail(slot, { ok: false, error: 'timeout', timedOut: true }),
      this.timeoutMs,
    );
    slot.task = { ...queued, id, timer };
    slot.worker.ref();
    const message = { id, ...queued.body } as WorkerTask;
    const transfer =
      queued.body.kind === 'tnef' ? [queued.body.bytes.buffer] : [queued.body.request.bytes.buffer];
    slot.worker.postMessage(message, transfer as ArrayBuffer[]);
  }

  private startWorker(): Slot {
    const entry = workerEntry();
    const worker = new Worker(entry.filename, {
      eval: entry.evalCode,
      resourceLimits: {
        maxOldGenerationSizeMb: this.memoryLimitMb,
        maxYoungGenerationSizeMb: 32,
        stackSizeMb: 4,
      },
      // Parsers that print (node-tnef logs through bunyan) must not write into the worker's logs.
      stdout: true,
      stderr: true,
    });
    worker.stdout.resume();
    worker.stderr.resume();
    // Started because files wait: keeps the process alive until it is idle (keepAlive below).
    this.stats.threadsStarted++;
    const slot: Slot = { worker, ready: false };
    const startTimer = setTimeout(() => this.startFailed(slot, 'did not start in time'), START_TIMEOUT_MS);
    startTimer.unref();
    worker.on('message', (reply: WorkerReply) => {
      if ('ready' in reply) {
        clearTimeout(startTimer);
        slot.ready = true;
        this.dispatch();
        this.keepAlive(slot);
        return;
      }
      if (!slot.task || slot.task.id !== reply.id) return;
      const task = slot.task;
      clearTimeout(task.timer);
      slot.task = undefined;
      this.keepAlive(slot);
      this.stats.completed++;
      task.settle(reply.ok ? { ok: true, result: reply.result } : { ok: false, error: reply.error });
      this.dispatch();
    });
    worker.on('error', (err) => {
      clearTimeout(startTimer);
      if (!slot.ready) this.startFailed(slot, err.message);
      else this.fail(slot, { ok: false, error: `worker thread crashed: ${err.message}` });
    });
    worker.on('exit', (code) => {
      clearTimeout(startTimer);
      if (this.closed) return;
      if (!slot.ready) this.startFailed(slot, `exited with code ${code}`);
      else this.fail(slot, { ok: false, error: `worker thread exited with code ${code}` });
    });
    return slot;
  }

  /**
   * A busy thread keeps the process alive (a plain script awaiting a file); an idle one must not,
   * and exits after idleMs (a steady-state pass of text-only mail does not pay for parsers).
   */
  private keepAlive(slot: Slot): void {
    clearTimeout(slot.idleTimer);
    slot.idleTimer = undefined;
    if (slot.task) {
      slot.worker.ref();
      return;
    }
    slot.worker.unref();
    slot.idleTimer = setTimeout(() => this.retire(slot), this.idleMs);
    slot.idleTimer.unref();
  }

  private retire(slot: Slot): void {
    const index = this.slots.indexOf(slot);
    if (index < 0 || slot.task) return;
    this.slots.splice(index, 1);
    this.stats.threadsRetired++;
    void slot.worker.terminate();
  }

  /** A thread that could not start fails the waiting files instead of leaving them queued forever. */
  private startFailed(slot: Slot, why: string): void {
    const index = this.slots.indexOf(slot);
    if (index < 0) return;
    this.slots.splice(index, 1);
    this.stats.crashes++;
    void slot.worker.terminate();
    if (this.slots.some((s) => s.ready)) return;
    for (const task of this.queue.splice(0)) {
      task.settle({ ok: false, error: `extraction thread could not start: ${why}` });
    }
  }

  /** Ends the slot's task with `reply`, kills its thread and puts a fresh one in its place. */
  private fail(slot: Slot, reply: { ok: false; error: string; timedOut?: boolean }): void {
    const index = this.slots.indexOf(slot);
    if (index < 0) return;
    this.slots.splice(index, 1);
    if (slot.task) {
      clearTimeout(slot.task.timer);
      if (reply.timedOut) this.stats.timeouts++;
      else this.stats.crashes++;
      slot.task.settle(reply);
      slot.task = undefined;
    }
    void slot.worker.terminate();
    if (!this.closed) this.dispatch();
  }
}

function copyBytes(bytes: Uint8Array): Uint8Array {
  // A fresh ArrayBuffer that can be transferred: the caller's Buffer may sit in a shared slab.
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes);
  return copy;
}

function copyRequest(request: ExtractionRequest): ExtractionRequest {
  return { filename: request.filename, contentType: request.contentType, bytes: copyBytes(request.bytes) };
}
