// crawlArchive: one pass of one source (docs/architecture.md, Mailbox workflows and liveness; Registry and
// deletion guard; Search attributes). Thin wiring around PassState: snapshot the scope, dispatch mailboxes
// from the registry in a sliding window, guarded deletion, the pass report. Mailbox workflows are long-lived
// and report back by signal.
import {
  ActivityFailure,
  allHandlersFinished,
  ApplicationFailure,
  CancellationScope,
  ChildWorkflowCancellationType,
  condition,
  ContinueAsNew,
  makeContinueAsNewFunc,
  executeChild,
  patched,
  getExternalWorkflowHandle,
  isCancellation,
  log,
  ParentClosePolicy,
  proxyActivities,
  setHandler,
  setWorkflowOptions,
  sleep,
  startChild,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError, type SearchAttributePair } from '@temporalio/common';
import {
  deleteWorkflowId,
  FailureTypes,
  mailboxWorkflowId,
  PASS_WORKFLOW_TASK_TIMEOUT,
  passModeFor,
  WorkflowTypes,
  type CrawlArchiveInput,
  type CrawlArchiveResult,
  type CrawlerActivities,
  type CrawlMailboxInput,
  type CrawlRequest,
  type DeleteMailboxInput,
  type DeleteMailboxResult,
  type MailboxStatus,
  type PassStarterRef,
  type PassStatus,
  type PassTuning,
} from '../common/contracts';
import {
  cancelMailboxSignal,
  cancelPassUpdate,
  crawlRequestedSignal,
  mailboxFailedSignal,
  mailboxFinishedSignal,
  passProgressQuery,
  pauseMailboxSignal,
  pausePassUpdate,
  resumeMailboxSignal,
  resumePassUpdate,
} from '../common/messages';
import {
  CrawlStatus,
  MessagesIndexed,
  MimecastDomain,
  MimecastLastPassAt,
  MimecastMailbox,
  MimecastPassId,
  MimecastSource,
  TemporalScheduledById,
} from '../common/search-attributes';
import { parseSettingsLenient, SettingsError, type SourceSettings } from '../common/settings';
import { ACTIVITY_OPTIONS } from './activity-options';
import { PassState, type InFlightMailbox } from './pass-state';
import { migratePassState, toCarriedState } from './pass-state-migration';
import { FAIL_WORKFLOW_ON } from './workflow-failures';

// The constants below shape the pass's command sequence (timers, child starts per run, upserts,
// registry writes): a new value goes behind patched() (docs/architecture.md, Versioning).
/** Patch: mailboxes whose workflow reported before are signalled before any start is tried. */
const SIGNAL_REPORTED_MAILBOXES_FIRST = 'signal-reported-mailboxes-first';
export const DEFAULT_LIVENESS_CHECK_MS = 10 * 60 * 1000;
/** A running mailbox whose progress mark stays the same over this many checks is recorded as failed. */
export const DEFAULT_STALLED_CHECKS = 3;
/** The server refuses more than 2,000 pending children per run; 500 keeps the history small too. */
export const DEFAULT_MAX_CHILD_STARTS_PER_RUN = 500;
/** MessagesIndexed is upserted after this many mailbox reports (and at every status change). */
const REPORTS_PER_COUNTER_UPSERT = 50;
/** Registry outcomes written per activity call (a bulk request). */
const REGISTRY_OUTCOMES_PER_WRITE = 500;
/** How often a start/signal race (mailbox closing in between) is retried before giving up. */
const DISPATCH_ATTEMPTS = 3;

const acts = {
  findRunningPasses: proxyActivities<CrawlerActivities>(ACTIVITY_OPTIONS.findRunningPasses).findRunningPasses,
  snapshotScope: proxyActivities<CrawlerActivities>(ACTIVITY_OPTIONS.snapshotScope).snapshotScope,
  readRegistryPage: proxyActivities<CrawlerActivities>(ACTIVITY_OPTIONS.readRegistryPage).readRegistryPage,
  describeMailboxes: proxyActivities<CrawlerActivities>(ACTIVITY_OPTIONS.describeMailboxes).describeMailboxes,
  writePassReport: proxyActivities<CrawlerActivities>(ACTIVITY_OPTIONS.writePassReport).writePassReport,
  recordMailboxOutcomes: proxyActivities<CrawlerActivities>(ACTIVITY_OPTIONS.recordMailboxOutcomes)
    .recordMailboxOutcomes,
};

