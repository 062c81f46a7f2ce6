// Pure construction of the crawl schedules (docs/architecture.md, Commands and environment): ids, spec from
// --every/--cron, and the startWorkflow action with its settings (never secrets: settings only name a
// credential).
import type { ScheduleOptions, ScheduleSpec } from '@temporalio/client';
import { ScheduleOverlapPolicy } from '@temporalio/client';
import {
  PASS_WORKFLOW_TASK_TIMEOUT,
  passModeFor,
  WorkflowTypes,
  type CrawlArchiveInput,
} from '../common/contracts';
import { CrawlStatus, MimecastSource } from '../common/search-attributes';
import type { SourceSettings } from '../common/settings';
import { passWorkflowSummary } from '../common/workflow-summaries';

export type ScheduleKind = 'delta' | 'reconcile';

export function scheduleId(sourceId: string, kind: ScheduleKind = 'delta'): string {
  return kind === 'delta' ? `crawl-schedule:${sourceId}` : `crawl-schedule:${sourceId}:reconcile`;
}

/**
 * Workflow id of scheduled passes. Temporal appends the nominal time (`-2026-01-01T00:00:00Z`),
 * so every scheduled pass is still found by the prefix `crawl:<sourceId>`.
 */
export function scheduledWorkflowId(sourceId: string, kind: ScheduleKind = 'delta'): string {
  return kind === 'delta' ? `crawl:${sourceId}:scheduled` : `crawl:${sourceId}:reconcile`;
}

const DURATION = /^(\d+)\s*(s|m|h|d)$/;
const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `90s`, `15m`, `1h`, `7d` → milliseconds; anything else is an error naming the option. */
export function parseEvery(value: string, option: string): number {
  const match = DURATION.exec(value.trim());
  if (!match) throw new Error(`${option}: "${value}" is not a duration (use e.g. 15m, 1h, 7d)`);
  const ms = Number(match[1]) * UNIT_MS[match[2]];
  if (ms < 60_000) throw new Error(`${option}: "${value}" is shorter than one minute`);
  return ms;
}

/** A cron expression of five fields (or an @hourly-style alias), checked only for shape; the server checks the rest. */
export function checkCron(value: string, option: string): string {
  const trimmed = value.trim();
  if (/^@(yearly|annually|monthly|weekly|daily|midnight|hourly)$/.test(trimmed)) return trimmed;
  if (trimmed.split(/\s+/).length !== 5)
    throw new Error(`${option}: "${value}" is not a 5-field cron expression`);
  return trimmed;
}

export function scheduleSpec(
  every: string | undefined,
  cron: string | undefined,
  names: { every: string; cron: string },
): ScheduleSpec {
  if (every && cron) throw new Error(`give either ${names.every} or ${names.cron}, not both`);
  if (every) return { intervals: [{ every: parseEvery(every, names.every) }] };
  if (cron) return { cronExpressions: [checkCron(cron, names.cron)] };
  throw new Error(`one of ${names.every} or ${names.cron} is required`);
}

export interface CrawlScheduleParams {
  settings: SourceSettings;
  kind: ScheduleKind;
  spec: ScheduleSpec;
  taskQueue: string;
  /** Missed runs older than this are skipped after an outage (an explicit choice, not the server's 1-year default). */
  catchupWindowMs: number;
}

export const DEFAULT_CATCHUP_WINDOW_MS = 3_600_000;

export function crawlScheduleOptions(params: CrawlScheduleParams): ScheduleOptions {
  const { settings, kind } = params;
  const input: CrawlArchiveInput = {
    settings,
    options: kind === 'reconcile' ? { ignoreDeltaTokens: true } : {},
  };
  return {
    scheduleId: scheduleId(settings.sourceId, kind),
    spec: params.spec,
    action: {
      type: 'startWorkflow',
      workflowType: WorkflowTypes.crawlArchive,
      workflowId: scheduledWorkflowId(settings.sourceId, kind),
      taskQueue: params.taskQueue,
      args: [input],
      staticSummary: passWorkflowSummary(
        settings.sourceId,
        passModeFor('delta', settings, kind === 'reconcile'),
      ),
      workflowTaskTimeout: PASS_WORKFLOW_TASK_TIMEOUT,
      typedSearchAttributes: [
        { key: MimecastSource, value: settings.sourceId },
        { key: CrawlStatus, value: 'Enumerating' },
      ],
    },
    policies: {
      overlap: ScheduleOverlapPolicy.BUFFER_ONE,
      catchupWindow: params.catchupWindowMs,
      pauseOnFailure: true,
    },
    typedSearchAttributes: [{ key: MimecastSource, value: settings.sourceId }],
    memo: { sourceId: settings.sourceId, kind },
  };
}
