// Pages of both views at once (issue 14): a mailbox's views (inbox, sent) are independent cursors, so
// while one view has a page to crawl, the next view's page runs beside it. The two results are applied
// in view order once both have ended, so the error budget, the counters and continue-as-new see the
// same points as one page at a time. New runs only (patch PARALLEL_VIEWS_PATCH): histories of earlier
// builds replay their pages one at a time.
import { patched } from '@temporalio/workflow';
import type { CrawlPageResult } from '../common/activity-contracts';
import type { PassCursor } from './mailbox-state-migration';
import type { MailboxCrawlState } from './mailbox-crawl-state';
import type { MailboxStep } from './mailbox-step';
import { pageStepOf } from './view-cursor';

export const PARALLEL_VIEWS_PATCH = 'parallel-views';

export type PageStep = Extract<MailboxStep, { kind: 'page' }>;

/** The page of the first later view that still has windows, to run beside `step` (a page of the current view). */
export function companionPage(pass: PassCursor, step: PageStep): PageStep | undefined {
  for (let i = pass.viewIndex + 1; i < pass.views.length; i++) {
    const cursor = pass.views[i]!;
    if (cursor.view !== step.view && cursor.windowIndex < cursor.windows.length) return pageStepOf(cursor);
  }
  return undefined;
}

/**
 * Crawls `step` and, when another view has a page left, that page beside it; applies what ended well
 * in view order (calling `applied` after each), then rethrows the first failure, if any.
 */
export async function crawlPages(
  state: MailboxCrawlState,
  step: PageStep,
  crawl: (step: PageStep) => Promise<CrawlPageResult>,
  applied: () => void,
): Promise<void> {
  const companion = companionPage(state.pass!, step);
  if (!companion || !patched(PARALLEL_VIEWS_PATCH)) {
    state.applyPage(await crawl(step));
    applied();
    return;
  }
  const steps = [step, companion];
  const results = await Promise.allSettled(steps.map((s) => crawl(s)));
  let failure: { reason: unknown } | undefined;
  results.forEach((result, i) => {
    if (result.status === 'fulfilled') {
      state.applyPageOf(steps[i]!.view, result.value);
      applied();
    } else failure ??= { reason: result.reason };
  });
  if (failure) throw failure.reason;
}
