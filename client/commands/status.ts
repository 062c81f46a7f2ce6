// `status --source ID [--mailbox ADDRESS]`: a table from the registry index and the workflows'
// search attributes. Needs no worker; only the one-mailbox view queries a workflow (and says so
// when no worker answers).
import type { Client, WorkflowExecutionInfo } from '@temporalio/client';
import { mailboxWorkflowId, type MailboxProgress } from '../../common/contracts';
import { mailboxProgressQuery } from '../../common/messages';
import { CrawlStatus, MessagesIndexed, MimecastLastPassAt } from '../../common/search-attributes';
import type { CliContext } from '../cli-context';
import { failedItemCounts, readRegistry } from '../registry-reader';
import { formatTable } from '../text-table';
import { mailboxWorkflowsQuery, passWorkflowsQuery, workflowListUrl } from '../web-ui';

export interface StatusOptions {
  source: string;
  prefix: string;
  mailbox?: string;
  /** Deadline of the one-mailbox query (a query waits for a worker otherwise). */
  queryTimeoutMs?: number;
  /** One JSON document on stdout instead of the tables. */
  json?: boolean;
}

interface WorkflowRow {
  workflowId: string;
  executionStatus: string;
  crawlStatus?: string;
  messagesIndexed?: number;
  lastPassAt?: Date;
  startTime: Date;
}

function toRow(info: WorkflowExecutionInfo): WorkflowRow {
  const attrs = info.typedSearchAttributes;
  return {
    workflowId: info.workflowId,
    executionStatus: info.status.name,
    crawlStatus: attrs.get(CrawlStatus),
    messagesIndexed: attrs.get(MessagesIndexed),
    lastPassAt: attrs.get(MimecastLastPassAt),
    startTime: info.startTime,
  };
}

async function listWorkflows(client: Client, query: string, limit = Infinity): Promise<WorkflowRow[]> {
  const rows: WorkflowRow[] = [];
  for await (const info of client.workflow.list({ query, pageSize: 500 })) {
    rows.push(toRow(info));
    if (rows.length >= limit) break;
  }
  return rows;
}

const iso = (date: Date | string | undefined) =>
  date ? new Date(date).toISOString().replace(/\.\d{3}Z$/, 'Z') : '';

