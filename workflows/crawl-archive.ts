// crawlArchive: one pass of one source (docs/architecture.md, Mailbox workflows and liveness; Registry and
// deletion guard; Search attributes). Thin wiring around PassState: snapshot the scope, dispatch mailboxes
// from the registry in a sliding window, guarded deletion, the pass report. Mailbox workflows are long-lived
// and report back by signal.
import {
  ActivityFailure,
  allHandlersFinished,
  ApplicationFailure,
  CancellationScope,
  condition,
  ContinueAsNew,
  isCancellation,
  log,
  makeContinueAsNewFunc,
  setCurrentDetails,
  setHandler,
  setWorkflowOptions,
  workflowInfo,
} from '@temporalio/workflow';
import {
  FailureTypes,
  PASS_WORKFLOW_TASK_TIMEOUT,
  passModeFor,
  type CrawlArchiveInput,
  type CrawlArchiveResult,
  type PassTuning,
} from '../common/contracts';
import { type CrawlerActivities, type PassStarterRef } from '../common/activity-contracts';
import {
  cancelPassUpdate,
  mailboxFailedSignal,
  mailboxFinishedSignal,
  passProgressQuery,
  pausePassUpdate,
  resumePassUpdate,
} from '../common/messages';
import { TemporalScheduledById } from '../common/search-attributes';
import { carriedSettings, SETTINGS_SCHEMA_VERSION } from '../common/carried-settings';
import { SettingsError, type SourceSettings } from '../common/settings';
import { ACTIVITY_OPTIONS } from './activity-options';
import { passDetails, PassFailureWatch } from './current-details';
import { DEFAULT_MAX_CHILD_STARTS_PER_RUN, errorMessage, MailboxDispatcher } from './pass-dispatch';
import { DEFAULT_LIVENESS_CHECK_MS, DEFAULT_STALLED_CHECKS, LivenessCheck } from './pass-liveness';
import { PassControl } from './pass-control';
import { OutcomeBatcher } from './pass-outcomes';
import { PassSearchAttributes } from './pass-search-attributes';
import { PassState } from './pass-state';
import { summarizedActivity } from './summarized-activity';
import { migratePassState, toCarriedState } from './pass-state-migration';
import { FAIL_WORKFLOW_ON } from './workflow-failures';

/** Each pass activity with its one-line summary for the Web UI. */
function passActivity<K extends keyof CrawlerActivities>(name: K, summary: string): CrawlerActivities[K] {
  return summarizedActivity(name, ACTIVITY_OPTIONS[name])(summary);
}

