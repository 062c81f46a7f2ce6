// The fault suite's own yardstick: the index comparison reports every kind of difference, for
// messages and their attachment documents, so a fault case that passes really found the index exact.
import { compareIndex, expectedAttachments } from '../../helpers/fault-checks';
import { NOTHING_WRONG } from '../../helpers/fault-verify';
import { parseSettingsLenient } from '../../../common/settings';
import { startSimulator } from '../../../simulator';

test('missing, unexpected, duplicate and unrecorded failures are all reported', () => {
  const expected = {
    indexed: new Set(['a|INBOX|1', 'a|INBOX|2', 'a|SENT|3']),
    failed: new Set(['a|INBOX|9', 'a|INBOX|8']),
    attachments: new Set(['a|INBOX|1|2', 'a|INBOX|1|3', 'a|SENT|3|2']),
  };
  const actual = {
    indexed: new Set(['a|INBOX|1', 'a|SENT|3', 'b|INBOX|7']),
    duplicates: ['a|INBOX|1', 'a|SENT|3|2'],
    failed: new Map([
      ['a|INBOX|9', { reason: 'The message could not be retrieved', kind: 'item' }],
      ['a|INBOX|8', { reason: '', kind: 'item' }],
    ]),
    attachments: new Set(['a|INBOX|1|2', 'a|SENT|3|2', 'orphan|x|2']),
  };
  expect(compareIndex(expected, actual)).toEqual({
    missing: ['a|INBOX|2'],
    unexpected: ['b|INBOX|7'],
    missingAttachments: ['a|INBOX|1|3'],
    unexpectedAttachments: ['orphan|x|2'],
    duplicates: ['a|INBOX|1', 'a|SENT|3|2'],
    failuresNotRecorded: ['a|INBOX|8'],
  });
});

test('an exact index compares clean', () => {
  const keys = ['a|INBOX|1', 'a|SENT|3'];
  const attachments = ['a|INBOX|1|2'];
  expect(
    compareIndex(
      { indexed: new Set(keys), failed: new Set(), attachments: new Set(attachments) },
      { indexed: new Set(keys), duplicates: [], failed: new Map(), attachments: new Set(attachments) },
    ),
  ).toEqual(NOTHING_WRONG);
});

test('the expected attachment documents come from the simulator messages, one per kept part', async () => {
  const sim = await startSimulator({ preset: 'tiny', seed: 7 });
  try {
    const settings = parseSettingsLenient({
      sourceId: 's',
      connection: { apiEndpoint: sim.url },
      index: { prefix: 'p' },
      messages: { startDate: '2000-01-01' },
    });
    const mailbox = sim.control.mailboxes()[0]!;
    const messages = sim.control.expectedMessages(mailbox, 'INBOX');
    const withFiles = messages.filter((m) => m.attachmentCount > 0);
    expect(withFiles.length).toBeGreaterThan(0);
    const keys = new Set(messages.map((m) => `${mailbox.toLowerCase()}|INBOX|${m.id}`));
    const expected = await expectedAttachments(sim, settings, keys);
    expect(expected.size).toBeGreaterThan(0);
    for (const k of expected) expect(keys.has(k.split('|').slice(0, 3).join('|'))).toBe(true);
  } finally {
    await sim.close();
  }
});
