// The mailbox workflow's search attributes (docs/architecture.md, Search attributes): status and counter, identity.
import type { SearchAttributeUpdatePair } from '@temporalio/common';
import type { MailboxStatus } from '../common/contracts';
import {
  CrawlStatus,
  MessagesIndexed,
  MimecastDomain,
  MimecastMailbox,
  MimecastSource,
} from '../common/search-attributes';
import type { MailboxIdentity } from './mailbox-step';

/** The status and the messages indexed so far, then `extra`. */
export function statusAttributes(
  status: MailboxStatus,
  messagesIndexedTotal: number,
  extra: SearchAttributeUpdatePair[],
): SearchAttributeUpdatePair[] {
  return [
    { key: CrawlStatus, value: status },
    { key: MessagesIndexed, value: messagesIndexedTotal },
    ...extra,
  ];
}

/** Set once and then carried by continue-as-new. */
export function identityAttributes(identity: MailboxIdentity): SearchAttributeUpdatePair[] {
  return [
    { key: MimecastSource, value: identity.sourceId },
    { key: MimecastMailbox, value: identity.mailboxKey },
    { key: MimecastDomain, value: identity.domain },
  ];
}