const acts = {
  findRunningPasses: passActivity('findRunningPasses', 'find other running passes'),
  snapshotScope: passActivity('snapshotScope', 'snapshot the mailbox directory'),
  readRegistryPage: passActivity('readRegistryPage', 'read a registry page'),
  describeMailboxes: passActivity('describeMailboxes', 'liveness check of mailboxes in flight'),
  writePassReport: passActivity('writePassReport', 'write the pass report'),
  recordMailboxOutcomes: passActivity('recordMailboxOutcomes', 'record mailbox outcomes in the registry'),
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
    // Parsed once per pass: every request and continued run carries them with their version.
    settings = carriedSettings(input).settings;
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
  const registryPageSize = tuning.registryPageSize ?? Math.max(100, crawlWindow);
  // A delta pass leaves out the mailboxes with nothing new (activities/pass/idle-screen.ts).
  const screenIdle = d.mode === 'delta' && !options.refetchContent && tuning.screenIdleMailboxes !== false;

  /** Bumped by every handler and dispatch outcome, so the main loop wakes up. */
  let generation = 0;
  const wake = () => void generation++;
  const attributes = new PassSearchAttributes(d, input.carried !== undefined);
  // The Web UI's current details: not a command, so it may change on every wake-up.
  const failures = new PassFailureWatch();
  const showDetails = () => {
    const progress = state.progress();
    setCurrentDetails(passDetails(d.phase, progress, failures.observe(progress, new Date().toISOString())));
  };
  const outcomes = new OutcomeBatcher(
    (batch) =>
      acts
        .recordMailboxOutcomes({ settings, passId: d.passId, at: new Date().toISOString(), outcomes: batch })
        .catch((err) =>
          log.warn('could not update the registry', { mailboxes: batch.length, error: errorMessage(err) }),
        ),
    wake,
  );
  const dispatcher = new MailboxDispatcher({
    state,
    settings,
    options,
    mailboxTuning: tuning.mailboxTuning,
    maxChildStarts: tuning.maxChildStartsPerRun ?? DEFAULT_MAX_CHILD_STARTS_PER_RUN,
    onSettled: wake,
  });
  const liveness = new LivenessCheck(
    {
      state,
      describeMailboxes: acts.describeMailboxes,
      pendingStarts: () => dispatcher.pending,
      fail: (key, reason) => {
        const address = d.inFlight[key]?.address;
        if (state.markFailed(key, reason)) {
          if (address) outcomes.record(address, 'Failed');
          wake();
        }
      },
      wake,
    },
    tuning.livenessCheckMs ?? DEFAULT_LIVENESS_CHECK_MS,
    tuning.stalledChecks ?? DEFAULT_STALLED_CHECKS,
  );

  // ----- messages: each handler is one call into PassControl
  const control = new PassControl(state, outcomes, attributes, wake);
  const refuseWhenDone = () => control.refuseWhenDone();
  setHandler(mailboxFinishedSignal, (report) => control.onReport(report));
  setHandler(mailboxFailedSignal, (report) => control.onReport(report));
  setHandler(passProgressQuery, () => state.progress());
  setHandler(pausePassUpdate, () => control.pause(), { validator: refuseWhenDone });
  setHandler(resumePassUpdate, () => control.resume(), { validator: refuseWhenDone });
  setHandler(cancelPassUpdate, (request) => control.cancel(request?.reason ?? 'cancelled by an operator'), {
    validator: (_request: { reason?: string }) => refuseWhenDone(),
  });

  /** Runs the sliding window of the current phase until it drains, or until continue-as-new is due. */
  async function runWindow(window: number): Promise<'drained' | 'continueAsNew'> {
    for (;;) {
      if (!dispatcher.continueAsNewDue() && state.needsRegistryPage(window)) {
        const page = await acts.readRegistryPage({
          settings,
          passId: d.passId,
          scope: d.cursor.scope,
          ...(d.cursor.searchAfter ? { searchAfter: d.cursor.searchAfter } : {}),
          size: registryPageSize,
          ...(screenIdle && d.cursor.scope === 'inScope' ? { screenIdle: true } : {}),
        });
        state.addRegistryPage(page);
      }
      while (!dispatcher.continueAsNewDue()) {
        const next = state.takeNext(window, new Date().toISOString());
        if (!next) break;
        dispatcher.launch(next);
      }
      attributes.upsert();
      showDetails();
      if (state.crawlDone() && dispatcher.pending === 0) return 'drained';
      // Deletion children are awaited, so a run continues-as-new only once they are done.
      if (
        dispatcher.continueAsNewDue() &&
        dispatcher.pending === 0 &&
        (d.phase === 'crawl' || state.inFlightCount === 0)
      ) {
        return 'continueAsNew';
      }
      liveness.arm();
      const seen = generation;
      await condition(
        () => generation !== seen || (!dispatcher.continueAsNewDue() && state.needsRegistryPage(window)),
      );
      if (liveness.due) await liveness.run();
    }
  }

  async function continueAsNewNow(): Promise<never> {
    await condition(() => outcomes.written() && allHandlersFinished());
    attributes.upsert(true);
    const next = makeContinueAsNewFunc<typeof crawlArchive>({
      typedSearchAttributes: workflowInfo().typedSearchAttributes,
      workflowTaskTimeout: PASS_WORKFLOW_TASK_TIMEOUT,
    });
    return await next({
      settings,
      settingsVersion: SETTINGS_SCHEMA_VERSION,
      options,
      tuning,
      carried: toCarriedState(d),
    });
  }

  async function finishPass(): Promise<CrawlArchiveResult> {
    await condition(() => outcomes.written());
    state.finish();
    attributes.upsert(true);
    showDetails();
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
      attributes.upsert(true);
      showDetails();
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
      attributes.upsert(true);
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
        await control.cancelInFlight('the pass workflow was cancelled');
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
    await dispatcher.settled();
    await control.cancelMailboxes(message);
    return await finishPass();
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
