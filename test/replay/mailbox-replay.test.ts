// Determinism guard (docs/architecture.md, Versioning): every recorded history in
// test/fixtures/histories replays against today's workflow code. `<workflow-type>-<release>-*.json`
// are recorded by scripts/record-histories.ts (rerun it for each release and commit the files);
// the older `crawl-mailbox-{reconcile,continue-as-new}-*.json` predate adaptive windows.
import { temporal } from '@temporalio/proto';
import { DefaultLogger, Worker, bundleWorkflowCode } from '@temporalio/worker';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';

jest.setTimeout(180_000);

const dir = path.resolve(__dirname, '../fixtures/histories');
/** The file name's prefix names the workflow type the history must be a run of. */
const TYPES: Record<string, string> = {
  'crawl-mailbox-': 'crawlMailbox',
  'crawl-archive-': 'crawlArchive',
  'delete-mailbox-': 'deleteMailbox',
};
const files = readdirSync(dir).filter((f) => f.endsWith('.json'));

type HistoryJson = {
  events: {
    workflowExecutionStartedEventAttributes?: { workflowType?: { name?: string }; workflowId?: string };
    markerRecordedEventAttributes?: { details?: Record<string, { payloads?: { data?: string }[] }> };
  }[];
};
const histories = new Map(
  files.map((file) => [file, JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as HistoryJson]),
);

function workflowTypeOf(history: HistoryJson): string | undefined {
  return history.events[0]?.workflowExecutionStartedEventAttributes?.workflowType?.name;
}

function patchIdsOf(history: HistoryJson): string[] {
  return history.events.flatMap((e) => {
    const data = e.markerRecordedEventAttributes?.details?.['patch-data']?.payloads?.[0]?.data;
    return data ? [(JSON.parse(Buffer.from(data, 'base64').toString()) as { id: string }).id] : [];
  });
}

it('has histories of every workflow type, each named after its type', () => {
  for (const file of files) {
    const prefix = Object.keys(TYPES).find((p) => file.startsWith(p));
    expect({ file, type: workflowTypeOf(histories.get(file)!) }).toEqual({
      file,
      type: prefix ? TYPES[prefix] : 'a file named crawl-mailbox-*, crawl-archive-* or delete-mailbox-*',
    });
  }
  const types = new Set(files.map((f) => workflowTypeOf(histories.get(f)!)));
  expect([...types].sort()).toEqual(['crawlArchive', 'crawlMailbox', 'deleteMailbox']);
});

it('has crawlMailbox histories recorded with and without the adaptive-windows marker', () => {
  const mailboxFiles = files.filter((f) => f.startsWith('crawl-mailbox-'));
  const withMarker = mailboxFiles.filter((f) => patchIdsOf(histories.get(f)!).includes('adaptive-windows'));
  expect(withMarker.length).toBeGreaterThan(0);
  expect(
    mailboxFiles.filter((f) => /-(reconcile|continue-as-new)-\d+\.json$/.test(f)).length,
  ).toBeGreaterThan(0);
});

it('replays every recorded history (crawlMailbox, crawlArchive, deleteMailbox) without nondeterminism', async () => {
  const workflowBundle = await bundleWorkflowCode({
    workflowsPath: require.resolve('../../workflows'),
    logger: new DefaultLogger('WARN'),
  });
  // The recorded workflow id (a pass's id is part of its state, so replaying under another id diverges).
  const inputs = files.map((file) => ({
    workflowId: histories.get(file)!.events[0]?.workflowExecutionStartedEventAttributes?.workflowId ?? file,
    // fromObject (not the SDK's historyFromJSON): the same protobufjs copy as the worker's History.
    history: temporal.api.history.v1.History.fromObject(histories.get(file)!),
  }));
  const failures: string[] = [];
  let replayed = 0;
  // Results come in input order, one per history.
  for await (const result of Worker.runReplayHistories({ workflowBundle }, inputs)) {
    if (result.error) failures.push(`${files[replayed]}: ${result.error.message}`);
    replayed++;
  }
  expect(failures).toEqual([]);
  expect(replayed).toBe(files.length);
});
