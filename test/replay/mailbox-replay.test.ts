// Determinism guard (docs/architecture.md, Versioning): the histories recorded from the previous release
// (test/fixtures/histories/crawl-mailbox-*.json: `fetchHistory()` saved with History.toObject by
// test/integration/mailbox-reconcile.test.ts under RECORD_HISTORIES=1) replay against today's code.
import { temporal } from '@temporalio/proto';
import { DefaultLogger, Worker, bundleWorkflowCode } from '@temporalio/worker';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';

jest.setTimeout(120_000);

const dir = path.resolve(__dirname, '../fixtures/histories');
const files = readdirSync(dir).filter((f) => f.startsWith('crawl-mailbox-') && f.endsWith('.json'));

it('has recorded mailbox histories to replay', () => {
  expect(files.length).toBeGreaterThan(0);
});

it('replays every recorded crawlMailbox history without nondeterminism', async () => {
  const workflowBundle = await bundleWorkflowCode({
    workflowsPath: require.resolve('../../workflows'),
    logger: new DefaultLogger('WARN'),
  });
  const histories = files.map((file) => ({
    workflowId: file,
    // fromObject (not the SDK's historyFromJSON): the same protobufjs copy as the worker's History.
    history: temporal.api.history.v1.History.fromObject(
      JSON.parse(readFileSync(path.join(dir, file), 'utf8')),
    ),
  }));
  const failures: string[] = [];
  for await (const result of Worker.runReplayHistories({ workflowBundle }, histories)) {
    if (result.error) failures.push(`${result.workflowId}: ${result.error.message}`);
  }
  expect(failures).toEqual([]);
});
