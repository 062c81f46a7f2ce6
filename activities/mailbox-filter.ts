// The domain and mailbox filters of docs/architecture.md, Settings, evaluated in activities only (never in
// workflow code): JavaScript regexes searched anywhere and ignoring case; an empty inclusion list means all;
// an exclusion wins; aliases and distribution lists are not mailboxes; local domains only on request.
import { createHmac } from 'node:crypto';
import type { SourceSettings } from '../common/settings';

/** What the filters need of a `get-internal-domain` record. */
export interface DomainRecord {
  domain: string;
  local?: boolean;
}

/** What the filters need of a `get-internal-users` record. */
export interface UserRecord {
  emailAddress: string;
  alias?: boolean;
  addressType?: string;
}

/** addressType values that are not mailboxes (docs/architecture.md, Mimecast API facts). */
export const NON_MAILBOX_ADDRESS_TYPES: readonly string[] = ['dl_from_ldap', 'created_by_email'];

/** Length of the hex HMAC used as mailbox key with privacy.hashAddresses (128 bits). */
export const HASHED_KEY_LENGTH = 32;

export interface FilterVerdict {
  included: boolean;
  /** The rule that left it out, e.g. `mailboxes.excluded[0]` (counted in the pass report). */
  rule?: string;
}

export interface MailboxFilter {
  domain(record: DomainRecord): FilterVerdict;
  /** false for aliases and distribution lists: they are not mailboxes at all, not even out of scope. */
  isMailbox(record: UserRecord): boolean;
  address(address: string): FilterVerdict;
}

function compile(field: string, patterns: string[]): { field: string; re: RegExp }[] {
  return patterns.map((pattern, i) => {
    try {
      return { field: `${field}[${i}]`, re: new RegExp(pattern, 'i') };
    } catch (err) {
      throw new Error(`${field}[${i}]: invalid regex /${pattern}/: ${(err as Error).message}`);
    }
  });
}

export function createMailboxFilter(settings: SourceSettings): MailboxFilter {
  const includedDomains = compile('domains.included', settings.domains.included);
  const includedMailboxes = compile('mailboxes.included', settings.mailboxes.included);
  const excludedMailboxes = compile('mailboxes.excluded', settings.mailboxes.excluded);
  const includeLocal = settings.domains.includeLocal;

  return {
    domain(record) {
      if (record.local && !includeLocal) return { included: false, rule: 'domains.includeLocal' };
      if (includedDomains.length && !includedDomains.some((p) => p.re.test(record.domain))) {
        return { included: false, rule: 'domains.included' };
      }
      return { included: true };
    },
    isMailbox(record) {
      if (record.alias === true) return false;
      return !NON_MAILBOX_ADDRESS_TYPES.includes((record.addressType ?? '').toLowerCase());
    },
    address(address) {
      const excludedBy = excludedMailboxes.find((p) => p.re.test(address));
      if (excludedBy) return { included: false, rule: excludedBy.field };
      if (includedMailboxes.length && !includedMailboxes.some((p) => p.re.test(address))) {
        return { included: false, rule: 'mailboxes.included' };
      }
      return { included: true };
    },
  };
}

/**
 * The mailbox key a mailbox activity was given (computed once, at the snapshot), or, for an input
 * scheduled by an older build that did not carry it, computed here.
 */
export function carriedMailboxKey(
  input: { address: string; mailboxKey?: string },
  settings: SourceSettings,
  hashKey: string | undefined,
): string {
  return input.mailboxKey ?? mailboxKeyFor(input.address, settings, hashKey);
}

/** The key of a mailbox in workflow ids and search attributes: the address, or its keyed hash (privacy). */
export function mailboxKeyFor(
  address: string,
  settings: SourceSettings,
  hashKey: string | undefined,
): string {
  const normalised = address.trim().toLowerCase();
  if (!settings.privacy.hashAddresses) return normalised;
  if (!hashKey) {
    throw new Error(
      'privacy.hashAddresses is on but the worker has no MIMECAST_ADDRESS_HASH_KEY: set it in the worker environment',
    );
  }
  return createHmac('sha256', hashKey).update(normalised).digest('hex').slice(0, HASHED_KEY_LENGTH);
}
