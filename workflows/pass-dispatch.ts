// Dispatch of the pass's mailboxes (docs/architecture.md, Mailbox workflows and liveness): a mailbox it
// has not seen running is started as an abandoned child; one that already runs is signalled; one that
// closed in between is started again. In the deletion phase, each mailbox is one deleteMailbox child.
// Counts child starts, so the pass continues-as-new before its history holds too many.
import {
  ApplicationFailure,
  ChildWorkflowCancellationType,
  executeChild,
  getExternalWorkflowHandle,
  isCancellation,
  log,
  ParentClosePolicy,
  patched,
  startChild,
  workflowInfo,
} from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import {
  deleteWorkflowId,
  mailboxWorkflowId,
  WorkflowTypes,
  type CrawlMailboxInput,
  type CrawlRequest,
  type DeleteMailboxInput,
  type DeleteMailboxResult,
  type MailboxTuning,
  type PassOptions,
} from '../common/contracts';
import { crawlRequestedSignal } from '../common/messages';
import { deletionWorkflowSummary, mailboxWorkflowSummary } from '../common/workflow-summaries';
import { MimecastDomain, MimecastMailbox, MimecastSource } from '../common/search-attributes';
import { SETTINGS_SCHEMA_VERSION } from '../common/carried-settings';
import type { SourceSettings } from '../common/settings';
import type { InFlightMailbox, PassState } from './pass-state';

// These shape the pass's command sequence: a new value goes behind patched().
/** Patch: mailboxes whose workflow reported before are signalled before any start is tried. */
const SIGNAL_REPORTED_MAILBOXES_FIRST = 'signal-reported-mailboxes-first';
/** The server refuses more than 2,000 pending children per run; 500 keeps the history small too. */
export const DEFAULT_MAX_CHILD_STARTS_PER_RUN = 500;
/** How often a start/signal race (mailbox closing in between) is retried before giving up. */
const DISPATCH_ATTEMPTS = 3;

function isSignalTargetNotFound(err: unknown): boolean {
  return err instanceof ApplicationFailure && /not found|NotFound/i.test(`${err.type ?? ''} ${err.message}`);
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export interface DispatchContext {
  state: PassState;
  settings: SourceSettings;
  options: PassOptions;
  mailboxTuning?: MailboxTuning;
  maxChildStarts: number;
  /** Called when a dispatch settles, so the pass's main loop wakes up. */
  onSettled: () => void;
}

export class MailboxDispatcher {
  private childStartsThisRun = 0;
  private readonly dispatching = new Set<Promise<void>>();

  constructor(private readonly ctx: DispatchContext) {}

  /** Dispatches still in progress. */
  get pending(): number {
    return this.dispatching.size;
  }

  /** Waits for every dispatch in progress to settle. */
  async settled(): Promise<void> {
    await Promise.allSettled([...this.dispatching]);
  }

  continueAsNewDue(): boolean {
    return this.childStartsThisRun >= this.ctx.maxChildStarts || workflowInfo().continueAsNewSuggested;
  }

  /** Starts the work of one mailbox of the current phase; its outcome lands in the pass state. */
  launch(m: InFlightMailbox): void {
    const { state } = this.ctx;
    const work =
      state.data.phase === 'delete'
        ? this.deleteOne(m).then(
            () => state.deletionFinished(m.mailboxKey, true),
            (err) => state.deletionFinished(m.mailboxKey, false, errorMessage(err)),
          )
        : this.startOrSignal(m).catch((err) => {
            // A cancelled pass leaves the mailbox in flight: the cancel signal reaches it or the pass ends.
            if (isCancellation(err)) return;
            state.markFailed(m.mailboxKey, `could not dispatch the mailbox workflow: ${errorMessage(err)}`);
          });
    const tracked: Promise<void> = work.finally(() => {
      this.dispatching.delete(tracked);
      this.ctx.onSettled();
    });
    this.dispatching.add(tracked);
  }

  private async startOrSignal(m: InFlightMailbox): Promise<void> {
    const d = this.ctx.state.data;
    const workflowId = mailboxWorkflowId(d.sourceId, m.mailboxKey);
    const request: CrawlRequest = {
      passId: d.passId,
      replyTo: workflowInfo().workflowId,
      mode: d.mode,
      refetchContent: this.ctx.options.refetchContent ?? false,
      settings: this.ctx.settings,
      settingsVersion: SETTINGS_SCHEMA_VERSION,
    };
    const childInput: CrawlMailboxInput = {
      sourceId: d.sourceId,
      address: m.address,
      mailboxKey: m.mailboxKey,
      domain: m.domain,
      requests: [request],
      ...(this.ctx.mailboxTuning ? { tuning: this.ctx.mailboxTuning } : {}),
    };
    // A mailbox that reported before waits for its next pass: signalling it first saves a failed
    // start and a workflow task (counted like a start, so a run's history stays as bounded).
    if (m.reported && patched(SIGNAL_REPORTED_MAILBOXES_FIRST)) {
      this.childStartsThisRun++;
      try {
        await getExternalWorkflowHandle(workflowId).signal(crawlRequestedSignal, request);
        return;
      } catch (err) {
        if (!isSignalTargetNotFound(err)) throw err;
      }
    }
    for (let attempt = 1; attempt <= DISPATCH_ATTEMPTS; attempt++) {
      try {
        this.childStartsThisRun++;
        await startChild(WorkflowTypes.crawlMailbox, {
          workflowId,
          args: [childInput],
          staticSummary: mailboxWorkflowSummary(d.sourceId, m.mailboxKey),
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

  private async deleteOne(m: InFlightMailbox): Promise<void> {
    const d = this.ctx.state.data;
    const deleteInput: DeleteMailboxInput = {
      settings: this.ctx.settings,
      settingsVersion: SETTINGS_SCHEMA_VERSION,
      address: m.address,
      mailboxKey: m.mailboxKey,
      passId: d.passId,
      replyTo: workflowInfo().workflowId,
    };
    this.childStartsThisRun++;
    const result = await executeChild<(i: DeleteMailboxInput) => Promise<DeleteMailboxResult>>(
      WorkflowTypes.deleteMailbox,
      {
        workflowId: deleteWorkflowId(d.sourceId, m.mailboxKey),
        args: [deleteInput],
        staticSummary: deletionWorkflowSummary(d.sourceId, m.mailboxKey),
        typedSearchAttributes: [
          { key: MimecastSource, value: d.sourceId },
          { key: MimecastMailbox, value: m.mailboxKey },
          { key: MimecastDomain, value: m.domain },
        ],
      },
    );
    log.info('mailbox deleted', { mailboxKey: m.mailboxKey, documents: result.deleted });
  }
}
