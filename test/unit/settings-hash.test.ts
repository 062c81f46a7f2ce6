// The idle screen trusts a mailbox's steady coverage only under the same crawl settings
// (common/node/settings-hash.ts): tuning leaves the fingerprint alone, what a mailbox lists changes it.
import { mailboxCrawlSettingsHash, settingsHash } from '../../common/node/settings-hash';
import { settings } from '../helpers/settings';

describe('mailboxCrawlSettingsHash', () => {
  const base = settings();

  it('ignores parallelism, page size, logging and attachments', () => {
    const tuned = {
      ...base,
      parallelism: { ...base.parallelism, mailboxCrawling: base.parallelism.mailboxCrawling + 7 },
      performance: { ...base.performance, pageSize: 17 },
      attachments: { ...base.attachments, extract: !base.attachments.extract },
    };
    expect(mailboxCrawlSettingsHash(tuned)).toBe(mailboxCrawlSettingsHash(base));
    expect(settingsHash(tuned)).not.toBe(settingsHash(base));
  });

  it('changes with the messages range and filters, the overlap and the index', () => {
    const changed = [
      { ...base, messages: { ...base.messages, startDate: '2001-01-01T00:00:00Z' } },
      { ...base, messages: { ...base.messages, excludedSubjects: ['^x$'] } },
      { ...base, performance: { ...base.performance, deltaTokenOffsetMinutes: -5 } },
      { ...base, index: { ...base.index, prefix: 'other' } },
    ];
    for (const s of changed) expect(mailboxCrawlSettingsHash(s)).not.toBe(mailboxCrawlSettingsHash(base));
  });
});
