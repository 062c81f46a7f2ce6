// `mimecast-crawler demo` (run by `npm run demo` once the servers, the simulator and a worker are
// up): a full pass with the progress bar, where to look, then a delta pass over new messages.
import type { Client as ElasticClient } from '@elastic/elasticsearch';
import { indexNames, type MessageDocument } from '../common/node/documents';
import type { SourceSettings } from '../common/settings';
import type { CliContext } from './cli-context';
import { crawlCommand, type CrawlOutcome } from './commands/crawl';
import { statusCommand } from './commands/status';
import { loadSettingsFile } from './settings-file';
import { apiCallsByEndpoint, SimulatorControlClient } from './simulator-control';
import { mailboxWorkflowsQuery, passWorkflowsQuery, workflowListUrl } from './web-ui';

export interface DemoOptions {
  config: string;
  simulatorUrl: string;
  newMessages: number;
}

function heading(ctx: CliContext, text: string): void {
  ctx.io.out('');
  ctx.io.out(`=== ${text}`);
}

async function runPass(ctx: CliContext, config: string, simulator: SimulatorControlClient) {
  await simulator.resetCounters();
  const outcome = await crawlCommand(ctx, { config, wait: true });
  const calls = apiCallsByEndpoint(await simulator.counters());
  return { outcome, calls };
}

function printCalls(
  ctx: CliContext,
  label: string,
  calls: ReturnType<typeof apiCallsByEndpoint>,
  outcome: CrawlOutcome,
): void {
  const indexed = outcome.progress?.messages.indexed ?? 0;
  ctx.io.out(
    `${label}: ${calls.total} Mimecast API calls for ${indexed} messages indexed (counted by the simulator)`,
  );
  for (const [endpoint, n] of calls.byEndpoint) ctx.io.out(`    ${String(n).padStart(6)}  ${endpoint}`);
}

/** A word of a real subject, so the search shown surely has a hit. */
async function showSearch(ctx: CliContext, elastic: ElasticClient, settings: SourceSettings): Promise<void> {
  const index = indexNames(settings.index.prefix).messages;
  await elastic.indices.refresh({ index });
  const sample = await elastic.search<MessageDocument>({
    index,
    size: 1,
    query: {
      bool: { filter: [{ term: { source: settings.sourceId } }, { range: { attachmentCount: { gt: 0 } } }] },
    },
  });
  const word = sample.hits.hits[0]?._source?.subject.split(/\W+/).find((w) => w.length >= 5) ?? 'invoice';
  const body = {
    size: 1,
    query: {
      bool: { must: [{ match: { subject: word } }], filter: [{ term: { source: settings.sourceId } }] },
    },
  };
  const result = await elastic.search<MessageDocument>({ index, ...body });
  const total = typeof result.hits.total === 'number' ? result.hits.total : (result.hits.total?.value ?? 0);
  ctx.io.out(`Search the index (messages whose subject matches "${word}"):`);
  ctx.io.out(
    `  curl -s '${ctx.env.elasticsearchUrl}/${index}/_search?pretty' -H 'Content-Type: application/json' -d '${JSON.stringify(body)}'`,
  );
  const hit = result.hits.hits[0]?._source;
  if (!hit) {
    ctx.io.out('  (no hit)');
    return;
  }
  ctx.io.out(`  ${total} hits; the first:`);
  ctx.io.out(`    subject:     ${hit.subject}`);
  ctx.io.out(`    mailbox:     ${hit.mailbox} (${hit.view})`);
  ctx.io.out(
    `    from:        ${hit.from?.name ? `${hit.from.name} <${hit.from.address}>` : (hit.from?.address ?? '')}`,
  );
  ctx.io.out(`    received:    ${hit.received}`);
  ctx.io.out(`    attachments: ${hit.attachmentNames.join(', ') || 'none'}`);
  ctx.io.out(`    body:        ${hit.body.replace(/\s+/g, ' ').slice(0, 100)}…`);
}

