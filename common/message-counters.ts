// What a mailbox pass counts, per page and in total (the pass report's `messages`, docs/architecture.md,
// Index contract).

export interface MessageCounters {
  listed: number;
  indexed: number;
  /** Already in the index (delta overlap, reconcile): content not fetched again. */
  skippedExisting: number;
  skippedBySubject: number;
  /** Outside [startDate, endDate] although listed (defensive; the API filters already). */
  skippedByDate: number;
  failed: number;
  /**
   * Indexed, but incompletely (oversize, unreadable MIME or attachment text, an attachment that
   * Elasticsearch rejected): also recorded in `<prefix>-failed`, so the next pass retries it.
   */
  incomplete: number;
  /** Removed: expired/recalled under expiredPolicy=delete, or swept by reconcile. */
  deleted: number;
  attachmentsIndexed: number;
  attachmentsSkipped: number;
  oversize: number;
  contentBytes: number;
  apiCalls: number;
  linkGets: number;
  throttled: number;
  throttleWaitMs: number;
  pageTokenRestarts: number;
}

export function emptyCounters(): MessageCounters {
  return {
    listed: 0,
    indexed: 0,
    skippedExisting: 0,
    skippedBySubject: 0,
    skippedByDate: 0,
    failed: 0,
    incomplete: 0,
    deleted: 0,
    attachmentsIndexed: 0,
    attachmentsSkipped: 0,
    oversize: 0,
    contentBytes: 0,
    apiCalls: 0,
    linkGets: 0,
    throttled: 0,
    throttleWaitMs: 0,
    pageTokenRestarts: 0,
  };
}

export function addCounters(into: MessageCounters, add: Partial<MessageCounters>): MessageCounters {
  for (const key of Object.keys(add) as (keyof MessageCounters)[]) {
    into[key] = (into[key] ?? 0) + (add[key] ?? 0);
  }
  return into;
}
