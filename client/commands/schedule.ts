// `schedule create|update|describe|pause|unpause|trigger|delete`: the Temporal schedules of a
// source (a delta schedule and an optional reconcile schedule), built by schedule-spec.ts.
import {
  ScheduleAlreadyRunning,
  ScheduleNotFoundError,
  ScheduleOverlapPolicy,
  type Client,
  type ScheduleDescription,
  type ScheduleSpec,
} from '@temporalio/client';
import type { SourceSettings } from '../../common/settings';
import type { CliContext } from '../cli-context';
import {
  crawlScheduleOptions,
  DEFAULT_CATCHUP_WINDOW_MS,
  parseEvery,
  scheduleId,
  scheduleSpec,
  type ScheduleKind,
} from '../schedule-spec';
import { loadSettingsFile } from '../settings-file';
import { formatTable } from '../text-table';

export type ScheduleAction = 'create' | 'update' | 'describe' | 'pause' | 'unpause' | 'trigger' | 'delete';

export interface ScheduleCommandOptions {
  config?: string;
  source?: string;
  every?: string;
  cron?: string;
  reconcileEvery?: string;
  reconcileCron?: string;
  catchupWindow?: string;
  /** trigger: the reconcile schedule instead of the delta one. */
  reconcile?: boolean;
  note?: string;
  /** describe: one JSON document on stdout instead of the table. */
  json?: boolean;
}

type ScheduleContext = Pick<CliContext, 'io' | 'env' | 'temporal'>;

function sourceOf(opts: ScheduleCommandOptions): { sourceId: string; settings?: SourceSettings } {
  if (opts.config) {
    const settings = loadSettingsFile(opts.config);
    if (opts.source && opts.source !== settings.sourceId)
      throw new Error(`--source ${opts.source} differs from the config's sourceId ${settings.sourceId}`);
    return { sourceId: settings.sourceId, settings };
  }
  if (opts.source) return { sourceId: opts.source };
  throw new Error('give --config FILE (or --source ID for commands that do not change the schedule)');
}

function reconcileSpec(opts: ScheduleCommandOptions): ScheduleSpec | undefined {
  if (!opts.reconcileEvery && !opts.reconcileCron) return undefined;
  return scheduleSpec(opts.reconcileEvery, opts.reconcileCron, {
    every: '--reconcile-every',
    cron: '--reconcile-cron',
  });
}

async function exists(client: Client, id: string): Promise<boolean> {
  try {
    await client.schedule.getHandle(id).describe();
    return true;
  } catch (err) {
    if (err instanceof ScheduleNotFoundError) return false;
    throw err;
  }
}

