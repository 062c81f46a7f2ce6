// Writes a batch of index/update/delete operations across indices through the client's bulk
// helper (bounded bytes and concurrency), retries throttled (429) items with exponential backoff,
// and returns every item that still failed with its reason: nothing is dropped silently.
import type { Client } from '@elastic/elasticsearch';

interface OpBase {
  index: string;
  id: string;
  /**
   * Written only after every other operation of the batch was acknowledged (e.g. the watermark of
   * a window's last page), so it never gets ahead of the documents it vouches for: when any other
   * operation failed, it is not written but returned in `deferred`.
   */
  commitLast?: boolean;
}

export type BulkOp =
  | (OpBase & {
      action: 'index';
      doc: object;
      /**
       * Read-modify-write without scripts (Painless is missing from the integ-test distribution
       * and restricted on some managed clusters): the sink reads the stored document (one mget
       * for the batch) and indexes `merge(stored, doc)`, e.g. to count a failure's attempts.
       */
      merge?: (stored: Record<string, unknown> | undefined, doc: object) => object;
    })
  | (OpBase & {
      action: 'update';
      /** Partial document; with `upsert`, the full document to create when it is missing. */
      doc?: object;
      upsert?: object;
      script?: { source: string; params?: Record<string, unknown> };
    })
  | (OpBase & { action: 'delete' });

export interface FailedBulkItem {
  index: string;
  id: string;
  action: BulkOp['action'];
  status: number;
  reason: string;
}

export interface BulkWriteResult {
  failed: FailedBulkItem[];
  /** Operations acknowledged by Elasticsearch (a delete of a missing document counts as done). */
  succeeded: number;
  /** Rounds that were retried because of throttled items. */
  throttledRetries: number;
  /** commitLast operations held back because another operation failed (write them once it is handled). */
  deferred: BulkOp[];
}

export interface BulkSinkOptions {
  /** Flush a request when its body reaches this many bytes. */
  flushBytes?: number;
  /** Bulk requests in flight at once for one write. */
  concurrency?: number;
  /** Rounds of retry for throttled items before they are reported as failed. */
  throttleRetries?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Called while waiting out throttling, so an activity can heartbeat. */
  onThrottled?: (info: { round: number; items: number; delayMs: number }) => void;
  sleep?: (ms: number) => Promise<void>;
}

const defaults = {
  flushBytes: 5_000_000,
  concurrency: 2,
  throttleRetries: 6,
  baseDelayMs: 500,
  maxDelayMs: 30_000,
};

export class BulkSink {
  private readonly opts: Required<Omit<BulkSinkOptions, 'onThrottled'>> &
    Pick<BulkSinkOptions, 'onThrottled'>;

  constructor(
    private readonly es: Client,
    options: BulkSinkOptions = {},
  ) {
    this.opts = {
      ...defaults,
      sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
      ...options,
    };
  }

  /**
   * Writes `ops` (operations on the same document keep their order only if they are in the same
   * request: callers send one operation per document). A request-level error (Elasticsearch down,
   * rejected request) throws, so the caller's activity retries the whole batch — the ids are
   * deterministic, so that is idempotent.
   */
  async write(input: BulkOp[]): Promise<BulkWriteResult> {
    const ops = await this.resolveMerges(input);
    const first = ops.filter((op) => !op.commitLast);
    const last = ops.filter((op) => op.commitLast);
    const result: BulkWriteResult = { failed: [], succeeded: 0, throttledRetries: 0, deferred: [] };
    await this.writeWithRetries(first, result);
    if (result.failed.length) result.deferred = last;
    else if (last.length) await this.writeWithRetries(last, result);
    return result;
  }

  private async resolveMerges(ops: BulkOp[]): Promise<BulkOp[]> {
    const merging = ops.filter((op) => op.action === 'index' && op.merge);
    if (!merging.length) return ops;
    const response = await this.es.mget<Record<string, unknown>>({
      docs: merging.map((op) => ({ _index: op.index, _id: op.id })),
    });
    const stored = new Map<string, Record<string, unknown>>();
    for (const doc of response.docs) {
      if ('found' in doc && doc.found && doc._source)
        stored.set(opKey({ index: doc._index, id: doc._id }), doc._source);
    }
    return ops.map((op) =>
      op.action === 'index' && op.merge
        ? {
            action: 'index',
            index: op.index,
            id: op.id,
            commitLast: op.commitLast,
            doc: op.merge(stored.get(opKey(op)), op.doc),
          }
        : op,
    );
  }

