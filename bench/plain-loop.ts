// Baseline (b): the same crawl as crawlArchive, as a plain loop over the SAME activity functions
// (createActivities with a plain runtime) and the SAME decisions (MailboxCrawlState, its window
// maths from workflows/mailbox-windows.ts, a page of each view at once), without Temporal.
// Mailboxes run `mailboxCrawling` at a time.
import type { MessageCounters } from '../common/message-counters';
import type { CrawlerActivities, RegistryMailbox } from '../common/activity-contracts';
import { addCounters, emptyCounters } from '../common/message-counters';
import type { SourceSettings } from '../common/settings';
import type { ActivityDeps } from '../activities/deps';
import { createActivities } from '../activities';
import { PlainActivityRuntime } from '../activities/activity-runtime';
import { MailboxCrawlState } from '../workflows/mailbox-crawl-state';
import { companionPage, type PageStep } from '../workflows/parallel-views';

export interface PlainLoopResult {
  seconds: number;
  mailboxes: number;
  failedMailboxes: string[];
  counters: MessageCounters;
}

/** Like the workflow's retry policy (1 s doubling, ~10 attempts), shortened: a bench must not hang. */
const MAX_ATTEMPTS = 5;

/** Runs one activity with retries; a retry sees the last heartbeat of the attempt before it. */
async function withRetries<T>(run: (runtime: PlainActivityRuntime) => Promise<T>): Promise<T> {
  let previous: unknown;
  for (let attempt = 1; ; attempt++) {
    const runtime = new PlainActivityRuntime({ previousDetails: previous, attempt });
    try {
      return await run(runtime);
    } catch (err) {
      const nonRetryable = (err as { nonRetryable?: boolean }).nonRetryable === true;
      if (nonRetryable || attempt >= MAX_ATTEMPTS) throw err;
      previous = runtime.lastDetails;
      await new Promise((r) => setTimeout(r, Math.min(1000 * 2 ** (attempt - 1), 8000)));
    }
  }
}

export async function runPlainLoop(
  baseDeps: ActivityDeps,
  settings: SourceSettings,
  windowDays?: number,
): Promise<PlainLoopResult> {
  // Each attempt gets activities bound to its own runtime (lanes run concurrently), as a worker does.
  const call = <T>(fn: (acts: CrawlerActivities) => Promise<T>) =>
    withRetries((runtime) => fn(createActivities({ ...baseDeps, runtime: () => runtime })));

  const started = Date.now();
  const passId = `plain-${started}`;
  await call((acts) => acts.snapshotScope({ settings, passId }));
  const mailboxes: RegistryMailbox[] = [];
  let searchAfter: (string | number)[] | undefined;
  do {
    const page = await call((acts) =>
      acts.readRegistryPage({
        settings,
        passId,
        scope: 'inScope',
        size: 100,
        ...(searchAfter ? { searchAfter } : {}),
      }),
    );
    mailboxes.push(...page.mailboxes);
    searchAfter = page.nextSearchAfter;
  } while (searchAfter);

  const totals = emptyCounters();
  const failedMailboxes: string[] = [];
  const queue = [...mailboxes];
  const crawlOne = async (mailbox: RegistryMailbox) => {
    const state = new MailboxCrawlState({ sourceId: settings.sourceId, ...mailbox }, undefined, windowDays);
    state.enqueue({ passId, replyTo: '', mode: 'delta', settings });
    const { watermarks } = await call((acts) => acts.loadWatermarks({ settings, address: mailbox.address }));
    // Same decisions as the workflow, whose patch `adaptive-windows` is on for new passes.
    const pass = state.beginPass(Date.now(), watermarks, { adaptiveWindows: true });
    for (;;) {
      const step = state.nextStep();
      if (step.kind === 'idle' || step.kind === 'finish') break;
      try {
        if (step.kind === 'page') {
          // A page of each view at once, as the workflow does (patch parallel-views).
          const companion = companionPage(pass, step);
          const crawl = (page: PageStep) =>
            call((acts) =>
              acts.crawlPage({
                settings,
                address: mailbox.address,
                domain: mailbox.domain,
                view: page.view,
                passId,
                mode: pass.mode,
                refetchContent: false,
                window: page.window,
                pageIndex: page.pageIndex,
                watermarkOnLastPage: page.watermarkOnLastPage,
                ...(page.pageToken ? { pageToken: page.pageToken } : {}),
                ...(page.previousLastReceived ? { previousLastReceived: page.previousLastReceived } : {}),
              }),
            );
          const [own, beside] = await Promise.all([crawl(step), companion && crawl(companion)]);
          state.applyPage(own);
          if (companion && beside) state.applyPageOf(companion.view, beside);
        } else if (step.kind === 'retryFailed') {
          state.applyRetry(
            await call((acts) =>
              acts.retryFailedItems({
                settings,
                address: mailbox.address,
                domain: mailbox.domain,
                passId,
                maxAttempts: 5,
              }),
            ),
          );
        } else {
          const { deleted } = await call((acts) =>
            acts.sweepUnseen({ settings, address: mailbox.address, view: step.view, passId }),
          );
          state.applySweep(step.view, deleted);
        }
      } catch (err) {
        state.failPass((err as Error).message, 'mailbox');
      }
    }
    const { report } = state.finishPass(Date.now());
    addCounters(totals, report.counters);
    if (report.status !== 'Completed')
      failedMailboxes.push(`${mailbox.address}: ${report.error ?? report.status}`);
  };
  // `mailboxCrawling` lanes, like the pass's sliding window of busy mailboxes.
  const lanes = Array.from(
    { length: Math.min(settings.parallelism.mailboxCrawling, queue.length) },
    async () => {
      for (let next = queue.shift(); next; next = queue.shift()) await crawlOne(next);
    },
  );
  await Promise.all(lanes);
  return {
    seconds: (Date.now() - started) / 1000,
    mailboxes: mailboxes.length,
    failedMailboxes,
    counters: totals,
  };
}
