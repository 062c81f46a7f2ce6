// Shapes of the Elasticsearch documents (docs/architecture.md, Index contract). Mappings live in
// activities/elastic/; these types are what the sink writes and what the CLI and tests read back.
import type { MailboxStatus, PassProgress, SteadyCoverage, View } from '../contracts';
import type { PassStarter } from '../activity-contracts';

export function indexNames(prefix: string) {
  return {
    messages: `${prefix}-messages`,
    attachments: `${prefix}-attachments`,
    failed: `${prefix}-failed`,
    mailboxes: `${prefix}-mailboxes`,
    state: `${prefix}-state`,
    passes: `${prefix}-passes`,
  };
}
export type IndexNames = ReturnType<typeof indexNames>;

export interface AddressDocument {
  address: string;
  name?: string;
}

export interface MessageDocument {
  source: string;
  domain: string;
  mailbox: string;
  view: View;
  mimecastId: string;
  internetMessageId?: string;
  subject: string;
  from?: AddressDocument;
  to: AddressDocument[];
  cc: AddressDocument[];
  received: string;
  size: number;
  body: string;
  bodyTruncated: boolean;
  attachmentCount: number;
  attachmentNames: string[];
  context: 'RECEIVED';
  acl: string[];
  /** true when indexed as metadata only (oversize, content refused). */
  metadataOnly: boolean;
  /** What the content held that could not be read fully: `smime-encrypted`, `smime-signed`, `tnef`, `oversize`, … */
  contentFlags?: string[];
  /** Archive flags, kept when `messages.expiredPolicy` is `keep`. */
  expired?: boolean;
  recalled?: boolean;
  lastSeenPass: string;
  indexedAt: string;
}

export interface AttachmentDocument {
  source: string;
  mailbox: string;
  messageDocId: string;
  mimecastId: string;
  partPath: string;
  filename: string;
  contentType: string;
  size: number;
  sha256: string;
  content: string;
  contentTruncated: boolean;
  /** Why there is no text: binary, excluded, timeout, error: … */
  extraction: string;
  received: string;
  acl: string[];
  lastSeenPass: string;
  indexedAt: string;
}

/** What get-message-list said about a message, kept with its failure so a retry indexes it fully. */
export interface ListedMetadata {
  subject: string;
  from?: { emailAddress: string; displayableName: string };
  to: { emailAddress: string; displayableName: string }[];
  size: number;
  attachmentCount: number;
  expired?: boolean;
  recalled?: boolean;
}

export interface FailedItemDocument {
  source: string;
  mailbox: string;
  view: View;
  mimecastId: string;
  received?: string;
  /** The list record's metadata (absent for a record that failed validation). */
  listed?: ListedMetadata;
  reason: string;
  kind: string;
  attempts: number;
  firstFailedAt: string;
  lastFailedAt: string;
}

export interface RegistryDocument {
  source: string;
  address: string;
  mailboxKey: string;
  domain: string;
  inScope: boolean;
  /** Rule that excluded it (e.g. `mailboxes.excluded[0]`, `gone`), for the report. */
  excludedBy?: string | null;
  lastSeenPass: string;
  firstSeenAt: string;
  lastCrawledAt?: string;
  status: MailboxStatus;
  /** The coverage its last completed pass reported (idle screen), and the settings it completed under. */
  steady?: SteadyCoverage | null;
  settingsHash?: string | null;
}

export interface WatermarkDocument {
  source: string;
  mailbox: string;
  view: View;
  /** End of the last window whose every page was indexed. */
  watermark: string;
  passId: string;
  updatedAt: string;
}

export interface PassReportDocument {
  source: string;
  passId: string;
  settingsHash: string;
  progress: PassProgress;
  finishedAt: string;
  /** Copied out of `progress` so reports can be searched and sorted (progress itself is stored, not indexed). */
  status?: string;
  mode?: string;
  startedAt?: string;
  messagesIndexed?: number;
  /** Who or what started the pass (CLI user and host, schedule id, or the Temporal identity). */
  startedBy?: PassStarter;
}
