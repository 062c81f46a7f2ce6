// The workflow bundle of integration tests: every production workflow plus a report collector that
// stands in for the pass (it receives mailboxFinished / mailboxFailed and answers a query).
import { condition, defineQuery, defineSignal, setHandler } from '@temporalio/workflow';
import type { MailboxReport } from '../../common/contracts';
import { mailboxFailedSignal, mailboxFinishedSignal } from '../../common/messages';

export { crawlArchive, crawlMailbox, deleteMailbox } from '../../workflows';

export const collectedReportsQuery = defineQuery<MailboxReport[]>('collectedReports');
export const stopCollectorSignal = defineSignal('stopCollector');

/** Collects the reports mailboxes send to it until told to stop. */
export async function reportCollector(): Promise<MailboxReport[]> {
  const reports: MailboxReport[] = [];
  let stopped = false;
  setHandler(mailboxFinishedSignal, (r) => void reports.push(r));
  setHandler(mailboxFailedSignal, (r) => void reports.push(r));
  setHandler(collectedReportsQuery, () => reports);
  setHandler(stopCollectorSignal, () => void (stopped = true));
  await condition(() => stopped);
  return reports;
}
