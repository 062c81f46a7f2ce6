import { PassThrough } from 'node:stream';
import { bufferIo } from '../../client/cli-io';
import { createProgressDisplay } from '../../client/progress-display';
import { passSummary, progressFigures, progressLine } from '../../client/progress-format';
import { RateMeter } from '../../client/rate-meter';
import { type PassProgress } from '../../common/contracts';
import { emptyCounters } from '../../common/message-counters';

function progress(over: Partial<PassProgress> = {}, indexed = 0): PassProgress {
  return {
    passId: 'crawl:acme/run-1',
    sourceId: 'acme',
    status: 'Crawling',
    mode: 'delta',
    paused: false,
    startedAt: '2026-01-01T00:00:00Z',
    mailboxes: { total: 10, dispatched: 6, inFlight: 4, completed: 2, failed: 1 },
    messages: { ...emptyCounters(), indexed, throttled: 7, failed: 2, apiCalls: 120 },
    deletions: { candidates: 0, performed: 0, withheld: 0 },
    failedMailboxes: [
      {
        address: 'bob@example.com',
        mailboxKey: 'bob@example.com',
        reason: 'page kept failing',
        kind: 'mailbox',
      },
    ],
    failedMailboxesTotal: 1,
    ...over,
  };
}

describe('progress of crawl --wait', () => {
  it('measures messages per second over recent samples', () => {
    const meter = new RateMeter(10_000);
    expect(meter.observe(0, 0)).toBe(0);
    expect(meter.observe(100, 2000)).toBe(50);
    // After a stall longer than the window the rate falls to zero instead of the long-run average.
    meter.observe(100, 20_000);
    expect(meter.observe(100, 31_000)).toBe(0);
  });

  it('shows mailboxes done/total, messages indexed, rate, 429s and failures on one line', () => {
    const line = progressLine(progressFigures(progress({}, 500), 12.345));
    expect(line).toBe(
      '[Crawling] mailboxes 3/10 (in flight 4) · messages indexed 500 · 12.3 msg/s · 429s 7 · failed mailboxes 1 · failed items 2',
    );
  });

  it('prints plain lines without a TTY, on status changes and otherwise at most every period', () => {
    const io = bufferIo();
    const display = createProgressDisplay(io, 5000);
    display.update(progress({ status: 'Enumerating' }), 0);
    display.update(progress({}, 10), 1000); // status changed: printed at once
    display.update(progress({}, 20), 2000); // changed, but within the period
    display.update(progress({}, 30), 7000); // due
    display.update(progress({}, 30), 13_000); // nothing changed
    display.stop();
    expect(io.lines).toHaveLength(3);
    expect(io.lines[0]).toContain('[Enumerating]');
    expect(io.lines[2]).toContain('messages indexed 30');
  });

  it('draws a bar on a terminal with mailboxes done/total and the figures', () => {
    const stream = new PassThrough();
    let drawn = '';
    stream.on('data', (chunk: Buffer) => (drawn += chunk.toString()));
    Object.assign(stream, {
      isTTY: true,
      columns: 200,
      cursorTo: () => true,
      clearLine: () => true,
      moveCursor: () => true,
    });
    const display = createProgressDisplay({ ...bufferIo(), stream, isTTY: true });
    display.update(progress({}, 100), 0);
    display.update(
      progress({ mailboxes: { total: 10, dispatched: 10, inFlight: 0, completed: 9, failed: 1 } }, 400),
      3000,
    );
    display.stop();
    expect(drawn).toContain(
      '10/10 mailboxes | 400 indexed | 100.0 msg/s | 429s 7 | failed 1 mbx, 2 items | Crawling',
    );
  });

  it('summarises a pass with its failures, deletions and API calls per message', () => {
    const lines = passSummary(
      progress(
        {
          status: 'CompletedWithFailures',
          deletions: { candidates: 4, performed: 0, withheld: 4, reason: 'snapshot incomplete' },
        },
        60,
      ),
      new Date('2026-01-01T00:01:00Z'),
    );
    const text = lines.join('\n');
    expect(text).toContain('CompletedWithFailures (delta) in 60.0 s');
    expect(text).toContain('2.00 calls per message');
    expect(text).toContain('0 performed, 4 withheld of 4 candidates (snapshot incomplete)');
    expect(text).toContain('bob@example.com: [mailbox] page kept failing');
  });
});