/** A failure that ends the pass for the whole source, with its message for the operator
 * (docs/architecture.md, Error scopes). */
function sourceErrorMessage(err: unknown): string | undefined {
  if (err instanceof ActivityFailure) {
    const cause = err.cause;
    if (cause instanceof ApplicationFailure && cause.type === FailureTypes.source) return cause.message;
    // Retries exhausted on a pass activity (registry, directory, Elasticsearch): nothing more this pass can do.
    return `${err.activityType ?? 'activity'} failed: ${cause?.message ?? err.message}`;
  }
  if (err instanceof SettingsError) return err.message;
  return undefined;
}

function isSignalTargetNotFound(err: unknown): boolean {
  return err instanceof ApplicationFailure && /not found|NotFound/i.test(`${err.type ?? ''} ${err.message}`);
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * One pass of one source. A source-level failure (docs/architecture.md, Error scopes) fails the workflow, so
 * a schedule with pause-on-failure pauses; the failure's details carry the pass's progress for the CLI.
 */
export async function crawlArchive(input: CrawlArchiveInput): Promise<CrawlArchiveResult> {
  const progress = await runPass(input);
  if (progress.status === 'Failed') {
    throw ApplicationFailure.create({
      type: FailureTypes.source,
      message: progress.error ?? 'the pass failed',
      nonRetryable: true,
      details: [progress],
    });
  }
  return progress;
}

setWorkflowOptions(FAIL_WORKFLOW_ON, crawlArchive);

async function runPass(input: CrawlArchiveInput): Promise<CrawlArchiveResult> {
  const info = workflowInfo();
  const tuning: PassTuning = input.tuning ?? {};
  const options = input.options ?? {};

  let settings: SourceSettings;
  try {
    settings = parseSettingsLenient(input.settings);
  } catch (err) {
    // A bad schedule argument fails the pass with a message, not the workflow task forever.
    const failed = PassState.create({
      passId: `${info.workflowId}@${info.firstExecutionRunId}`,
      sourceId: String((input.settings as { sourceId?: unknown } | undefined)?.sourceId ?? ''),
      mode: 'delta',
      startedAt: new Date().toISOString(),
    });
    failed.failSource(errorMessage(err));
    failed.finish();
    return failed.progress();
  }

  const state = input.carried
    ? new PassState(migratePassState(input.carried))
    : PassState.create({
        passId: `${info.workflowId}@${info.firstExecutionRunId}`,
        sourceId: settings.sourceId,
        mode: passModeFor('delta', settings, options.ignoreDeltaTokens),
        startedAt: new Date().toISOString(),
      });
  const d = state.data;
  const crawlWindow = settings.parallelism.mailboxCrawling;
  const deleteWindow = settings.parallelism.mailboxDeletion;
  const livenessMs = tuning.livenessCheckMs ?? DEFAULT_LIVENESS_CHECK_MS;
  const stalledChecks = tuning.stalledChecks ?? DEFAULT_STALLED_CHECKS;
  const maxChildStarts = tuning.maxChildStartsPerRun ?? DEFAULT_MAX_CHILD_STARTS_PER_RUN;
  const registryPageSize = tuning.registryPageSize ?? Math.max(100, crawlWindow);

  let childStartsThisRun = 0;
  /** Bumped by every handler and dispatch outcome, so the main loop wakes up. */
  let generation = 0;
  let reportsSinceUpsert = 0;
  let lastUpsertedStatus: PassStatus | undefined;
  const dispatching = new Set<Promise<void>>();

  // ----- search attributes (docs/architecture.md, Search attributes): on status changes and every few
  // reports only
  function upsertProgress(force = false): void {
    const statusChanged = d.status !== lastUpsertedStatus;
    if (!force && !statusChanged && reportsSinceUpsert < REPORTS_PER_COUNTER_UPSERT) return;
    const pairs: SearchAttributePair[] = [
      { key: CrawlStatus, value: d.status },
      { key: MessagesIndexed, value: d.messages.indexed },
    ];
    if (!input.carried && lastUpsertedStatus === undefined) {
      pairs.push(
        { key: MimecastSource, value: d.sourceId },
        { key: MimecastPassId, value: d.passId },
        { key: MimecastLastPassAt, value: new Date(d.startedAt) },
      );
    }
    upsertSearchAttributes(pairs);
    lastUpsertedStatus = d.status;
    reportsSinceUpsert = 0;
  }

  // ----- the registry learns each mailbox's outcome (what `status` shows; what makes it a deletion
  // candidate later). Batched: one write in flight at a time, carrying whatever arrived meanwhile.
  const outcomeBuffer: { address: string; status: MailboxStatus }[] = [];
  let outcomeWrite: Promise<void> | undefined;
  function recordRegistryStatus(address: string, status: MailboxStatus): void {
    outcomeBuffer.push({ address, status });
    flushOutcomes();
  }
  function flushOutcomes(): void {
    if (outcomeWrite || outcomeBuffer.length === 0) return;
    const outcomes = outcomeBuffer.splice(0, REGISTRY_OUTCOMES_PER_WRITE);
    outcomeWrite = acts
      .recordMailboxOutcomes({ settings, passId: d.passId, at: new Date().toISOString(), outcomes })
      .catch((err) =>
        log.warn('could not update the registry', { mailboxes: outcomes.length, error: errorMessage(err) }),
      )
      .finally(() => {
        outcomeWrite = undefined;
        generation++;
        flushOutcomes();
      });
  }
  const outcomesWritten = () => outcomeWrite === undefined && outcomeBuffer.length === 0;

  // ----- messages
  const onReport = (report: Parameters<typeof state.applyReport>[0]) => {
    if (state.applyReport(report)) {
      recordRegistryStatus(report.address, report.status);
      reportsSinceUpsert++;
      generation++;
      // A source error seen by one mailbox (403, 401 after a fresh token, ES read-only) fails the whole pass.
      if (report.errorKind === 'source' && d.status !== 'Failed') {
        const message = report.error ?? `a source error stopped mailbox ${report.mailboxKey}`;
        state.failSource(message);
        void forwardToMailboxes((id) =>
          getExternalWorkflowHandle(id).signal(cancelMailboxSignal, { passId: d.passId, reason: message }),
        );
      }
    } else {
      log.info('ignored a mailbox report', { passId: report.passId, mailboxKey: report.mailboxKey });
    }
  };
  setHandler(mailboxFinishedSignal, onReport);
  setHandler(mailboxFailedSignal, onReport);
  setHandler(passProgressQuery, () => state.progress());

  /** Forwards pause/resume/cancel to every in-flight mailbox; a mailbox that is gone is the liveness check's business. */
  async function forwardToMailboxes(send: (workflowId: string) => Promise<void>): Promise<void> {
    if (d.phase !== 'crawl') return;
    await Promise.allSettled(
      state.inFlightMailboxes().map((m) => send(mailboxWorkflowId(d.sourceId, m.mailboxKey))),
    );
  }
  const refuseWhenDone = () => {
    if (d.phase === 'done') throw new Error(`the pass has already ended (${d.status})`);
  };
  setHandler(
    pausePassUpdate,
    async () => {
      state.pause();
      generation++;
      await forwardToMailboxes((id) =>
        getExternalWorkflowHandle(id).signal(pauseMailboxSignal, { passId: d.passId }),
      );
      return state.progress();
    },
    { validator: refuseWhenDone },
  );
  setHandler(
    resumePassUpdate,
    async () => {
      state.resume();
      generation++;
      await forwardToMailboxes((id) =>
        getExternalWorkflowHandle(id).signal(resumeMailboxSignal, { passId: d.passId }),
      );
      return state.progress();
    },
    { validator: refuseWhenDone },
  );
  setHandler(
    cancelPassUpdate,
    async (request) => {
      await cancelInFlight(request?.reason ?? 'cancelled by an operator');
      return state.progress();
    },
    { validator: (_request: { reason?: string }) => refuseWhenDone() },
  );

  async function cancelInFlight(reason: string): Promise<void> {
    state.requestCancel(reason);
    generation++;
    await forwardToMailboxes((id) =>
      getExternalWorkflowHandle(id).signal(cancelMailboxSignal, { passId: d.passId, reason }),
    );
  }

  // ----- dispatch of one mailbox: start it, or signal it when it already runs, or start it again
  async function startOrSignalMailbox(m: InFlightMailbox): Promise<void> {
    const workflowId = mailboxWorkflowId(d.sourceId, m.mailboxKey);
    const request: CrawlRequest = {
      passId: d.passId,
      replyTo: info.workflowId,
      mode: d.mode,
      refetchContent: options.refetchContent ?? false,
      settings,
    };
    const childInput: CrawlMailboxInput = {
      sourceId: d.sourceId,
      address: m.address,
      mailboxKey: m.mailboxKey,
      domain: m.domain,
      requests: [request],
      ...(tuning.mailboxTuning ? { tuning: tuning.mailboxTuning } : {}),
    };
    // A mailbox that reported before waits for its next pass: signalling it first saves a failed
    // start and a workflow task (counted like a start, so a run's history stays as bounded).
    if (m.reported && patched(SIGNAL_REPORTED_MAILBOXES_FIRST)) {
      childStartsThisRun++;
      try {
        await getExternalWorkflowHandle(workflowId).signal(crawlRequestedSignal, request);
        return;
      } catch (err) {
        if (!isSignalTargetNotFound(err)) throw err;
      }
    }
    for (let attempt = 1; attempt <= DISPATCH_ATTEMPTS; attempt++) {
      try {
        childStartsThisRun++;
        await startChild(WorkflowTypes.crawlMailbox, {
          workflowId,
          args: [childInput],
          parentClosePolicy: ParentClosePolicy.ABANDON,
          cancellationType: ChildWorkflowCancellationType.ABANDON,
          typedSearchAttributes: [
            { key: MimecastSource, value: d.sourceId },
            { key: MimecastMailbox, value: m.mailboxKey },
            { key: MimecastDomain, value: m.domain },
          ],
        });
        return;
      } catch (err) {
        if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
      }
      try {
        await getExternalWorkflowHandle(workflowId).signal(crawlRequestedSignal, request);
        return;
      } catch (err) {
        // It closed between our start and our signal: start it again.
        if (!isSignalTargetNotFound(err)) throw err;
      }
    }
    throw new Error(`the mailbox workflow ${workflowId} kept closing between start and signal`);
  }

  async function deleteOne(m: InFlightMailbox): Promise<void> {
    const deleteInput: DeleteMailboxInput = {
      settings,
      address: m.address,
      mailboxKey: m.mailboxKey,
      passId: d.passId,
      replyTo: info.workflowId,
    };
    childStartsThisRun++;
    const result = await executeChild<(i: DeleteMailboxInput) => Promise<DeleteMailboxResult>>(
      WorkflowTypes.deleteMailbox,
      {
        workflowId: deleteWorkflowId(d.sourceId, m.mailboxKey),
        args: [deleteInput],
        typedSearchAttributes: [
          { key: MimecastSource, value: d.sourceId },
          { key: MimecastMailbox, value: m.mailboxKey },
          { key: MimecastDomain, value: m.domain },
        ],
      },
    );
    log.info('mailbox deleted', { mailboxKey: m.mailboxKey, documents: result.deleted });
  }

  function launch(m: InFlightMailbox): void {
    const work =
      d.phase === 'delete'
        ? deleteOne(m).then(
            () => state.deletionFinished(m.mailboxKey, true),
            (err) => state.deletionFinished(m.mailboxKey, false, errorMessage(err)),
          )
        : startOrSignalMailbox(m).catch((err) => {
            // A cancelled pass leaves the mailbox in flight: the cancel signal reaches it or the pass ends.
            if (isCancellation(err)) return;
            state.markFailed(m.mailboxKey, `could not dispatch the mailbox workflow: ${errorMessage(err)}`);
          });
    const tracked: Promise<void> = work.finally(() => {
      dispatching.delete(tracked);
      generation++;
    });
    dispatching.add(tracked);
  }

  function continueAsNewDue(): boolean {
    return childStartsThisRun >= maxChildStarts || workflowInfo().continueAsNewSuggested;
  }

  // ----- the liveness check: a mailbox that closed or cannot be found never reports, so record it failed
  async function checkLiveness(): Promise<void> {
    if (d.phase !== 'crawl') return;
    const byWorkflowId = new Map(
      state.inFlightMailboxes().map((m) => [mailboxWorkflowId(d.sourceId, m.mailboxKey), m.mailboxKey]),
    );
    if (byWorkflowId.size === 0) return;
    const pendingStarts = dispatching.size;
    const { notRunning, running = [] } = await acts.describeMailboxes({
      workflowIds: [...byWorkflowId.keys()],
    });
    const fail = (key: string, reason: string) => {
      const address = d.inFlight[key]?.address;
      if (state.markFailed(key, reason)) {
        if (address) recordRegistryStatus(address, 'Failed');
        generation++;
      }
    };
    for (const gone of notRunning) {
      const key = byWorkflowId.get(gone.workflowId);
      // A start still in progress may not be visible yet; the next check decides.
      if (key === undefined || pendingStarts > 0) continue;
      fail(key, `the mailbox workflow is ${gone.status} and did not report to this pass`);
    }
    // Running but not moving (failing workflow tasks, no worker, no activity progress): the pass
    // records it and goes on, so a schedule's next pass is not buffered behind it for ever.
    const stalledMs = stalledChecks * livenessMs;
    const stalledFor =
      stalledMs < 120_000 ? `${stalledMs / 1000} s` : `${Math.round(stalledMs / 60_000)} min`;
    for (const r of running) {
      const key = byWorkflowId.get(r.workflowId);
      if (key === undefined || state.observeProgress(key, r.progressMark) < stalledChecks) continue;
      fail(
        key,
        `the mailbox workflow is running but made no progress over ${stalledChecks} liveness checks (${stalledFor}): ${r.detail}`,
      );
    }
  }

  // One timer per liveness period (not one per wake-up), so a busy pass does not fill its history with timers.
  let livenessDue = false;
  let livenessArmed = false;
  function armLiveness(): void {
    if (livenessArmed) return;
    livenessArmed = true;
    void sleep(livenessMs)
      .then(() => {
        livenessDue = true;
        generation++;
      })
      .catch(() => undefined)
      .finally(() => {
        livenessArmed = false;
      });
  }

  /** Runs the sliding window of the current phase until it drains, or until continue-as-new is due. */
  async function runWindow(window: number): Promise<'drained' | 'continueAsNew'> {
    for (;;) {
      if (!continueAsNewDue() && state.needsRegistryPage(window)) {
        const page = await acts.readRegistryPage({
          settings,
          passId: d.passId,
          scope: d.cursor.scope,
          ...(d.cursor.searchAfter ? { searchAfter: d.cursor.searchAfter } : {}),
          size: registryPageSize,
        });
        state.addRegistryPage(page);
      }
      while (!continueAsNewDue()) {
        const next = state.takeNext(window, new Date().toISOString());
        if (!next) break;
        launch(next);
      }
      upsertProgress();
      if (state.crawlDone() && dispatching.size === 0) return 'drained';
      // Deletion children are awaited, so a run continues-as-new only once they are done.
      if (
        continueAsNewDue() &&
        dispatching.size === 0 &&
        (d.phase === 'crawl' || state.inFlightCount === 0)
      ) {
        return 'continueAsNew';
      }
      armLiveness();
      const seen = generation;
      await condition(() => generation !== seen || (!continueAsNewDue() && state.needsRegistryPage(window)));
      if (livenessDue) {
        livenessDue = false;
        await checkLiveness();
      }
    }
  }

  /** The first run's start, and the schedule that started it (its search attribute survives continue-as-new). */
  function passStarterRef(): PassStarterRef {
    const info = workflowInfo();
    const scheduleId =
      info.typedSearchAttributes.get(TemporalScheduledById) ??
      // Older servers send it without a type; the untyped map still has it.
      (info.searchAttributes?.[TemporalScheduledById.name]?.[0] as string | undefined);
    return {
      workflowId: info.workflowId,
      firstExecutionRunId: info.firstExecutionRunId,
      ...(scheduleId ? { scheduleId } : {}),
    };
  }

  async function continueAsNewNow(): Promise<never> {
    await condition(() => outcomesWritten() && allHandlersFinished());
    upsertProgress(true);
    const next = makeContinueAsNewFunc<typeof crawlArchive>({
      typedSearchAttributes: workflowInfo().typedSearchAttributes,
      workflowTaskTimeout: PASS_WORKFLOW_TASK_TIMEOUT,
    });
    return await next({ settings, options, tuning, carried: toCarriedState(d) });
  }

  async function finishPass(): Promise<CrawlArchiveResult> {
    await condition(outcomesWritten);
    state.finish();
    upsertProgress(true);
    try {
      await acts.writePassReport({
        settings,
        progress: state.progress(),
        finishedAt: new Date().toISOString(),
        starter: passStarterRef(),
      });
    } catch (err) {
      if (isCancellation(err)) throw err;
      log.error('could not write the pass report', { error: errorMessage(err) });
    }
    await condition(allHandlersFinished);
    return state.progress();
  }

  try {
    if (d.phase === 'start') {
      upsertProgress(true);
      if (!options.force) {
        const running = await acts.findRunningPasses({
          sourceId: d.sourceId,
          selfWorkflowId: info.workflowId,
        });
        if (running.workflowIds.length > 0) {
          state.skip(`another pass of source ${d.sourceId} is running: ${running.workflowIds.join(', ')}`);
          return await finishPass();
        }
      }
      const snapshot = await acts.snapshotScope({ settings, passId: d.passId });
      state.recordSnapshot(snapshot, options.confirmDeletions ?? false);
      if (snapshot.problems.length) log.warn('snapshot problems', { problems: snapshot.problems });
      upsertProgress(true);
    }
    if (d.phase === 'crawl') {
      if ((await runWindow(crawlWindow)) === 'continueAsNew') return await continueAsNewNow();
      state.startDeletionPhase();
    }
    if (d.phase === 'delete') {
      if ((await runWindow(deleteWindow)) === 'continueAsNew') return await continueAsNewNow();
    }
    return await finishPass();
  } catch (err) {
    if (isCancellation(err)) {
      // Cancelled through Temporal: reach the mailboxes and record the pass, then end as cancelled.
      await CancellationScope.nonCancellable(async () => {
        await cancelInFlight('the pass workflow was cancelled');
        await finishPass();
      });
      throw err;
    }
    if (err instanceof ContinueAsNew) throw err;
    // Anything else is a fault of the pass itself: recorded as the pass's failure, not a task retried for ever.
    const message = sourceErrorMessage(err) ?? `the pass workflow failed: ${errorMessage(err)}`;
    // Source error (docs/architecture.md, Error scopes): stop dispatching, let in-flight mailboxes stop, one
    // actionable message.
    state.failSource(message);
    await Promise.allSettled([...dispatching]);
    await forwardToMailboxes((id) =>
      getExternalWorkflowHandle(id).signal(cancelMailboxSignal, { passId: d.passId, reason: message }),
    );
    return await finishPass();
  }
}
