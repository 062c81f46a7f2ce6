// The pass's search attributes (docs/architecture.md, Search attributes): upserted on status changes
// and every few mailbox reports only, so a pass of thousands of mailboxes keeps its history small.
import { upsertSearchAttributes } from '@temporalio/workflow';
import type { SearchAttributePair } from '@temporalio/common';
import type { PassStatus } from '../common/contracts';
import {
  CrawlStatus,
  MessagesIndexed,
  MimecastLastPassAt,
  MimecastPassId,
  MimecastSource,
} from '../common/search-attributes';
import type { PassStateData } from './pass-state';

/** MessagesIndexed is upserted after this many mailbox reports (shapes the command sequence: patched()). */
const REPORTS_PER_COUNTER_UPSERT = 50;

export class PassSearchAttributes {
  private reportsSinceUpsert = 0;
  private lastUpsertedStatus: PassStatus | undefined;

  /** @param continued a continued run: the identifying attributes are already set. */
  constructor(
    private readonly d: PassStateData,
    private readonly continued: boolean,
  ) {}

  reportApplied(): void {
    this.reportsSinceUpsert++;
  }

  upsert(force = false): void {
    const d = this.d;
    const statusChanged = d.status !== this.lastUpsertedStatus;
    if (!force && !statusChanged && this.reportsSinceUpsert < REPORTS_PER_COUNTER_UPSERT) return;
    const pairs: SearchAttributePair[] = [
      { key: CrawlStatus, value: d.status },
      { key: MessagesIndexed, value: d.messages.indexed },
    ];
    if (!this.continued && this.lastUpsertedStatus === undefined) {
      pairs.push(
        { key: MimecastSource, value: d.sourceId },
        { key: MimecastPassId, value: d.passId },
        { key: MimecastLastPassAt, value: new Date(d.startedAt) },
      );
    }
    upsertSearchAttributes(pairs);
    this.lastUpsertedStatus = d.status;
    this.reportsSinceUpsert = 0;
  }
}