export async function scheduleCommand(
  ctx: ScheduleContext,
  action: ScheduleAction,
  opts: ScheduleCommandOptions,
): Promise<number> {
  const { io } = ctx;
  const { sourceId, settings } = sourceOf(opts);
  const catchupWindowMs = opts.catchupWindow
    ? parseEvery(opts.catchupWindow, '--catchup-window')
    : DEFAULT_CATCHUP_WINDOW_MS;
  // Times are checked before any server is contacted.
  const specs: Partial<Record<ScheduleKind, ScheduleSpec>> = {};
  if (action === 'create' || action === 'update') {
    if (!settings)
      throw new Error(`schedule ${action} needs --config FILE (the settings go into the schedule)`);
    if (opts.every || opts.cron || action === 'create')
      specs.delta = scheduleSpec(opts.every, opts.cron, { every: '--every', cron: '--cron' });
    const reconcile = reconcileSpec(opts);
    if (reconcile) specs.reconcile = reconcile;
  }
  const client = await ctx.temporal();
  const ids = { delta: scheduleId(sourceId, 'delta'), reconcile: scheduleId(sourceId, 'reconcile') };
  const present = { delta: await exists(client, ids.delta), reconcile: await exists(client, ids.reconcile) };

  if (settings && (action === 'create' || action === 'update')) {
    for (const kind of ['delta', 'reconcile'] as const) {
      const id = ids[kind];
      if (action === 'create') {
        if (!specs[kind]) continue;
        if (present[kind]) {
          io.err(`Schedule ${id} already exists; use: schedule update`);
          return 1;
        }
        const options = crawlScheduleOptions({
          settings,
          kind,
          spec: specs[kind],
          taskQueue: ctx.env.taskQueue,
          catchupWindowMs,
        });
        try {
          await client.schedule.create(options);
        } catch (err) {
          if (err instanceof ScheduleAlreadyRunning) {
            io.err(`Schedule ${id} already exists; use: schedule update`);
            return 1;
          }
          throw err;
        }
        io.out(`Created schedule ${id} (${describeSpec(specs[kind])}).`);
      } else {
        if (!present[kind]) {
          if (specs[kind]) {
            io.err(`Schedule ${id} does not exist; use: schedule create`);
            return 1;
          }
          continue;
        }
        const handle = client.schedule.getHandle(id);
        await handle.update((previous) => {
          const fresh = crawlScheduleOptions({
            settings,
            kind,
            spec: specs[kind] ?? previous.spec,
            taskQueue: ctx.env.taskQueue,
            catchupWindowMs: opts.catchupWindow ? catchupWindowMs : previous.policies.catchupWindow,
          });
          return {
            ...previous,
            spec: fresh.spec,
            action: fresh.action,
            policies: fresh.policies,
          } as typeof previous;
        });
        io.out(
          `Updated schedule ${id}` + (specs[kind] ? ` (${describeSpec(specs[kind])}).` : ' (settings).'),
        );
      }
    }
    return 0;
  }

  const targets = (['delta', 'reconcile'] as const).filter((kind) => present[kind]);
  if (targets.length === 0) {
    io.err(`No schedule for source ${sourceId} (expected ${ids.delta}).`);
    return 1;
  }
  switch (action) {
    case 'describe': {
      const descriptions = [];
      for (const kind of targets) descriptions.push(await client.schedule.getHandle(ids[kind]).describe());
      if (opts.json)
        io.out(JSON.stringify({ source: sourceId, schedules: descriptions.map(summarize) }, null, 2));
      else for (const d of descriptions) describe(ctx, d);
      return 0;
    }
    case 'pause':
    case 'unpause':
      for (const kind of targets) {
        const handle = client.schedule.getHandle(ids[kind]);
        if (action === 'pause') await handle.pause(opts.note ?? 'paused from the CLI');
        else await handle.unpause(opts.note ?? 'unpaused from the CLI');
        io.out(`${action === 'pause' ? 'Paused' : 'Unpaused'} schedule ${ids[kind]}.`);
      }
      return 0;
    case 'trigger': {
      const kind: ScheduleKind = opts.reconcile ? 'reconcile' : 'delta';
      if (!present[kind]) {
        io.err(`No schedule ${ids[kind]}.`);
        return 1;
      }
      // BUFFER_ONE as the schedule itself: a trigger during a running pass queues one, never two.
      await client.schedule.getHandle(ids[kind]).trigger(ScheduleOverlapPolicy.BUFFER_ONE);
      io.out(`Triggered schedule ${ids[kind]}: a pass starts now (workflow id prefix crawl:${sourceId}).`);
      return 0;
    }
    case 'delete':
      for (const kind of targets) {
        await client.schedule.getHandle(ids[kind]).delete();
        io.out(`Deleted schedule ${ids[kind]} (running passes are not affected).`);
      }
      return 0;
    default:
      throw new Error(`unknown schedule action ${String(action)}`);
  }
}

function describeSpec(spec: ScheduleSpec | ScheduleDescription['spec']): string {
  const parts: string[] = [];
  for (const interval of spec.intervals ?? []) parts.push(`every ${formatMs(Number(interval.every))}`);
  for (const cron of (spec as ScheduleSpec).cronExpressions ?? []) parts.push(`cron "${cron}"`);
  for (const cal of spec.calendars ?? [])
    parts.push(`calendar ${describeCalendar(cal as unknown as Record<string, unknown>)}`);
  return parts.join(', ') || 'no times';
}

