// Who a mailbox workflow is (MailboxIdentity) and what it does next (MailboxStep), decided by MailboxCrawlState.
import type { TimeWindow, View } from '../common/contracts';
import type { PassOutcome } from './mailbox-state-migration';

export interface MailboxIdentity {
  sourceId: string;
  address: string;
  mailboxKey: string;
  domain: string;
}

/** What the workflow does next. */
export type MailboxStep =
  | { kind: 'idle' }
  | { kind: 'retryFailed' }
  | {
      kind: 'page';
      view: View;
      window: TimeWindow;
      pageToken?: string;
      pageIndex: number;
      previousLastReceived?: string;
      /** The window's watermark rides on its last page (every window writes one). */
      watermarkOnLastPage: boolean;
    }
  | { kind: 'sweep'; view: View }
  | { kind: 'finish'; outcome: PassOutcome };
