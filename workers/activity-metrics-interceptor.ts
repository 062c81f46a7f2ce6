// The worker's one place for activity-level metrics (style.md "observability in one place"): the
// message outcomes and content bytes of every activity that returns MessageCounters (crawlPage,
// retryFailedItems) are counted here, not inside the business code.
import type { ActivityInterceptorsFactory } from '@temporalio/worker';
import type { MessageCounters } from '../common/message-counters';
import type { CrawlMetrics } from '../activities/ports';

/** Counter fields that are message outcomes (the rest are API and byte counts, exported elsewhere). */
export const MESSAGE_OUTCOMES = [
  'indexed',
  'skippedExisting',
  'skippedBySubject',
  'skippedByDate',
  'failed',
  'deleted',
  'oversize',
  'attachmentsIndexed',
  'attachmentsSkipped',
] as const satisfies readonly (keyof MessageCounters)[];

function countersOf(result: unknown): Partial<MessageCounters> | undefined {
  if (typeof result !== 'object' || result === null) return undefined;
  const counters = (result as { counters?: unknown }).counters;
  return typeof counters === 'object' && counters !== null
    ? (counters as Partial<MessageCounters>)
    : undefined;
}

export function recordMessageOutcomes(metrics: CrawlMetrics, counters: Partial<MessageCounters>): void {
  for (const outcome of MESSAGE_OUTCOMES) {
    const count = counters[outcome];
    if (typeof count === 'number' && count > 0) metrics.messageOutcome(outcome, count);
  }
  if (typeof counters.contentBytes === 'number') metrics.contentBytes(counters.contentBytes);
}

export function activityMetricsInterceptor(metrics: CrawlMetrics): ActivityInterceptorsFactory {
  return () => ({
    inbound: {
      async execute(input, next) {
        const result = await next(input);
        const counters = countersOf(result);
        if (counters) recordMessageOutcomes(metrics, counters);
        return result;
      },
    },
  });
}