  private async writeWithRetries(ops: BulkOp[], result: BulkWriteResult): Promise<void> {
    let pending = ops;
    for (let round = 0; pending.length; round++) {
      const { throttled, failed, succeeded } = await this.writeOnce(pending);
      result.failed.push(...failed);
      result.succeeded += succeeded;
      if (!throttled.length) return;
      if (round >= this.opts.throttleRetries) {
        result.failed.push(
          ...throttled.map((t) => ({
            ...t,
            reason: `throttled by Elasticsearch after ${round + 1} attempts: ${t.reason}`,
          })),
        );
        return;
      }
      const delayMs = backoffDelay(round, this.opts.baseDelayMs, this.opts.maxDelayMs);
      this.opts.onThrottled?.({ round, items: throttled.length, delayMs });
      result.throttledRetries++;
      await this.opts.sleep(delayMs);
      const retryKeys = new Set(throttled.map((t) => opKey(t)));
      pending = pending.filter((op) => retryKeys.has(opKey(op)));
    }
  }

  private async writeOnce(ops: BulkOp[]) {
    const throttled: FailedBulkItem[] = [];
    const failed: FailedBulkItem[] = [];
    const stats = await this.es.helpers.bulk<BulkOp>({
      datasource: ops,
      flushBytes: this.opts.flushBytes,
      concurrency: this.opts.concurrency,
      // Our own rounds retry 429s with exponential backoff; the helper's retries wait a fixed time.
      retries: 0,
      refreshOnCompletion: false,
      onDocument: (op) => toHelperAction(op) as any,
      onDrop: (drop) => {
        const header = drop.operation as unknown as Record<string, { _index: string; _id: string }>;
        const action = Object.keys(header)[0] as BulkOp['action'];
        const { _index: index, _id: id } = header[action]!;
        // Deleting what is already gone is the outcome the caller wanted.
        if (action === 'delete' && drop.status === 404) return;
        const item: FailedBulkItem = {
          index,
          id,
          action,
          status: drop.status,
          reason: describeError(drop.error),
        };
        (drop.status === 429 ? throttled : failed).push(item);
      },
    });
    const deletesOfMissing = stats.failed - throttled.length - failed.length;
    return { throttled, failed, succeeded: stats.successful + deletesOfMissing };
  }
}

function opKey(op: { index: string; id: string }): string {
  return `${op.index}\u001f${op.id}`;
}

/** Exponential backoff with full jitter: spreads the retries of many workers hitting one cluster. */
export function backoffDelay(round: number, baseMs: number, maxMs: number): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** round);
  return Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
}

function toHelperAction(op: BulkOp): object | [object, object] {
  const header = { _index: op.index, _id: op.id };
  switch (op.action) {
    case 'index':
      return [{ index: header }, op.doc];
    case 'delete':
      return { delete: header };
    case 'update': {
      // The helper spreads this over `{doc: <datasource item>}`: `doc` must always be overridden
      // (undefined is dropped by JSON serialisation, which a script-only update needs).
      const body: Record<string, unknown> = { doc: op.doc };
      if (op.script) body.script = { lang: 'painless', ...op.script };
      if (op.upsert) body.upsert = op.upsert;
      return [{ update: { ...header, retry_on_conflict: 3 } }, body];
    }
  }
}

function describeError(error: unknown): string {
  if (!error) return 'unknown error';
  const e = error as { type?: string; reason?: string; caused_by?: { type?: string; reason?: string } };
  const cause = e.caused_by ? ` (caused by ${e.caused_by.type}: ${e.caused_by.reason})` : '';
  return `${e.type ?? 'error'}: ${e.reason ?? JSON.stringify(error)}${cause}`;
}
