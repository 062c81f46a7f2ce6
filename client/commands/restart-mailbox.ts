// `restart-mailbox ADDRESS --source ID [--config FILE]` and `retry-failed --source ID [--mailbox A]`:
// an Update on the mailbox workflow (its validator answers at once), printing the new pass id.
import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { mailboxWorkflowId, type PassMode, type RestartMailboxInput } from '../../common/contracts';
import { restartMailboxUpdate } from '../../common/messages';
import { mailboxKeyFor } from '../../activities/mailbox-filter';
import type { SourceSettings } from '../../common/settings';
import type { CliContext } from '../cli-context';
import { failedItemCounts, readRegistry } from '../registry-reader';
import { loadSettingsFile } from '../settings-file';

type RestartContext = Pick<CliContext, 'io' | 'env' | 'temporal' | 'elastic'>;

export interface RestartMailboxOptions {
  address: string;
  source: string;
  config?: string;
  prefix: string;
  mode?: PassMode;
}

/** The key the workflow id uses: from the registry if the mailbox is known there, else computed. */
async function resolveMailboxKey(
  ctx: RestartContext,
  opts: RestartMailboxOptions,
  settings?: SourceSettings,
): Promise<string> {
  const prefix = settings?.index.prefix ?? opts.prefix;
  try {
    const [doc] = await readRegistry(ctx.elastic(), prefix, opts.source, opts.address);
    if (doc) return doc.mailboxKey;
  } catch {
    // Elasticsearch unreachable: the key can still be computed from the settings.
  }
  // Without --config the mailbox is unknown to the registry too: assume plain (unhashed) keys.
  const privacy = settings ?? ({ privacy: { hashAddresses: false } } as SourceSettings);
  return mailboxKeyFor(opts.address, privacy, ctx.env.addressHashKey);
}

async function restartOne(client: Client, workflowId: string, input: RestartMailboxInput) {
  const handle = client.workflow.getHandle(workflowId);
  return handle.executeUpdate(restartMailboxUpdate, { args: [input] });
}

export async function restartMailboxCommand(
  ctx: RestartContext,
  opts: RestartMailboxOptions,
): Promise<number> {
  const settings = opts.config ? loadSettingsFile(opts.config) : undefined;
  if (settings && settings.sourceId !== opts.source) {
    ctx.io.err(`--config is for source "${settings.sourceId}", not "${opts.source}"`);
    return 1;
  }
  const mailboxKey = await resolveMailboxKey(ctx, opts, settings);
  const workflowId = mailboxWorkflowId(opts.source, mailboxKey);
  const input: RestartMailboxInput = { mode: opts.mode ?? 'delta', ...(settings ? { settings } : {}) };
  try {
    const result = await restartOne(await ctx.temporal(), workflowId, input);
    const verb = input.mode === 'retryFailed' ? 'Retrying failed items of' : 'Restarted';
    ctx.io.out(
      `${verb} ${opts.address}: new pass ${result.passId}` +
        (result.queuedBehind ? ` (queued behind ${result.queuedBehind})` : ''),
    );
    return 0;
  } catch (err) {
    ctx.io.err(`Could not restart ${opts.address} (${workflowId}): ${explain(err)}`);
    return 1;
  }
}

function explain(err: unknown): string {
  if (err instanceof WorkflowNotFoundError) return 'no such mailbox workflow (has a pass crawled it yet?)';
  if (err instanceof WorkflowUpdateFailedError) return err.cause?.message ?? err.message;
  return (err as Error).message;
}

export interface RetryFailedOptions {
  source: string;
  prefix: string;
  mailbox?: string;
}

export async function retryFailedCommand(ctx: RestartContext, opts: RetryFailedOptions): Promise<number> {
  let addresses: string[];
  if (opts.mailbox) addresses = [opts.mailbox];
  else {
    const counts = await failedItemCounts(ctx.elastic(), opts.prefix, opts.source);
    addresses = [...counts.keys()].sort();
    if (addresses.length === 0) {
      ctx.io.out(`No failed items recorded for source ${opts.source} (index ${opts.prefix}-failed).`);
      return 0;
    }
    ctx.io.out(
      `Failed items in ${addresses.length} mailbox(es): ${[...counts].map(([a, n]) => `${a} (${n})`).join(', ')}`,
    );
  }
  let failures = 0;
  for (const address of addresses) {
    const code = await restartMailboxCommand(ctx, {
      address,
      source: opts.source,
      prefix: opts.prefix,
      mode: 'retryFailed',
    });
    if (code !== 0) failures += 1;
  }
  return failures ? 1 : 0;
}
