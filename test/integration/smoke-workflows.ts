// The smoke test's workflow (only for test/integration/smoke.test.ts): tag the execution with a
// custom search attribute, then let an activity write one document into Elasticsearch.
import { proxyActivities, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import { CrawlStatus, MimecastSource } from '../../common/search-attributes';

export interface SmokeActivities {
  writeSmokeDocument(input: {
    index: string;
    id: string;
    source: string;
    workflowId: string;
  }): Promise<{ result: string }>;
}

const { writeSmokeDocument } = proxyActivities<SmokeActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { maximumAttempts: 3 },
});

export async function smokeWorkflow(input: {
  index: string;
  id: string;
  source: string;
}): Promise<{ result: string }> {
  upsertSearchAttributes([
    { key: MimecastSource, value: input.source },
    { key: CrawlStatus, value: 'Running' },
  ]);
  return writeSmokeDocument({ ...input, workflowId: workflowInfo().workflowId });
}
