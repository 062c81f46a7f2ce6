// snapshotScope (docs/architecture.md, Registry and deletion guard): lists the internal domains and their
// users, keeps the mailboxes (not aliases or distribution lists), applies the filters, and upserts the
// registry `<prefix>-mailboxes`. Returns counts only: the pass then pages through the registry.
import type { Client } from '@elastic/elasticsearch';
import type { SnapshotScopeInput, SnapshotScopeResult } from '../../common/activity-contracts';
import { indexNames } from '../../common/node/documents';
import { SourceError, classifyError } from '../../common/node/errors';
import { semanticProblems } from '../../common/settings';
import { BulkSink, type BulkOp } from '../elastic/bulk-sink';
import { countRegistry, markUnseenMailboxesGone, registryUpsertOp } from '../elastic/registry';
import { countDeletionCandidates } from './deletion-candidates';
import { createMailboxFilter, mailboxKeyFor } from '../mailbox-filter';
import type { MimecastClient } from '../mimecast/client';
import { developmentHosts } from '../mimecast/credentials';

/** Registry upserts are flushed in batches of this many entries. */
const UPSERT_BATCH = 500;

export interface SnapshotDeps {
  elastic: Client;
  client: MimecastClient;
  addressHashKey?: string;
  now: () => Date;
  heartbeat: (details?: unknown) => void;
}

export async function snapshotScope(
  input: SnapshotScopeInput,
  deps: SnapshotDeps,
): Promise<SnapshotScopeResult> {
  const { settings, passId } = input;
  const source = settings.sourceId;
  const prefix = settings.index.prefix;
  const problemsInSettings = semanticProblems(settings, { developmentHosts: developmentHosts() });
  if (problemsInSettings.length) throw new SourceError(`invalid settings: ${problemsInSettings.join('; ')}`);
  const filter = createMailboxFilter(settings);
  if (settings.privacy.hashAddresses && !deps.addressHashKey) {
    throw new SourceError('privacy.hashAddresses is on but the worker has no MIMECAST_ADDRESS_HASH_KEY');
  }

  const previouslyKnown = await countRegistry(deps.elastic, { prefix, source });
  const at = deps.now().toISOString();
  const sink = new BulkSink(deps.elastic, { onThrottled: () => deps.heartbeat({ phase: 'registry' }) });
  const excludedByRule: Record<string, number> = {};
  const problems: string[] = [];
  const seen = new Set<string>();
  let complete = true;
  let notMailboxes = 0;
  let listed = 0;
  let batch: BulkOp[] = [];

  const count = (rule: string) => (excludedByRule[rule] = (excludedByRule[rule] ?? 0) + 1);
  const flush = async () => {
    if (!batch.length) return;
    const result = await sink.write(batch);
    batch = [];
    if (result.failed.length) {
      // An entry we could not write would look "gone" to the sweep below: the snapshot is not complete.
      complete = false;
      problems.push(
        `${result.failed.length} registry entries could not be written: ${result.failed[0]!.reason}`,
      );
    }
  };

  const domains = await deps.client.listInternalDomains();
  for (const domain of domains) {
    const verdict = filter.domain(domain);
    // Users of an excluded domain are not listed (API calls): the sweep below marks them out of scope.
    if (!verdict.included) {
      count(verdict.rule!);
      continue;
    }
    let pageToken: string | undefined;
    try {
      do {
        const page = await deps.client.listInternalUsersPage({
          domain: domain.domain,
          pageSize: settings.performance.pageSize,
          ...(pageToken ? { pageToken } : {}),
        });
        for (const user of page.users) {
          if (!filter.isMailbox(user)) {
            notMailboxes++;
            continue;
          }
          const address = user.emailAddress.trim().toLowerCase();
          if (seen.has(address)) continue;
          seen.add(address);
          listed++;
          const addressVerdict = filter.address(address);
          if (!addressVerdict.included) count(addressVerdict.rule!);
          batch.push(
            registryUpsertOp(
              prefix,
              {
                source,
                address,
                mailboxKey: mailboxKeyFor(address, settings, deps.addressHashKey),
                domain: domain.domain.toLowerCase(),
                inScope: addressVerdict.included,
                ...(addressVerdict.rule ? { excludedBy: addressVerdict.rule } : {}),
                passId,
              },
              at,
            ),
          );
        }
        if (batch.length >= UPSERT_BATCH) await flush();
        deps.heartbeat({ domain: domain.domain, listed });
        pageToken = page.nextPageToken;
      } while (pageToken);
    } catch (err) {
      if (classifyError(err).kind === 'source') throw err;
      // One domain that cannot be listed makes the snapshot incomplete: nothing may be deleted this pass.
      complete = false;
      problems.push(`users of ${domain.domain} could not be listed: ${classifyError(err).message}`);
    }
  }
  await flush();

  if (listed === 0 && previouslyKnown > 0) {
    complete = false;
    problems.push(
      `the directory listed no mailboxes although ${previouslyKnown} were known: treated as incomplete`,
    );
  }
  const names = indexNames(prefix);
  // The pass pages through what it just wrote: make it visible once (not refresh=true on every write).
  await deps.elastic.indices.refresh({ index: names.mailboxes });
  if (complete) {
    const gone = await markUnseenMailboxesGone(deps.elastic, { prefix, source, passId });
    if (gone) excludedByRule.gone = gone;
    await deps.elastic.indices.refresh({ index: names.mailboxes });
  }
  const [total, inScope, outOfScope] = await Promise.all([
    countRegistry(deps.elastic, { prefix, source }),
    countRegistry(deps.elastic, { prefix, source, inScope: true }),
    countDeletionCandidates(deps.elastic, { prefix, source }),
  ]);
  return { complete, total, inScope, outOfScope, previouslyKnown, excludedByRule, notMailboxes, problems };
}
