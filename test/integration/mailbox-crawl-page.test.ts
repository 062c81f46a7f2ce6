// The page activity outside Temporal (the benchmark's plain loop uses it so), against the simulator
// and the real Elasticsearch: the watermark rides on the window's last page only, and a retry whose
// previous attempt heartbeated an in-flight message records that message and skips it.
import type { CrawlPageInput } from '../../common/activity-contracts';
import { PlainActivityRuntime } from '../../activities/activity-runtime';
import { crawlPage, type PageHeartbeat } from '../../activities/mailbox/crawl-page';
import { WORKER_STOPPED_REASON } from '../../activities/pipeline/in-flight';
import { readWatermarks } from '../../activities/elastic/watermarks';
import { pageInputs } from '../helpers/page-input';
import { WorkerHarness } from '../helpers/worker-harness';

jest.setTimeout(60_000);

let h: WorkerHarness;
beforeAll(async () => {
  h = await WorkerHarness.start({ name: 'mbx-page', startWorker: false });
}, 120_000);
afterAll(async () => {
  await h?.teardown();
});

const mailbox = 'alice@example.com';
const pages = pageInputs('page-pass', () => h.settings({ performance: { pageSize: 3 } }));
function pageInput(over: Partial<CrawlPageInput> = {}): CrawlPageInput {
  return pages.input(mailbox, over);
}

it('pages through a window with heartbeats, and writes the watermark with the last page only', async () => {
  const heartbeats: PageHeartbeat[] = [];
  const deps = {
    ...h.deps,
    runtime: () => new PlainActivityRuntime({ onHeartbeat: (d) => heartbeats.push(d as PageHeartbeat) }),
  };
  const prefix = h.prefix;
  const first = await crawlPage(deps, pageInput());
  expect(first.outcome).toBe('page');
  expect(first.counters.indexed + first.counters.skippedExisting).toBe(3);
  expect(heartbeats.some((d) => d.inFlightId)).toBe(true);
  expect(await readWatermarks(h.es, { prefix, source: h.sourceId, mailbox })).toEqual({});

  let result = first;
  for (let i = 1; result.outcome === 'page' && i < 20; i++) {
    result = await crawlPage(
      deps,
      pageInput({ pageToken: result.nextPageToken, pageIndex: i, previousLastReceived: result.lastReceived }),
    );
  }
  expect(result.outcome).toBe('windowComplete');
  const window = pageInput().window;
  expect(await readWatermarks(h.es, { prefix, source: h.sourceId, mailbox })).toEqual({ INBOX: window.end });
  expect(await h.indexedIds(mailbox, 'INBOX')).toEqual(h.expectedIds(mailbox, 'INBOX'));
});

it('a retry after a crash records the in-flight message as failed and skips it', async () => {
  const view = 'SENT';
  const [stopped] = h.expectedIds(mailbox, view);
  const previousDetails: PageHeartbeat = {
    window: pageInput().window,
    nextIndex: 0,
    inFlightId: stopped,
    stoppedIds: [],
  };
  const deps = { ...h.deps, runtime: () => new PlainActivityRuntime({ previousDetails, attempt: 2 }) };
  const settings = h.settings({ performance: { pageSize: 500 } });
  const result = await crawlPage(deps, pageInput({ settings, view }));
  expect(result.outcome).toBe('windowComplete');
  expect(result.counters.failed).toBe(1);
  const failed = await h.failedIds(mailbox);
  expect(failed).toEqual([expect.objectContaining({ mimecastId: stopped, reason: WORKER_STOPPED_REASON })]);
  const indexed = await h.indexedIds(mailbox, view);
  expect(indexed).not.toContain(stopped);
  expect(indexed).toEqual(h.expectedIds(mailbox, view).filter((id) => id !== stopped));
});
