// The activities of the pass and deletion workflows (docs/architecture.md, Mailbox workflows and liveness;
// Registry and deletion guard): single flight, the scope snapshot, registry pages, the liveness check, the
// pass report, registry status, stopping a mailbox workflow and removing a mailbox's documents. Errors leave
// through the one error boundary (activities/error-boundary.ts).
import { mailboxCrawlSettingsHash, settingsHash } from '../../common/node/settings-hash';
import { WorkflowNotFoundError } from '@temporalio/client';
import type {
  DeleteMailboxDocumentsInput,
  DeleteMailboxDocumentsResult,
  DescribeMailboxesInput,
  DescribeMailboxesResult,
  FindRunningPassesInput,
  FindRunningPassesResult,
  ReadRegistryPageInput,
  ReadRegistryPageResult,
  SnapshotScopeInput,
  SnapshotScopeResult,
  StopMailboxWorkflowInput,
  StopMailboxWorkflowResult,
  UpdateRegistryStatusInput,
  RecordMailboxOutcomesInput,
  WritePassReportInput,
  WritePassReportResult,
  CrawlerActivities,
  PassStarter,
  PassStarterRef,
} from '../../common/activity-contracts';
import { passWorkflowId, WorkflowTypes } from '../../common/contracts';
import { SourceError } from '../../common/node/errors';
import { stopMailboxSignal } from '../../common/messages';
import { indexNames } from '../../common/node/documents';
import { BulkSink, type BulkOp } from '../elastic/bulk-sink';
import { registryDocId } from '../elastic/document-ids';
import { deleteMailboxDocuments as deleteMailboxDocumentsByQuery } from '../elastic/mailbox-deletion';
import { writePassReportDocument } from '../elastic/pass-reports';
import { queryLimiterFor } from '../elastic/query-limiter';
import {
  readRegistryPage as readRegistryPageQuery,
  updateRegistryStatus as updateRegistryStatusDoc,
} from '../elastic/registry';
import { readDeletionCandidatesPage } from './deletion-candidates';
import { activityRuntime } from '../activity-runtime';
import { describeStarter, startIdentity } from './pass-starter';
import type { ActivityDeps } from '../deps';
import { ensureIndexTemplatesOnce } from '../index-templates-once';
import { carriedMailboxKey } from '../mailbox-filter';
import { describeMailboxWorkflows } from './mailbox-liveness';
import { screenIdleMailboxes } from './idle-screen';
import { snapshotScope as runSnapshot } from './snapshot-scope';

export type PassActivities = Pick<
  CrawlerActivities,
  | 'findRunningPasses'
  | 'snapshotScope'
  | 'readRegistryPage'
  | 'describeMailboxes'
  | 'writePassReport'
  | 'updateRegistryStatus'
  | 'recordMailboxOutcomes'
  | 'stopMailboxWorkflow'
  | 'deleteMailboxDocuments'
>;

/** Time a mailbox gets to finish its page and close after stopMailbox, before it is cancelled, then terminated. */
export const STOP_GRACE_MS = 120_000;
const CANCEL_GRACE_MS = 30_000;
const STOP_POLL_MS = 1_000;

