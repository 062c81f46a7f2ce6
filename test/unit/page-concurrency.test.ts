// Page concurrency without servers: the content step is replaced by timed stand-ins that finish out
// of list order, so the test sees that results are applied in list order, that no more than
// pageConcurrency messages are in flight, and that a page-level error waits for the others.
import { ItemError, TransientError } from '../../common/node/errors';
import { parseSettingsLenient } from '../../common/settings';
import type { MessageContent } from '../../activities/pipeline/message-content';
import type { MimecastMessageRecord } from '../../activities/mimecast/responses';
import type { MessageJob, ProcessContext } from '../../activities/pipeline/message-job';
import { processMessages } from '../../activities/pipeline/process-messages';

const behaviour = new Map<string, { ms: number; fail?: 'item' | 'page' }>();
const started: string[] = [];

jest.mock('../../activities/pipeline/message-content', () => ({
  buildMessageContent: async (_ctx: unknown, job: MessageJob): Promise<Partial<MessageContent>> => {
    const b = behaviour.get(job.record.id)!;
    started.push(job.record.id);
    await new Promise((r) => setTimeout(r, b.ms));
    if (b.fail === 'item') throw new ItemError(`bad ${job.record.id}`);
    if (b.fail === 'page') throw new TransientError('the API is down');
    return {
      message: { subject: job.record.id } as MessageContent['message'],
      attachments: [],
      attachmentsSkipped: 0,
      contentBytes: 10,
      oversize: false,
    };
  },
}));

function job(id: string, ms: number, fail?: 'item' | 'page'): MessageJob {
  behaviour.set(id, { ms, fail });
  const record: MimecastMessageRecord = {
    id,
    subject: id,
    to: [],
    received: '2026-01-01T00:00:00+0000',
    size: 100,
    attachmentCount: 0,
    read: false,
    recalled: false,
    expired: false,
  };
  return { view: 'INBOX', record };
}

function context(pageConcurrency: number): ProcessContext {
  const settings = parseSettingsLenient({
    sourceId: 'unit',
    messages: { startDate: '2000-01-01' },
    performance: { pageConcurrency },
  });
  return {
    settings,
    mailbox: 'a@example.com',
    address: 'a@example.com',
    domain: 'example.com',
    passId: 'p',
    now: () => new Date('2026-01-02T00:00:00Z'),
    runtime: {
      heartbeat() {},
      lastHeartbeatDetails: () => undefined,
      attempt: () => 1,
      cancellationSignal: () => undefined,
    },
  } as unknown as ProcessContext;
}

beforeEach(() => {
  behaviour.clear();
  started.length = 0;
});

test('applies results in list order although later messages finish first, pageConcurrency at a time', async () => {
  // The first message is the slowest: with 3 lanes, the others finish long before it.
  const jobs = [job('m0', 120), job('m1', 10, 'item'), job('m2', 10), job('m3', 10), job('m4', 30, 'item')];
  const beats: { next: number; inFlight: string[] }[] = [];
  const result = await processMessages(
    context(3),
    jobs,
    (next, inFlight) => beats.push({ next, inFlight }),
    new Set(['m3']),
  );
  expect(result.outcomes).toEqual(['indexed', 'failed', 'indexed', 'failed', 'failed']);
  // Each op named by what it is about: a message document by its subject, a failure record by its id.
  const order = result.ops.map((op) => {
    const doc = (op as { doc?: { subject?: string; mimecastId?: string; kind?: string } }).doc;
    if (op.action === 'delete') return 'clear';
    return doc?.mimecastId ? `failed ${doc.mimecastId} (${doc.kind})` : `message ${doc?.subject}`;
  });
  expect(order).toEqual([
    'message m0',
    'clear',
    'failed m1 (item)',
    'message m2',
    'clear',
    'failed m3 (worker-stopped)',
    'failed m4 (item)',
  ]);
  expect(result.ops).toHaveLength(2 + 1 + 2 + 1 + 1);
  expect(result.counters).toMatchObject({ indexed: 2, failed: 3, contentBytes: 20 });
  expect([...result.written.messages.values()].map((w) => [w.job.record.id, w.outcomeIndex])).toEqual([
    ['m0', 0],
    ['m2', 2],
  ]);
  // m3 was in flight when an earlier attempt's worker stopped: recorded, never fetched.
  expect(started).not.toContain('m3');
  expect(Math.max(...beats.map((b) => b.inFlight.length))).toBe(3);
  // While m0 was still running, later messages had finished: nextIndex stayed at 0.
  expect(beats.some((b) => b.next === 0 && b.inFlight.length === 1 && b.inFlight[0] === 'm0')).toBe(true);
  expect(beats.at(-1)).toEqual({ next: 5, inFlight: [] });
});

test('a page-level error lets the messages in flight settle, starts no more, and throws', async () => {
  const jobs = [job('a', 50), job('b', 5, 'page'), job('c', 50), job('d', 5), job('e', 5)];
  await expect(processMessages(context(3), jobs, () => undefined, new Set())).rejects.toThrow(
    'the API is down',
  );
  expect(started.sort()).toEqual(['a', 'b', 'c']);
});

test('pageConcurrency 1 is the one-at-a-time loop', async () => {
  const jobs = [job('x', 20), job('y', 5), job('z', 5)];
  const beats: string[][] = [];
  const result = await processMessages(context(1), jobs, (_n, inFlight) => beats.push(inFlight), new Set());
  expect(started).toEqual(['x', 'y', 'z']);
  expect(Math.max(...beats.map((b) => b.length))).toBe(1);
  expect(result.outcomes).toEqual(['indexed', 'indexed', 'indexed']);
});
