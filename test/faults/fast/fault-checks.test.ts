// The fault suite's own yardstick: the index comparison reports every kind of difference, so a
// fault case that passes really found the index exact.
import { compareIndex } from '../../helpers/fault-checks';

test('missing, unexpected, duplicate and unrecorded failures are all reported', () => {
  const expected = {
    indexed: new Set(['a|INBOX|1', 'a|INBOX|2', 'a|SENT|3']),
    failed: new Set(['a|INBOX|9', 'a|INBOX|8']),
  };
  const actual = {
    indexed: new Set(['a|INBOX|1', 'a|SENT|3', 'b|INBOX|7']),
    duplicates: ['a|INBOX|1'],
    failed: new Map([
      ['a|INBOX|9', { reason: 'The message could not be retrieved', kind: 'item' }],
      ['a|INBOX|8', { reason: '', kind: 'item' }],
    ]),
  };
  expect(compareIndex(expected, actual)).toEqual({
    missing: ['a|INBOX|2'],
    unexpected: ['b|INBOX|7'],
    duplicates: ['a|INBOX|1'],
    failuresNotRecorded: ['a|INBOX|8'],
  });
});

test('an exact index compares clean', () => {
  const keys = ['a|INBOX|1', 'a|SENT|3'];
  expect(
    compareIndex(
      { indexed: new Set(keys), failed: new Set() },
      { indexed: new Set(keys), duplicates: [], failed: new Map() },
    ),
  ).toEqual({ missing: [], unexpected: [], duplicates: [], failuresNotRecorded: [] });
});