type CalendarRange = { start: number | string; end?: number | string; step?: number };
/** Full ranges the server fills in for fields a cron expression leaves as `*`. */
const FULL: Record<string, string> = {
  second: '0',
  minute: '0-59',
  hour: '0-23',
  dayOfMonth: '1-31',
  month: 'JANUARY-DECEMBER',
  dayOfWeek: 'SUNDAY-SATURDAY',
};

/** The server turns cron into calendars; show only the fields that are not "every". */
function describeCalendar(cal: Record<string, unknown>): string {
  const fields: string[] = [];
  for (const name of ['minute', 'hour', 'dayOfMonth', 'month', 'dayOfWeek']) {
    const ranges = (cal[name] as CalendarRange[] | undefined) ?? [];
    const text = ranges
      .map(
        (r) =>
          `${r.start}${r.end !== undefined && r.end !== r.start ? `-${r.end}` : ''}${r.step && r.step > 1 ? `/${r.step}` : ''}`,
      )
      .join(',');
    if (text && text !== FULL[name]) fields.push(`${name}=${text}`);
  }
  return fields.join(' ') || 'every minute';
}

function formatMs(ms: number): string {
  for (const [unit, size] of [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
  ] as const) {
    if (ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms / 1000}s`;
}

const iso = (date: Date | undefined) => (date ? date.toISOString().replace(/\.\d{3}Z$/, 'Z') : '');

/** What `schedule describe` shows of one schedule: the table's rows, and the --json document. */
function summarize(d: ScheduleDescription) {
  const action = d.action as {
    workflowType?: string;
    workflowId?: string;
    taskQueue?: string;
    args?: unknown[];
  };
  const input = action.args?.[0] as { options?: { ignoreDeltaTokens?: boolean } } | undefined;
  return {
    scheduleId: d.scheduleId,
    paused: d.state.paused,
    note: d.state.note,
    spec: describeSpec(d.spec),
    workflowType: action.workflowType,
    workflowIdPrefix: action.workflowId,
    taskQueue: action.taskQueue,
    mode: input?.options?.ignoreDeltaTokens ? 'reconcile' : 'delta',
    overlap: String(d.policies.overlap),
    catchupWindow: formatMs(d.policies.catchupWindow),
    pauseOnFailure: d.policies.pauseOnFailure,
    actionsTaken: d.info.numActionsTaken,
    nextRuns: d.info.nextActionTimes.map(iso),
    recentRuns: d.info.recentActions.map((a) => ({
      takenAt: iso(a.takenAt),
      workflowId: a.action.workflow.workflowId,
    })),
    running: d.info.runningActions.map((a) => a.workflow.workflowId),
  };
}

function describe(ctx: ScheduleContext, d: ScheduleDescription): void {
  const { io } = ctx;
  const s = summarize(d);
  io.out(`Schedule ${s.scheduleId}${s.paused ? ' (PAUSED' + (s.note ? `: ${s.note}` : '') + ')' : ''}`);
  for (const line of formatTable(
    ['FIELD', 'VALUE'],
    [
      ['spec', s.spec],
      ['action', `start ${s.workflowType} ${s.workflowIdPrefix}-<time> on ${s.taskQueue}`],
      ['mode', s.mode],
      ['overlap', s.overlap],
      ['catch-up window', s.catchupWindow],
      ['pause on failure', String(s.pauseOnFailure)],
      ['actions taken', s.actionsTaken],
      ['next runs', s.nextRuns.slice(0, 3).join(', ')],
      [
        'recent runs',
        s.recentRuns
          .slice(-3)
          .map((r) => `${r.takenAt} ${r.workflowId}`)
          .join('; '),
      ],
      ['running', s.running.join(', ') || 'none'],
    ],
  )) {
    io.out(`  ${line}`);
  }
}
