// Faults that belong to one message, chosen by a hash of its id (so every listing and every
// download of that message agrees, whatever the order of calls): list records served with a
// defect (oddRecordShare), and content that trickles out over slowDownloadMs (slowShare).
import { hash32 } from './seeded-random';
import type { FaultSpec } from './types';

/** How an odd list record is broken: no id, no `received`, a `received` that is not a date, a mistyped field. */
export type RecordDefect = 'no-id' | 'no-received' | 'bad-date' | 'mistyped-size';
const DEFECTS: RecordDefect[] = ['no-id', 'no-received', 'bad-date', 'mistyped-size'];

function share(salt: string, id: string): number {
  return hash32(salt, id) / 4294967296;
}

/** The defect the list record of message `id` is served with, or null for a good record. */
export function recordDefect(faults: Pick<FaultSpec, 'oddRecordShare'>, id: string): RecordDefect | null {
  if (!(faults.oddRecordShare > 0) || share('odd-record', id) >= faults.oddRecordShare) return null;
  return DEFECTS[hash32('odd-record-kind', id) % DEFECTS.length]!;
}

/** Applies the defect to a list record (a copy). */
export function withDefect<T extends Record<string, unknown>>(
  record: T,
  defect: RecordDefect,
): Record<string, unknown> {
  const odd: Record<string, unknown> = { ...record };
  switch (defect) {
    case 'no-id':
      delete odd.id;
      break;
    case 'no-received':
      delete odd.received;
      break;
    case 'bad-date':
      odd.received = '2024-13-45T09:12:44+0000';
      break;
    case 'mistyped-size':
      odd.size = `${String(record.size)} bytes`;
      break;
  }
  return odd;
}

/** Whether the content of message `id` trickles out over slowDownloadMs (every message when slowShare is 0). */
export function contentTrickles(
  faults: Pick<FaultSpec, 'slowDownloadMs' | 'slowShare'>,
  id: string,
): boolean {
  if (!(faults.slowDownloadMs > 0)) return false;
  return !(faults.slowShare > 0) || share('slow-content', id) < faults.slowShare;
}