export async function runDemo(ctx: CliContext, opts: DemoOptions): Promise<number> {
  const { io, env } = ctx;
  const settings = loadSettingsFile(opts.config);
  const simulator = new SimulatorControlClient(opts.simulatorUrl);
  try {
    await simulator.counters();
  } catch (err) {
    io.err(`The simulator does not answer at ${opts.simulatorUrl} (${(err as Error).message}).`);
    io.err('Start everything with: npm run demo');
    return 1;
  }

  heading(
    ctx,
    `1. First pass of source "${settings.sourceId}": every mailbox, from ${settings.messages.startDate}`,
  );
  const first = await runPass(ctx, opts.config, simulator);
  if ((first.outcome.progress?.messages.indexed ?? 0) === 0 && first.outcome.exitCode === 0) {
    io.out(
      '(Nothing new: an earlier demo run already indexed this archive; the delta pass below still shows new mail.)',
    );
  }
  if (first.outcome.exitCode !== 0) {
    io.err(
      `The first pass ended with exit status ${first.outcome.exitCode}; worker log: .data/demo/worker.log`,
    );
    return first.outcome.exitCode;
  }
  printCalls(ctx, 'First pass', first.calls, first.outcome);

  heading(ctx, '2. Where to look');
  io.out(`Temporal Web UI: ${env.temporalUiUrl}`);
  io.out(
    `  the source's mailbox workflows (CrawlStatus is their real state; they stay Running between passes):`,
  );
  io.out(`    ${workflowListUrl(env, mailboxWorkflowsQuery(settings.sourceId))}`);
  io.out(`  its passes:`);
  io.out(`    ${workflowListUrl(env, passWorkflowsQuery(settings.sourceId))}`);
  io.out(
    `  the same from the Temporal CLI: temporal workflow list --query '${mailboxWorkflowsQuery(settings.sourceId)}'`,
  );
  await showSearch(ctx, ctx.elastic(), settings);
  io.out('');
  await statusCommand(ctx, { source: settings.sourceId, prefix: settings.index.prefix });

  heading(ctx, `3. ${opts.newMessages} new messages arrive in the archive`);
  const mailboxes = (await simulator.mailboxes()).slice(0, 2);
  const perMailbox = Math.ceil(opts.newMessages / mailboxes.length);
  let added = 0;
  let flagged = 0;
  for (const mailbox of mailboxes) {
    const count = Math.min(perMailbox, opts.newMessages - added);
    const messages = await simulator.addMessages(mailbox, count);
    const expired = messages.filter((m) => m.expired || m.recalled).length;
    added += count;
    flagged += expired;
    io.out(
      `  ${count} new messages in ${mailbox}` +
        (expired ? ` (${expired} flagged expired or recalled by the archive)` : ''),
    );
  }

  heading(ctx, '4. Delta pass: each mailbox lists only the time since its delta token (minus the overlap)');
  const second = await runPass(ctx, opts.config, simulator);
  printCalls(ctx, 'First pass', first.calls, first.outcome);
  printCalls(ctx, 'Delta pass', second.calls, second.outcome);
  const secondIndexed = second.outcome.progress?.messages.indexed ?? 0;
  const contentCalls = second.calls.byEndpoint
    .filter(([endpoint]) => endpoint.includes('get-message-part'))
    .reduce((s, [, n]) => s + n, 0);
  const skipped = second.outcome.progress?.messages.skippedExisting ?? 0;
  io.out(
    `The delta pass indexed ${secondIndexed} of the ${added} new messages` +
      (flagged
        ? ` (${flagged} flagged expired/recalled are not indexed: messages.expiredPolicy=${settings.messages.expiredPolicy})`
        : '') +
      `, fetched the content of ${contentCalls}, and skipped ${skipped} already indexed inside the ` +
      `${-settings.performance.deltaTokenOffsetMinutes}-minute overlap: ${second.calls.total} API calls instead of ${first.calls.total}.`,
  );
  const asleep = second.outcome.progress?.mailboxes;
  if (asleep?.idle)
    io.out(
      `${asleep.idle} of ${asleep.total} mailboxes had nothing new: the pass checked each with one list call ` +
        'per view and did not wake its workflow (the idle screen).',
    );
  heading(ctx, 'Done');
  io.out('The servers, the simulator and the worker keep running; try:');
  io.out(`  node bin/mimecast-crawler.js status --source ${settings.sourceId}`);
  io.out(`  node bin/mimecast-crawler.js crawl --config ${opts.config} --wait --ignore-delta-tokens`);
  io.out('Stop everything with: npm run demo:stop');
  return second.outcome.exitCode;
}
