// The filters of docs/architecture.md, Settings: regex semantics, exclusion wins, aliases/DLs, local domains,
// hashed keys.
import { carriedMailboxKey, createMailboxFilter, mailboxKeyFor } from '../../activities/mailbox-filter';
import { settings } from '../helpers/settings';

describe('mailbox filter', () => {
  it('an empty included list means every domain and every mailbox', () => {
    const f = createMailboxFilter(settings());
    expect(f.domain({ domain: 'example.com' })).toEqual({ included: true });
    expect(f.address('alice@example.com')).toEqual({ included: true });
  });

  it('searches anywhere in the value and ignores case', () => {
    const f = createMailboxFilter(settings({ mailboxes: { included: ['SALES'], excluded: [] } }));
    expect(f.address('eu-sales-team@example.com').included).toBe(true);
    expect(f.address('alice@example.com')).toEqual({ included: false, rule: 'mailboxes.included' });
  });

  it('anchors only when the pattern says so', () => {
    const f = createMailboxFilter(settings({ domains: { included: ['^example\\.com$'] } }));
    expect(f.domain({ domain: 'EXAMPLE.com' }).included).toBe(true);
    expect(f.domain({ domain: 'sub.example.com' })).toEqual({ included: false, rule: 'domains.included' });
  });

  it('an exclusion wins over an inclusion and names its rule', () => {
    const f = createMailboxFilter(
      settings({ mailboxes: { included: ['@example\\.com'], excluded: ['^ceo@', 'legal'] } }),
    );
    expect(f.address('ceo@example.com')).toEqual({ included: false, rule: 'mailboxes.excluded[0]' });
    expect(f.address('legal-hold@example.com')).toEqual({ included: false, rule: 'mailboxes.excluded[1]' });
    expect(f.address('bob@example.com').included).toBe(true);
  });

  it('leaves local domains out unless includeLocal', () => {
    expect(createMailboxFilter(settings()).domain({ domain: 'corp.local', local: true })).toEqual({
      included: false,
      rule: 'domains.includeLocal',
    });
    const withLocal = createMailboxFilter(settings({ domains: { includeLocal: true } }));
    expect(withLocal.domain({ domain: 'corp.local', local: true }).included).toBe(true);
  });

  it('does not count aliases and distribution lists as mailboxes', () => {
    const f = createMailboxFilter(settings());
    expect(f.isMailbox({ emailAddress: 'a@x.com', alias: true, addressType: 'created_manually' })).toBe(
      false,
    );
    expect(f.isMailbox({ emailAddress: 'dl@x.com', alias: false, addressType: 'dl_from_ldap' })).toBe(false);
    expect(f.isMailbox({ emailAddress: 'auto@x.com', alias: false, addressType: 'created_by_email' })).toBe(
      false,
    );
    expect(f.isMailbox({ emailAddress: 'u@x.com', alias: false, addressType: 'created_by_ldap_sync' })).toBe(
      true,
    );
  });

  it('reports an invalid regex with its field', () => {
    expect(() => createMailboxFilter(settings({ mailboxes: { excluded: ['('] } }))).toThrow(
      /mailboxes\.excluded\[0\]/,
    );
  });
});

describe('mailbox key', () => {
  it('is the lower-cased address by default', () => {
    expect(mailboxKeyFor(' Alice@Example.COM ', settings(), undefined)).toBe('alice@example.com');
  });

  it('is a stable keyed hash with privacy.hashAddresses, independent of case', () => {
    const s = settings({ privacy: { hashAddresses: true } });
    const key = mailboxKeyFor('Alice@Example.com', s, 'secret-1');
    expect(key).toMatch(/^[0-9a-f]{32}$/);
    expect(mailboxKeyFor('alice@example.com', s, 'secret-1')).toBe(key);
    expect(mailboxKeyFor('alice@example.com', s, 'secret-2')).not.toBe(key);
    expect(key).not.toContain('alice');
  });

  it('refuses to hash without a key rather than leaking the address', () => {
    expect(() => mailboxKeyFor('a@x.com', settings({ privacy: { hashAddresses: true } }), undefined)).toThrow(
      /MIMECAST_ADDRESS_HASH_KEY/,
    );
  });

  it('uses the key a mailbox activity was given, and computes it for inputs of older builds', () => {
    const s = settings({ privacy: { hashAddresses: true } });
    // Carried from the snapshot: no hash computed (no key is even needed).
    expect(carriedMailboxKey({ address: 'a@x.com', mailboxKey: 'carried' }, s, undefined)).toBe('carried');
    // An input scheduled before the key was carried: the same key as the snapshot computes.
    expect(carriedMailboxKey({ address: 'A@x.com' }, s, 'secret-1')).toBe(
      mailboxKeyFor('a@x.com', s, 'secret-1'),
    );
  });
});
