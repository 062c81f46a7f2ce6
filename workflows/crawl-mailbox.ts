// crawlMailbox: the long-lived workflow of one mailbox (docs/architecture.md, Tokens and windows; Mailbox
// workflows and liveness; Modes of a pass; Error scopes). It waits for crawlRequested, runs one pass at a
// time (windows → pages → sweep), reports to the requester and waits for the next pass, continuing-as-new
// when its history grows (workflows/steady-state.ts). Decisions live in MailboxCrawlState; this file only wires.
import {
  CancellationScope,
  CancelledFailure,
  allHandlersFinished,
  condition,
  getExternalWorkflowHandle,
  isCancellation,
  log,
  makeContinueAsNewFunc,
  patched,
  setCurrentDetails,
  setHandler,
  setWorkflowOptions,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { SearchAttributeUpdatePair } from '@temporalio/common';
import type { CrawlMailboxInput, CrawlRequest, MailboxReport, MailboxStatus } from '../common/contracts';
import {
  cancelMailboxSignal,
  crawlRequestedSignal,
  mailboxFailedSignal,
  mailboxFinishedSignal,
  mailboxProgressQuery,
  pauseMailboxSignal,
  restartMailboxUpdate,
  resumeMailboxSignal,
  stopMailboxSignal,
} from '../common/messages';
import { MimecastLastPassAt, MimecastPassId, MimecastSource } from '../common/search-attributes';
import { carriedSettings, type CarriedSettings } from '../common/carried-settings';
import { parseSettingsLenient } from '../common/settings';
import { failureOf } from './activity-failure';
import { pageInput, probeInput, retryInput, sweepInput, watermarksInput } from './mailbox-activity-inputs';
import { MailboxCrawlState } from './mailbox-crawl-state';
import { crawlPages } from './parallel-views';
import { mailboxActivities } from './mailbox-activities';
import { mailboxDetails, MailboxErrorWatch } from './mailbox-details';
import type { MailboxStep } from './mailbox-step';
import { identityAttributes, statusAttributes } from './mailbox-search-attributes';
import {
  changedSearchAttributes,
  continueAsNewBetweenPasses,
  probedViews,
  STEADY_STATE_PATCH,
} from './steady-state';
import { FAIL_WORKFLOW_ON } from './workflow-failures';

/**
 * Continue-as-new mid-pass below the 10,000-event budget per run (docs/architecture.md, Tests and
 * benchmarks), leaving room for the last page and the report; tests lower it with tuning. A new value
 * changes where running mailboxes continue-as-new on replay: behind patched() (same doc, Versioning).
 */
const DEFAULT_CONTINUE_AS_NEW_AFTER_EVENTS = 9_000;

export async function crawlMailbox(input: CrawlMailboxInput): Promise<void> {
  const tuning = input.tuning ?? {};
  const identity = {
    sourceId: input.sourceId,
    address: input.address,
    mailboxKey: input.mailboxKey,
    domain: input.domain,
  };
  const state = new MailboxCrawlState(identity, input.state, tuning.windowDays);
  const continueAsNewAfterEvents = tuning.continueAsNewAfterEvents ?? DEFAULT_CONTINUE_AS_NEW_AFTER_EVENTS;

  const acts = mailboxActivities(tuning);
  const errors = new MailboxErrorWatch();
  /** The Web UI's current details (not a command: no patch). */
  const showDetails = (step?: MailboxStep) => {
    const progress = state.progress();
    const at = new Date().toISOString();
    setCurrentDetails(mailboxDetails(progress, step, errors.observe(progress.lastError, at)));
  };

  /** Tolerates a requester that is gone: its own liveness check records the mailbox then. */
  async function report(replyTo: string, mailboxReport: MailboxReport): Promise<void> {
    if (!replyTo) return;
    const signal = mailboxReport.status === 'Completed' ? mailboxFinishedSignal : mailboxFailedSignal;
    try {
      await CancellationScope.nonCancellable(() =>
        getExternalWorkflowHandle(replyTo).signal(signal, mailboxReport),
      );
    } catch (err) {
      log.warn('could not report to the pass', { replyTo, passId: mailboxReport.passId, error: String(err) });
    }
  }

  async function reportDropped(requests: CrawlRequest[], reason: string): Promise<void> {
    for (const request of requests) await report(request.replyTo, state.droppedReport(request, reason));
  }

  /** A pass's settings are parsed already; those of older passes get their defaults here (lenient parse). */
  async function accept(request: CrawlRequest): Promise<void> {
    let carried: CarriedSettings;
    try {
      carried = carriedSettings(request);
    } catch (err) {
      await report(request.replyTo, {
        ...state.droppedReport(request, `invalid settings: ${(err as Error).message}`),
        status: 'Failed',
        errorKind: 'source',
      });
      return;
    }
    state.enqueue({ ...request, ...carried });
  }

  // The starting requests are queued before any handler runs, so a pause or cancel sent right
  // after the start (buffered signals run at setHandler) finds its pass.
  for (const request of input.requests ?? []) await accept(request);

  setHandler(crawlRequestedSignal, accept);
  setHandler(pauseMailboxSignal, ({ passId }) => state.pause(passId));
  setHandler(resumeMailboxSignal, ({ passId }) => state.resume(passId));
  setHandler(cancelMailboxSignal, async ({ passId, reason }) => {
    await reportDropped(state.cancel(passId, reason), reason ?? 'cancelled');
  });
  setHandler(stopMailboxSignal, async ({ reason }) => {
    await reportDropped(state.stop(reason), `mailbox stopped: ${reason}`);
  });
  setHandler(mailboxProgressQuery, () => state.progress());
  setHandler(
    restartMailboxUpdate,
    (restart) => {
      const settings = restart.settings ? parseSettingsLenient(restart.settings) : undefined;
      return state.restart(restart, settings, Date.now());
    },
    {
      validator: (restart) => {
        state.validateRestart(restart);
        if (restart.settings) parseSettingsLenient(restart.settings);
      },
    },
  );

  function upsert(status: MailboxStatus, extra: SearchAttributeUpdatePair[] = []): void {
    upsertSearchAttributes(statusAttributes(status, state.state.messagesIndexedTotal, extra));
  }

  /** Steady state: only the values that change (an idle pass changes its pass id and time). */
  function upsertChanged(status: MailboxStatus, extra: SearchAttributeUpdatePair[]): void {
    const pairs = changedSearchAttributes(
      workflowInfo().typedSearchAttributes,
      statusAttributes(status, state.state.messagesIndexedTotal, extra),
    );
    if (pairs.length) upsertSearchAttributes(pairs);
  }
  /** Set by the fast path: 'Running' is upserted only if the pass needs more than the probe. */
  let runningUpsertPending = false;

  // The identity attributes are set once and then carried by continue-as-new.
  if (workflowInfo().typedSearchAttributes.get(MimecastSource) === undefined) {
    upsert(state.state.status, identityAttributes(identity));
  }

  /** Every activity runs to its end even when the workflow is cancelled: the page is finished, tokens kept. */
  async function finishing<T>(fn: () => Promise<T>): Promise<T> {
    return CancellationScope.nonCancellable(fn);
  }

  /**
   * Steady state: one activity reads the watermarks and crawls the first page of each view when it
   * needs no content; a mailbox with nothing new is done when it returns. False: not applicable
   * (the usual path runs); true: handled (a pass began, or the request was dropped meanwhile).
   */
  async function beginPassByProbe(request: CrawlRequest): Promise<boolean> {
    const nowMs = Date.now();
    const views = probedViews(state.state, request, nowMs, state.windowDays);
    if (!views || !patched(STEADY_STATE_PATCH)) return false;
    let probed;
    try {
      probed = await finishing(() => acts.probeMailbox(probeInput(identity, request, views)));
    } catch (err) {
      if (isCancellation(err)) throw err;
      if (droppedMeanwhile(request)) return true;
      state.beginPass(nowMs, {});
      const failure = failureOf(err);
      state.failPass(`could not read the watermarks: ${failure.message}`, failure.kind);
      return true;
    }
    if (droppedMeanwhile(request)) return true;
    state.beginPass(nowMs, probed.watermarks, { adaptiveWindows: patched('adaptive-windows') });
    state.applyProbedPages(views, probed.pages);
    runningUpsertPending = true;
    return true;
  }

  async function beginPass(): Promise<void> {
    const request = state.peekRequest();
    if (!request) return;
    if (request.mode !== 'retryFailed' && (await beginPassByProbe(request))) return;
    let watermarks = {};
    if (request.mode !== 'retryFailed') {
      try {
        ({ watermarks } = await finishing(() => acts.loadWatermarks(watermarksInput(identity, request))));
      } catch (err) {
        if (isCancellation(err)) throw err;
        if (droppedMeanwhile(request)) return;
        state.beginPass(Date.now(), {});
        const failure = failureOf(err);
        state.failPass(`could not read the watermarks: ${failure.message}`, failure.kind);
        return;
      }
    }
    if (droppedMeanwhile(request)) return;
    // Histories recorded before adaptive windows replay with fixed windows.
    const pass = state.beginPass(Date.now(), watermarks, { adaptiveWindows: patched('adaptive-windows') });
    upsert('Running', [{ key: MimecastPassId, value: pass.request.passId }]);
  }

  /**
   * A cancel or stop that arrived while the watermarks loaded dropped (and reported) the request:
   * no pass starts. Another request now at the head gets its own watermarks (new runs only: an
   * older build started it with these, patch `requeue-dropped-request`).
   */
  function droppedMeanwhile(request: CrawlRequest): boolean {
    const head = state.peekRequest();
    return head === undefined || (head !== request && patched('requeue-dropped-request'));
  }

  function shouldContinueAsNew(): boolean {
    const info = workflowInfo();
    return info.continueAsNewSuggested || info.historyLength >= continueAsNewAfterEvents;
  }

  /** Runs steps of the pass in progress until it finishes or the history asks for a new run. */
  async function runPass(): Promise<'finished' | 'continueAsNew'> {
    for (;;) {
      if (CancellationScope.current().consideredCancelled)
        state.cancel(undefined, 'the workflow was cancelled');
      if (state.state.paused) {
        try {
          await condition(() => !state.state.paused || state.pass?.outcome !== undefined);
        } catch (err) {
          if (!isCancellation(err)) throw err;
          state.cancel(undefined, 'the workflow was cancelled');
        }
      }
      const step = state.nextStep();
      showDetails(step);
      const pass = state.pass!;
      const { passId } = pass.request;
      if (runningUpsertPending && step.kind !== 'finish' && step.kind !== 'idle') {
        runningUpsertPending = false;
        upsert('Running', [{ key: MimecastPassId, value: passId }]);
      }
      try {
        switch (step.kind) {
          case 'idle':
          case 'finish':
            return 'finished';
          case 'retryFailed':
            state.applyRetry(
              await finishing(() => acts.retryFailedItems(retryInput(identity, pass, tuning))),
            );
            break;
          case 'page':
            await crawlPages(
              state,
              step,
              (page) => finishing(() => acts.crawlPage(pageInput(identity, pass, page))),
              () => state.shouldUpsertProgress() && upsert('Running'),
            );
            break;
          case 'sweep': {
            const { deleted } = await finishing(() =>
              acts.sweepUnseen(sweepInput(identity, pass, step.view)),
            );
            state.applySweep(step.view, deleted);
            break;
          }
        }
      } catch (err) {
        if (isCancellation(err)) throw err;
        const failure = failureOf(err);
        state.failPass(failure.message, failure.kind);
      }
      if (state.pass?.outcome === undefined && shouldContinueAsNew()) return 'continueAsNew';
    }
  }

  async function continueAsNewNow(): Promise<never> {
    await condition(allHandlersFinished);
    const next = makeContinueAsNewFunc<typeof crawlMailbox>({
      typedSearchAttributes: workflowInfo().typedSearchAttributes,
    });
    return next({ ...input, requests: [], state: state.toCarried() });
  }

  for (;;) {
    // Waits for a request; one dropped while its watermarks loaded sends the workflow back to waiting.
    while (!state.pass) {
      showDetails();
      await condition(() => state.hasWork() || state.stopRequested);
      if (state.stopRequested && !state.pass) {
        await condition(allHandlersFinished);
        return;
      }
      if (!state.pass) await beginPass();
    }
    if ((await runPass()) === 'continueAsNew') await continueAsNewNow();

    const passId = state.pass!.request.passId;
    const { report: mailboxReport, replyTo } = state.finishPass(Date.now());
    runningUpsertPending = false;
    // Histories of earlier releases upsert every value and continue-as-new after every pass.
    const steady = patched(STEADY_STATE_PATCH);
    if (steady) {
      upsertChanged(mailboxReport.status, [
        { key: MimecastPassId, value: passId },
        { key: MimecastLastPassAt, value: new Date() },
      ]);
    } else {
      upsert(mailboxReport.status, [{ key: MimecastLastPassAt, value: new Date() }]);
    }
    await report(replyTo, mailboxReport);
    if (mailboxReport.status === 'Cancelled' && CancellationScope.current().consideredCancelled) {
      // The workflow itself was cancelled: the page finished and the tokens are kept; end as cancelled.
      throw new CancelledFailure('the mailbox workflow was cancelled');
    }
    if (state.stopRequested) {
      await condition(allHandlersFinished);
      return;
    }
    const info = workflowInfo();
    if (
      !steady ||
      continueAsNewBetweenPasses(
        info.historyLength,
        info.continueAsNewSuggested,
        tuning.continueAsNewBetweenPassesAfterEvents,
      )
    ) {
      await continueAsNewNow();
    }
  }
}

setWorkflowOptions(FAIL_WORKFLOW_ON, crawlMailbox);
