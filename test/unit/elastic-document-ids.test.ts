// Deterministic document ids: stable, sha256 hex, distinct per key part, address case ignored.
import {
  attachmentDocId,
  failedDocId,
  messageDocId,
  registryDocId,
  watermarkDocId,
} from '../../activities/elastic/document-ids';

const key = {
  source: 's1',
  mailbox: 'alice@example.com',
  view: 'INBOX' as const,
  mimecastId: 'eNpV'.repeat(200),
};

test('ids are 64 hex characters whatever the length of the Mimecast id', () => {
  expect(messageDocId(key)).toMatch(/^[0-9a-f]{64}$/);
  expect(messageDocId(key)).toBe(messageDocId({ ...key }));
});

test('every part of the key changes the id; the address case does not', () => {
  const base = messageDocId(key);
  expect(messageDocId({ ...key, source: 's2' })).not.toBe(base);
  expect(messageDocId({ ...key, view: 'SENT' })).not.toBe(base);
  expect(messageDocId({ ...key, mimecastId: 'other' })).not.toBe(base);
  expect(messageDocId({ ...key, mailbox: 'ALICE@example.com' })).toBe(base);
  expect(failedDocId(key)).not.toBe(base);
});

test('parts cannot be shifted between fields to collide', () => {
  expect(registryDocId('a', 'b@c')).not.toBe(registryDocId('ab', '@c'));
  expect(attachmentDocId('m', '1.2')).not.toBe(attachmentDocId('m', '1.3'));
  expect(watermarkDocId('s', 'a@b', 'INBOX')).not.toBe(watermarkDocId('s', 'a@b', 'SENT'));
});
