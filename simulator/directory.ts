// The archive's directory: mailbox records (aliases, delegates, counts per view), users and distribution lists.
import { hash32 } from './seeded-random';
import type { ViewIndex } from './view-index';
import type { AddressType, SimUser, View } from './types';

// Module-level copy of a global: a global lookup per call is very slow inside jest's vm context.
const NodeBuffer = Buffer;

export interface MailboxRecord {
  idx: number;
  address: string;
  domain: string;
  name: string;
  addressType: AddressType;
  removed: boolean;
  aliases: string[];
  delegateOf: number[];
  counts: Record<View, number>;
  views: Partial<Record<View, ViewIndex>>;
}

/** A new live mailbox record at position `idx`, with no aliases, delegates or view index yet. */
export function newMailboxRecord(
  idx: number,
  address: string,
  domain: string,
  counts: Record<View, number>,
  addressType: AddressType,
): MailboxRecord {
  const local = address.split('@')[0];
  return {
    idx,
    address: address.toLowerCase(),
    domain,
    name: local.charAt(0).toUpperCase() + local.slice(1),
    addressType,
    removed: false,
    aliases: [],
    delegateOf: [],
    counts,
    views: {},
  };
}

/** The opaque id of a domain, stable for (seed, domain). */
export function domainId(seed: number, domain: string): string {
  return 'eNpVdom' + NodeBuffer.from(`${seed}:${domain}`).toString('base64').replace(/=+$/, '');
}

/** The users of a domain that are not mailboxes: two distribution lists and a bounce address. */
export function distributionListsFor(seed: number, domain: string): SimUser[] {
  const d = { domain };
  return [
    {
      emailAddress: `team@${d.domain}`,
      addressType: 'dl_from_ldap',
      alias: false,
      name: `Team ${d.domain}`,
      domain: d.domain,
    },
    {
      emailAddress: `all-staff@${d.domain}`,
      addressType: 'dl_from_ldap',
      alias: false,
      name: 'All staff',
      domain: d.domain,
    },
    {
      emailAddress: `bounce-${hash32(seed, d.domain) % 1000}@${d.domain}`,
      addressType: 'created_by_email',
      alias: false,
      name: '',
      domain: d.domain,
    },
  ];
}

/** The live mailboxes and their aliases as directory users. */
export function directoryUsers(records: MailboxRecord[]): SimUser[] {
  const users: SimUser[] = [];
  for (const r of records) {
    if (r.removed) continue;
    users.push({
      emailAddress: r.address,
      addressType: r.addressType,
      alias: false,
      name: r.name,
      domain: r.domain,
    });
    for (const a of r.aliases)
      users.push({
        emailAddress: a,
        addressType: r.addressType,
        alias: true,
        name: r.name,
        domain: r.domain,
      });
  }
  return users;
}
