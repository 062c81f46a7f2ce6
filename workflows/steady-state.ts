// The steady state of a mailbox workflow (patch `steady-state`): an hourly delta pass over a mailbox
// with nothing new costs one activity (probeMailbox), one search-attribute upsert and the report,
// and the run waits for the next pass instead of continuing-as-new after every pass.
import type { SearchAttributeUpdatePair, TypedSearchAttributes } from '@temporalio/common';
import type { CrawlRequest, TimeWindow } from '../common/contracts';
import type { SourceSettings } from '../common/settings';
import type { ProbedView } from '../common/activity-contracts';
import { VIEWS } from '../common/contracts';
import type { MailboxState, ViewCoverage } from './mailbox-state-migration';
import { missingEarlierRange, passRange, splitWindows } from './mailbox-windows';

export const STEADY_STATE_PATCH = 'steady-state';

/**
 * Between passes a run continues-as-new once its history has this many events (an idle pass adds
 * 16): measured in BENCHMARKS.md, "Steady state": a cached run answers the next pass without
 * replay, and an evicted one replays at most this many events.
 */
export const DEFAULT_CONTINUE_AS_NEW_BETWEEN_PASSES_AFTER_EVENTS = 1_000;

/**
 * The range a delta pass lists for a view from its coverage: `{}` when the view has nothing to list
 * (endDate passed), undefined when it needs the usual crawl (no token, or startDate moved earlier than
 * its coverage). Shared by the workflow's probe and the pass's idle screen, so both plan as the mailbox would.
 */
export function deltaRangeOf(
  settings: Pick<SourceSettings, 'messages' | 'performance'>,
  coverage: ViewCoverage | undefined,
  nowMs: number,
): { token: string; range?: TimeWindow } | undefined {
  const token = coverage?.token;
  if (!token || missingEarlierRange(settings.messages.startDate, coverage.coveredFrom)) return undefined;
  const range = passRange({
    startDate: settings.messages.startDate,
    endDate: settings.messages.endDate,
    token,
    deltaTokenOffsetMinutes: settings.performance.deltaTokenOffsetMinutes,
    nowMs,
  });
  return range ? { token, range } : { token };
}

/**
 * The first window of every view, planned from the workflow's own tokens, when the pass can take the
 * fast path: a delta pass (not refetching content) of a mailbox whose views all have a token, with
 * no recorded failures to retry and no earlier range to fill. Undefined otherwise (the usual path: watermarks, then pages).
 */
export function probedViews(
  state: MailboxState,
  request: CrawlRequest,
  nowMs: number,
  windowDays: number,
): ProbedView[] | undefined {
  const { settings } = request;
  if (request.mode !== 'delta' || settings.messages.ignoreDeltaTokens || request.refetchContent)
    return undefined;
  if (state.failedOutstanding > 0) return undefined;
  const views: ProbedView[] = [];
  for (const view of VIEWS) {
    const planned = deltaRangeOf(settings, state.coverage[view], nowMs);
    if (!planned) return undefined;
    const first = planned.range ? splitWindows(planned.range, windowDays)[0] : undefined;
    if (first) views.push({ view, window: first, token: planned.token });
  }
  return views.length ? views : undefined;
}

/** The pairs whose value differs from the workflow's current search attributes (dates by time). */
export function changedSearchAttributes(
  current: TypedSearchAttributes,
  pairs: SearchAttributeUpdatePair[],
): SearchAttributeUpdatePair[] {
  return pairs.filter((pair) => {
    const before: unknown = current.get(pair.key);
    const after: unknown = pair.value;
    if (before instanceof Date && after instanceof Date) return before.getTime() !== after.getTime();
    return before !== after;
  });
}

/** Whether a run that just finished a pass should continue-as-new rather than wait in place. */
export function continueAsNewBetweenPasses(
  historyLength: number,
  suggested: boolean,
  afterEvents: number = DEFAULT_CONTINUE_AS_NEW_BETWEEN_PASSES_AFTER_EVENTS,
): boolean {
  return suggested || historyLength >= afterEvents;
}