export function createPassActivities(deps: ActivityDeps): PassActivities {
  const runtime = () => activityRuntime(deps.runtime);
  const now = () => (deps.now ?? (() => new Date()))();
  const temporal = () => {
    if (!deps.temporal)
      throw new SourceError('this worker has no Temporal client for describing or stopping workflows');
    return deps.temporal;
  };
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  /** The report still gets written when the start event cannot be read (it names the schedule then). */
  async function passStarter(ref: PassStarterRef): Promise<PassStarter> {
    let identity: string | undefined;
    try {
      identity = deps.temporal ? await startIdentity(deps.temporal, ref) : undefined;
    } catch (err) {
      deps.logger.warn({ err, workflowId: ref.workflowId }, 'could not read who started the pass');
    }
    return describeStarter(ref, identity);
  }

  async function workflowStatus(workflowId: string): Promise<string> {
    try {
      const description = await temporal().workflow.getHandle(workflowId).describe();
      return description.status.name;
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return 'NOT_FOUND';
      throw err;
    }
  }

  return {
    async findRunningPasses(input: FindRunningPassesInput): Promise<FindRunningPassesResult> {
      const own = passWorkflowId(input.sourceId);
      const workflowIds: string[] = [];
      const query = `WorkflowType = '${WorkflowTypes.crawlArchive}' AND ExecutionStatus = 'Running'`;
      for await (const execution of temporal().workflow.list({ query })) {
        if (execution.workflowId === input.selfWorkflowId) continue;
        const source = execution.searchAttributes?.MimecastSource?.[0];
        // `crawl:<id>` (CLI) or `crawl:<id>:<time>` (schedule), or whatever carries our source attribute.
        const ours =
          execution.workflowId === own ||
          execution.workflowId.startsWith(`${own}:`) ||
          source === input.sourceId;
        if (ours) workflowIds.push(execution.workflowId);
      }
      return { workflowIds };
    },

    async snapshotScope(input: SnapshotScopeInput): Promise<SnapshotScopeResult> {
      const rt = runtime();
      await ensureIndexTemplatesOnce(deps.elastic, input.settings.index.prefix);
      const client = deps.mimecast
        .forSettings(input.settings)
        .withCallObserver({ onWait: () => rt.heartbeat() });
      return runSnapshot(input, {
        elastic: deps.elastic,
        client,
        addressHashKey: deps.addressHashKey,
        now,
        heartbeat: (details) => rt.heartbeat(details),
      });
    },

    async readRegistryPage(input: ReadRegistryPageInput): Promise<ReadRegistryPageResult> {
      const { settings } = input;
      const limiter = queryLimiterFor(settings.sourceId, settings.parallelism.folderQuery);
      const q = {
        prefix: settings.index.prefix,
        source: settings.sourceId,
        size: input.size,
        ...(input.searchAfter ? { searchAfter: input.searchAfter } : {}),
      };
      const page = await limiter.run(() =>
        input.scope === 'inScope'
          ? readRegistryPageQuery(deps.elastic, { ...q, inScope: true })
          : readDeletionCandidatesPage(deps.elastic, q),
      );
      const idle =
        input.screenIdle && input.scope === 'inScope'
          ? await screenIdleMailboxes(deps, {
              settings,
              passId: input.passId,
              mailboxes: page.mailboxes,
              nowMs: now().getTime(),
            })
          : new Set<string>();
      return {
        // Only what the pass dispatches with: the screen's fields stay out of workflow state.
        mailboxes: page.mailboxes
          .filter((m) => !idle.has(m.mailboxKey))
          .map((m) => ({
            address: m.address,
            mailboxKey: m.mailboxKey,
            domain: m.domain,
            ...(m.reported ? { reported: true } : {}),
          })),
        ...(idle.size ? { idle: idle.size } : {}),
        ...(page.nextSearchAfter ? { nextSearchAfter: page.nextSearchAfter } : {}),
      };
    },

    describeMailboxes: (input: DescribeMailboxesInput): Promise<DescribeMailboxesResult> =>
      describeMailboxWorkflows(temporal(), input.workflowIds),

    async writePassReport(input: WritePassReportInput): Promise<WritePassReportResult> {
      await ensureIndexTemplatesOnce(deps.elastic, input.settings.index.prefix);
      const startedBy = input.starter ? await passStarter(input.starter) : undefined;
      const reportId = await writePassReportDocument(deps.elastic, input.settings.index.prefix, {
        source: input.settings.sourceId,
        passId: input.progress.passId,
        settingsHash: settingsHash(input.settings),
        progress: input.progress,
        finishedAt: input.finishedAt,
        ...(startedBy ? { startedBy } : {}),
      });
      deps.logger.info(
        { source: input.settings.sourceId, passId: input.progress.passId, status: input.progress.status },
        'pass report written',
      );
      return { reportId };
    },

    async updateRegistryStatus(input: UpdateRegistryStatusInput): Promise<void> {
      await updateRegistryStatusDoc(deps.elastic, {
        prefix: input.settings.index.prefix,
        source: input.settings.sourceId,
        address: input.address,
        status: input.status,
        ...(input.status === 'Completed' ? { lastCrawledAt: input.at } : {}),
      });
    },

    async recordMailboxOutcomes(input: RecordMailboxOutcomesInput): Promise<void> {
      const { settings } = input;
      const index = indexNames(settings.index.prefix).mailboxes;
      const key = mailboxCrawlSettingsHash(settings);
      const ops: BulkOp[] = input.outcomes.map((o) => ({
        action: 'update',
        index,
        id: registryDocId(settings.sourceId, o.address),
        // steady is replaced (null clears it), so the idle screen never trusts an older pass's coverage.
        doc: {
          status: o.status,
          ...(o.status === 'Completed' ? { lastCrawledAt: input.at } : {}),
          steady: o.steady ?? null,
          settingsHash: o.steady ? key : null,
        },
      }));
      const result = await new BulkSink(deps.elastic).write(ops);
      // A registry entry deleted meanwhile (deleteMailbox) stays deleted; anything else is retried.
      const failed = result.failed.filter((f) => f.status !== 404);
      if (failed.length) {
        throw new Error(
          `${failed.length} registry updates failed, e.g. ${failed[0]!.status} ${failed[0]!.reason}`,
        );
      }
    },

    async stopMailboxWorkflow(input: StopMailboxWorkflowInput): Promise<StopMailboxWorkflowResult> {
      const rt = runtime();
      const handle = temporal().workflow.getHandle(input.workflowId);
      const waitClosed = async (ms: number): Promise<boolean> => {
        const until = Date.now() + ms;
        for (;;) {
          const status = await workflowStatus(input.workflowId);
          rt.heartbeat({ status });
          if (status !== 'RUNNING') return true;
          if (Date.now() >= until) return false;
          await sleep(STOP_POLL_MS);
        }
      };
      if (await waitClosed(0)) return { closed: true };
      // Politely first: the mailbox finishes its page and closes; then cancel; then terminate.
      await handle.signal(stopMailboxSignal, { reason: input.reason }).catch(() => undefined);
      if (await waitClosed(STOP_GRACE_MS)) return { closed: true };
      await handle.cancel().catch(() => undefined);
      if (await waitClosed(CANCEL_GRACE_MS)) return { closed: true };
      await handle.terminate(`${input.reason} (did not stop within the grace time)`).catch((err) => {
        if (!(err instanceof WorkflowNotFoundError)) throw err;
      });
      return { closed: await waitClosed(10_000) };
    },

    async deleteMailboxDocuments(input: DeleteMailboxDocumentsInput): Promise<DeleteMailboxDocumentsResult> {
      const rt = runtime();
      const address = input.address.toLowerCase();
      // Documents carry the mailbox key (the keyed hash with privacy.hashAddresses); the registry the address.
      const mailbox = carriedMailboxKey(
        { address, mailboxKey: input.mailboxKey },
        input.settings,
        deps.addressHashKey,
      );
      const result = await deleteMailboxDocumentsByQuery(
        deps.elastic,
        { prefix: input.settings.index.prefix, source: input.settings.sourceId, mailbox, address },
        { heartbeat: (status) => rt.heartbeat(status), signal: rt.cancellationSignal() },
      );
      return { deleted: result.deleted };
    },
  };
}
