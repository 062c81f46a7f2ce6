// Removes one source's mailbox from every index (docs/architecture.md, Registry and deletion guard), filtered
// on source AND mailbox, in heartbeated batches (scan-delete.ts). The registry entry goes last, so a crash
// midway leaves the mailbox a deletion candidate and the next attempt finishes the job.
import type { Client } from '@elastic/elasticsearch';
import { indexNames } from '../../common/node/documents';
import { deleteRegistryEntry } from './registry';
import { deleteMatching, type ScanDeleteOptions } from './scan-delete';

export interface MailboxDeletionRequest {
  prefix: string;
  source: string;
  /** The mailbox as stored in documents (lower-cased address or its keyed hash). */
  mailbox: string;
  /** The registry's address, when it differs from `mailbox` (hashed addresses). */
  address?: string;
  /** Also remove the registry entry (default true). */
  removeRegistryEntry?: boolean;
}

export async function deleteMailboxDocuments(
  es: Client,
  request: MailboxDeletionRequest,
  options: ScanDeleteOptions = {},
): Promise<{ deleted: number }> {
  const names = indexNames(request.prefix);
  const progress = await deleteMatching(
    es,
    {
      index: [names.messages, names.attachments, names.failed, names.state],
      query: {
        bool: { filter: [{ term: { source: request.source } }, { term: { mailbox: request.mailbox } }] },
      },
    },
    options,
  );
  if (request.removeRegistryEntry !== false) {
    await deleteRegistryEntry(es, {
      prefix: request.prefix,
      source: request.source,
      address: request.address ?? request.mailbox,
    });
  }
  return { deleted: progress.deleted };
}