export async function statusCommand(
  ctx: Pick<CliContext, 'io' | 'env' | 'temporal' | 'elastic'>,
  opts: StatusOptions,
): Promise<number> {
  const { io } = ctx;
  const client = await ctx.temporal();
  const elastic = ctx.elastic();
  const [registry, failed, mailboxes, passes] = await Promise.all([
    readRegistry(elastic, opts.prefix, opts.source, opts.mailbox),
    failedItemCounts(elastic, opts.prefix, opts.source, opts.mailbox),
    listWorkflows(
      client,
      `WorkflowType="crawlMailbox" AND MimecastSource="${opts.source}" AND ExecutionStatus!="ContinuedAsNew"`,
    ),
    opts.mailbox ? Promise.resolve([]) : listWorkflows(client, passWorkflowsQuery(opts.source), 5),
  ]);
  // Newest run per mailbox: a mailbox stopped for deletion has no running run, only closed ones.
  const byWorkflowId = new Map<string, WorkflowRow>();
  for (const row of mailboxes) {
    const known = byWorkflowId.get(row.workflowId);
    if (!known || row.startTime > known.startTime) byWorkflowId.set(row.workflowId, row);
  }

  const passRows = passes.map((p) => ({
    workflowId: p.workflowId,
    executionStatus: p.executionStatus,
    crawlStatus: p.crawlStatus,
    messagesIndexed: p.messagesIndexed,
    startedAt: iso(p.startTime),
  }));
  const mailboxRows = registry.map((doc) => {
    const wf = byWorkflowId.get(mailboxWorkflowId(opts.source, doc.mailboxKey));
    return {
      address: doc.address,
      domain: doc.domain,
      inScope: doc.inScope,
      ...(doc.inScope ? {} : { excludedBy: doc.excludedBy ?? 'excluded' }),
      status: wf?.crawlStatus ?? doc.status,
      messagesIndexed: wf?.messagesIndexed,
      failedItems: failed.get(doc.address) ?? 0,
      lastPassAt: iso(wf?.lastPassAt ?? doc.lastCrawledAt) || undefined,
    };
  });
  const byStatus: Record<string, number> = {};
  for (const row of mailboxRows) byStatus[String(row.status)] = (byStatus[String(row.status)] ?? 0) + 1;
  const detail =
    opts.mailbox && registry.length ? await mailboxDetail(client, opts, registry[0].mailboxKey) : undefined;
  const exitCode = opts.mailbox && registry.length === 0 ? 1 : 0;

  if (opts.json) {
    const document = {
      source: opts.source,
      prefix: opts.prefix,
      ...(opts.mailbox ? {} : { passes: passRows }),
      mailboxes: mailboxRows,
      byStatus,
      ...(detail ? { detail } : {}),
    };
    io.out(JSON.stringify(document, null, 2));
    return exitCode;
  }

  if (!opts.mailbox) {
    io.out(`Passes of source ${opts.source} (newest first):`);
    if (passRows.length === 0) io.out('  none yet');
    else {
      const rows = passRows.map((p) => [
        p.workflowId,
        p.executionStatus,
        p.crawlStatus,
        p.messagesIndexed,
        p.startedAt,
      ]);
      for (const line of formatTable(['PASS', 'EXECUTION', 'CRAWL STATUS', 'INDEXED', 'STARTED'], rows))
        io.out(`  ${line}`);
    }
    io.out('');
  }
  if (mailboxRows.length === 0) {
    io.out(
      opts.mailbox
        ? `Mailbox ${opts.mailbox} is not in the registry of source ${opts.source} (index prefix "${opts.prefix}").`
        : `No mailboxes registered for source ${opts.source} (index prefix "${opts.prefix}") yet.`,
    );
    return exitCode;
  }
  const rows = mailboxRows.map((m) => [
    m.address,
    m.domain,
    m.inScope ? 'yes' : `no (${m.excludedBy})`,
    m.status,
    m.messagesIndexed ?? '',
    m.failedItems,
    m.lastPassAt ?? '',
  ]);
  io.out(`Mailboxes of source ${opts.source} (${mailboxRows.length}):`);
  for (const line of formatTable(
    ['MAILBOX', 'DOMAIN', 'IN SCOPE', 'STATUS', 'INDEXED', 'FAILED ITEMS', 'LAST PASS'],
    rows,
  ))
    io.out(`  ${line}`);
  io.out(
    `  ${Object.entries(byStatus)
      .map(([status, n]) => `${status}: ${n}`)
      .join(', ')}`,
  );

  if (detail) {
    printMailboxDetail(ctx, detail);
    return 0;
  }
  io.out('');
  io.out(
    `Failed mailboxes in the Web UI: ${workflowListUrl(ctx.env, `${mailboxWorkflowsQuery(opts.source)} AND CrawlStatus="Failed"`)}`,
  );
  return 0;
}

interface MailboxDetail {
  workflowId: string;
  progress?: MailboxProgress;
  /** Why there is no live detail (no worker answered the query). */
  unavailable?: string;
}

async function mailboxDetail(
  client: Client,
  opts: StatusOptions,
  mailboxKey: string,
): Promise<MailboxDetail> {
  const workflowId = mailboxWorkflowId(opts.source, mailboxKey);
  try {
    const handle = client.workflow.getHandle(workflowId);
    const progress = await client.withDeadline(Date.now() + (opts.queryTimeoutMs ?? 5000), () =>
      handle.query(mailboxProgressQuery),
    );
    return { workflowId, progress };
  } catch (err) {
    return { workflowId, unavailable: (err as Error).message.split('\n')[0] };
  }
}

function printMailboxDetail(ctx: Pick<CliContext, 'io'>, detail: MailboxDetail): void {
  const { io } = ctx;
  const { workflowId, progress } = detail;
  if (!progress) {
    io.out('');
    io.out(`No live detail for ${workflowId}: ${detail.unavailable} (a worker must be running to answer).`);
    return;
  }
  const c = progress.counters;
  io.out('');
  io.out(`Workflow ${workflowId}: ${progress.status}${progress.paused ? ' (paused)' : ''}`);
  if (progress.currentPassId) {
    io.out(
      `  pass ${progress.currentPassId} (${progress.mode ?? '?'}): view ${progress.view ?? '-'}, window ${progress.windowsDone}/${progress.windowsTotal}` +
        (progress.window ? ` [${progress.window.start} … ${progress.window.end}]` : '') +
        `, pages ${progress.pagesDone}`,
    );
  }
  io.out(
    `  delta tokens: ${
      Object.entries(progress.tokens)
        .map(([view, token]) => `${view} ${token}`)
        .join(', ') || 'none yet'
    }`,
  );
  io.out(
    `  this pass: ${c.indexed} indexed, ${c.failed} failed, ${c.apiCalls} API calls; all passes: ${progress.messagesIndexedTotal} indexed`,
  );
  io.out(`  queued requests: ${progress.queued}`);
  if (progress.lastError) io.out(`  last error: ${progress.lastError}`);
}
