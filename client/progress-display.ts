// Live progress of `crawl --wait`: a cli-progress bar on a terminal, plain lines otherwise (CI
// logs, pipes), printed when something changed and at most every `plainEveryMs`.
import { SingleBar } from 'cli-progress';
import type { PassProgress } from '../common/contracts';
import type { CliIo } from './cli-io';
import { BAR_FORMAT, progressFigures, progressLine } from './progress-format';
import { RateMeter } from './rate-meter';

export interface ProgressDisplay {
  update(progress: PassProgress, at?: number): void;
  stop(): void;
}

export function createProgressDisplay(io: CliIo, plainEveryMs = 5000): ProgressDisplay {
  return io.isTTY ? new BarDisplay(io) : new PlainDisplay(io, plainEveryMs);
}

class BarDisplay implements ProgressDisplay {
  private readonly rate = new RateMeter();
  private readonly bar: SingleBar;
  private started = false;

  constructor(io: CliIo) {
    this.bar = new SingleBar({
      format: BAR_FORMAT,
      stream: io.stream,
      hideCursor: true,
      clearOnComplete: false,
      barsize: 30,
      etaBuffer: 20,
    });
  }

  update(progress: PassProgress, at = Date.now()): void {
    const figures = progressFigures(progress, this.rate.observe(progress.messages.indexed, at));
    // A total of 0 (still enumerating) would draw a full bar; show an empty one of size 1 instead.
    const total = Math.max(1, figures.mailboxesTotal);
    if (!this.started) {
      this.bar.start(total, figures.mailboxesDone, figures);
      this.started = true;
    } else {
      this.bar.setTotal(total);
      this.bar.update(figures.mailboxesDone, figures);
    }
  }

  stop(): void {
    if (this.started) this.bar.stop();
  }
}

class PlainDisplay implements ProgressDisplay {
  private readonly rate = new RateMeter();
  private lastKey = '';
  private lastStatus = '';
  private lastAt = 0;

  constructor(
    private readonly io: CliIo,
    private readonly everyMs: number,
  ) {}

  update(progress: PassProgress, at = Date.now()): void {
    const line = progressLine(progressFigures(progress, this.rate.observe(progress.messages.indexed, at)));
    // Compare without the rate, which changes on every sample.
    const key = line.replace(/ · [\d.]+ msg\/s/, '');
    const statusChanged = progress.status !== this.lastStatus;
    const due = key !== this.lastKey && at - this.lastAt >= this.everyMs;
    if (!statusChanged && !due) return;
    this.lastKey = key;
    this.lastStatus = progress.status;
    this.lastAt = at;
    this.io.out(line);
  }

  stop(): void {}
}
