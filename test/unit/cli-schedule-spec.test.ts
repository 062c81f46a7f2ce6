import { ScheduleOverlapPolicy } from '@temporalio/client';
import { CrawlStatus, MimecastSource } from '../../common/search-attributes';
import { parseSettingsStrict } from '../../common/settings';
import {
  checkCron,
  crawlScheduleOptions,
  parseEvery,
  scheduleId,
  scheduleSpec,
  scheduledWorkflowId,
} from '../../client/schedule-spec';
import { passWorkflowIdPrefix } from '../../common/contracts';

const settings = parseSettingsStrict({ sourceId: 'acme', messages: { startDate: '2024-01-01' } });

describe('crawl schedules', () => {
  it('parses --every durations and refuses nonsense or sub-minute intervals', () => {
    expect(parseEvery('1h', '--every')).toBe(3_600_000);
    expect(parseEvery('7d', '--every')).toBe(7 * 86_400_000);
    expect(parseEvery('15m', '--every')).toBe(900_000);
    expect(() => parseEvery('hourly', '--every')).toThrow(/--every: "hourly" is not a duration/);
    expect(() => parseEvery('30s', '--every')).toThrow(/shorter than one minute/);
  });

  it('checks the shape of cron expressions', () => {
    expect(checkCron('*/30 * * * *', '--cron')).toBe('*/30 * * * *');
    expect(checkCron('@daily', '--cron')).toBe('@daily');
    expect(() => checkCron('* * *', '--cron')).toThrow(/--cron: .* 5-field/);
  });

  it('needs exactly one of --every and --cron', () => {
    const names = { every: '--every', cron: '--cron' };
    expect(scheduleSpec('1h', undefined, names)).toEqual({ intervals: [{ every: 3_600_000 }] });
    expect(scheduleSpec(undefined, '0 * * * *', names)).toEqual({ cronExpressions: ['0 * * * *'] });
    expect(() => scheduleSpec('1h', '0 * * * *', names)).toThrow(/not both/);
    expect(() => scheduleSpec(undefined, undefined, names)).toThrow(/required/);
  });

  it('starts crawlArchive under the source prefix with BUFFER_ONE, a catch-up window and pause on failure', () => {
    const options = crawlScheduleOptions({
      settings,
      kind: 'delta',
      spec: { intervals: [{ every: 3_600_000 }] },
      taskQueue: 'q',
      catchupWindowMs: 600_000,
    });
    expect(options.scheduleId).toBe('crawl-schedule:acme');
    expect(options.policies).toEqual({
      overlap: ScheduleOverlapPolicy.BUFFER_ONE,
      catchupWindow: 600_000,
      pauseOnFailure: true,
    });
    expect(options.action.type).toBe('startWorkflow');
    const action = options.action as {
      workflowType: string;
      workflowId: string;
      taskQueue: string;
      args: unknown[];
      typedSearchAttributes: unknown;
      staticSummary: string;
    };
    // The Web UI's summary of each scheduled pass (docs/operations.md, The Web UI).
    expect(action.staticSummary).toBe('Pass of source acme (delta)');
    expect(action.workflowType).toBe('crawlArchive');
    expect(action.workflowId.startsWith(passWorkflowIdPrefix('acme'))).toBe(true);
    expect(action.taskQueue).toBe('q');
    expect(action.args).toEqual([{ settings, options: {} }]);
    expect(action.typedSearchAttributes).toEqual([
      { key: MimecastSource, value: 'acme' },
      { key: CrawlStatus, value: 'Enumerating' },
    ]);
  });

  it('makes the reconcile schedule ignore delta tokens, under its own ids', () => {
    const options = crawlScheduleOptions({
      settings,
      kind: 'reconcile',
      spec: { intervals: [{ every: 7 * 86_400_000 }] },
      taskQueue: 'q',
      catchupWindowMs: 1,
    });
    expect(options.scheduleId).toBe(scheduleId('acme', 'reconcile'));
    expect(options.scheduleId).not.toBe(scheduleId('acme'));
    const action = options.action as {
      workflowId: string;
      args: { options: object }[];
      staticSummary: string;
    };
    expect(action.workflowId).toBe(scheduledWorkflowId('acme', 'reconcile'));
    expect(action.staticSummary).toBe('Pass of source acme (reconcile)');
    expect(action.workflowId.startsWith('crawl:acme:')).toBe(true);
    expect(action.args[0].options).toEqual({ ignoreDeltaTokens: true });
  });

  it('stores settings that hold no secret, only the credential name', () => {
    const options = crawlScheduleOptions({
      settings,
      kind: 'delta',
      spec: {},
      taskQueue: 'q',
      catchupWindowMs: 1,
    });
    const json = JSON.stringify(options.action);
    expect(json).toContain('"credential":"default"');
    expect(json).not.toMatch(/secret|clientId|password|bearer/i);
  });
});
