// List records that failed validation (a missing or mistyped field, a date that is not one): each
// is an item failure recorded in `<prefix>-failed` with its id, or a stable stand-in for a record
// without one, and the reason; the rest of its page goes on.
import type { View } from '../../common/contracts';
import type { BulkOp } from '../elastic/bulk-sink';
import { recordFailedItemOp } from '../elastic/failed-items';
import type { InvalidListRecord } from '../mimecast/client';

export const INVALID_RECORD_KIND = 'invalid-record';

/** The record's id, or `unidentified-<hash of the record>` (the same record gets the same key). */
export function invalidRecordId(record: InvalidListRecord): string {
  return record.id ?? `unidentified-${record.fingerprint.slice(0, 32)}`;
}

export function invalidRecordOps(
  key: { prefix: string; source: string; mailbox: string; view: View },
  records: InvalidListRecord[],
  at: string,
): BulkOp[] {
  return records.map((record) =>
    recordFailedItemOp(
      key.prefix,
      {
        source: key.source,
        mailbox: key.mailbox,
        view: key.view,
        mimecastId: invalidRecordId(record),
        received: record.received,
        reason: record.reason,
        kind: INVALID_RECORD_KIND,
      },
      at,
    ),
  );
}
