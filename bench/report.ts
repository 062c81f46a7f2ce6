// Prints the benchmark's figures side by side and checks them against the targets of issue 9.
import type { MachineInfo } from './machine';
import type { HugeResult } from './huge-scenario';
import type { LatencyResult } from './latency-scenario';
import type { ThroughputResult } from './throughput-scenario';
import type { QuotaResult } from './quota-scenario';
import { VIEWS } from '../common/contracts';
import type { SteadyStateResult } from './steady-state';
import { formatSteadyState, steadyTargetChecks } from './steady-state-report';

export interface BenchResults {
  startedAt: string;
  command: string;
  /** How the worker processes were started. */
  workers: string;
  machine: MachineInfo;
  throughput?: ThroughputResult;
  latency?: LatencyResult;
  quota?: QuotaResult;
  huge?: HugeResult;
  steadyState?: SteadyStateResult;
  loadAverageEnd?: number;
}

export interface TargetCheck {
  name: string;
  value: string;
  target: string;
  met: boolean;
}

const f1 = (n: number) => n.toFixed(1);
const f2 = (n: number) => n.toFixed(2);

export function targetChecks(r: BenchResults): TargetCheck[] {
  const checks: TargetCheck[] = [];
  const t = r.throughput;
  if (t) {
    const off = t.temporalOff.seconds / t.plainOff.seconds;
    const on = t.temporalOn.seconds / t.plainOn.seconds;
    checks.push({
      name: '(a)/(b) time, attachments off',
      value: f2(off),
      target: '≤ 1.10',
      met: off <= 1.1,
    });
    checks.push({ name: '(a)/(b) time, attachments on', value: f2(on), target: '≤ 1.10', met: on <= 1.1 });
    const share = t.temporalOff.perSecond / t.rawBulk.perSecond;
    checks.push({
      name: '(a) vs (c) raw _bulk, attachments off',
      value: `${f1(share * 100)} %`,
      target: '≥ 50 %',
      met: share >= 0.5,
    });
    checks.push({
      name: '(d) API calls per message',
      value: f2(t.apiCalls.perMessage),
      target: '≤ 1.05',
      met: t.apiCalls.perMessage <= 1.05,
    });
  }
  const g = r.latency;
  const p8 = g?.runs.find((x) => x.parallelism === 8 && x.pageConcurrency === g.pageConcurrency);
  if (g && p8) {
    checks.push({
      name: '(g) parallelism 8, messages/s (4 × 45.4 before page concurrency)',
      value: f1(p8.figures.perSecond),
      target: '≥ 181.6',
      met: p8.figures.perSecond >= 181.6,
    });
    const share = p8.figures.perSecond / latencyBound(g, 8);
    checks.push({
      name: '(g) parallelism 8 vs the budget × latency bound',
      value: `${f1(share * 100)} % of ${f1(latencyBound(g, 8))}/s`,
      target: '≥ 80 %',
      met: share >= 0.8,
    });
  }
  for (const q of r.quota?.runs ?? []) {
    const used = q.steadyCallsPerSecond / r.quota!.quotaPerSecond;
    const throttled = q.throttled / Math.max(1, q.answered + q.throttled);
    checks.push({
      name: `(q) quota used, ${q.workers} worker(s)`,
      value: `${f1(used * 100)} %`,
      target: '≥ 90 %',
      met: used >= 0.9,
    });
    checks.push({
      name: `(q) 429s of all calls, ${q.workers} worker(s)`,
      value: `${f2(throttled * 100)} %`,
      target: '≤ 1 %',
      met: throttled <= 0.01,
    });
  }
  if (r.huge) {
    checks.push({
      name: '(e) peak worker RSS, huge-mailbox',
      value: `${r.huge.peakRssMb.toFixed(0)} MB`,
      target: '< 400 MB',
      met: r.huge.peakRssMb < 400,
    });
  }
  const maxEvents = Math.max(t?.histories.maxEvents ?? 0, r.huge?.histories.maxEvents ?? 0);
  if (t || r.huge) {
    checks.push({
      name: '(f) history events, largest run',
      value: String(maxEvents),
      target: '≤ 10,000',
      met: maxEvents <= 10_000,
    });
  }
  if (r.steadyState) checks.push(...steadyTargetChecks(r.steadyState));
  return checks;
}

/**
 * Messages per second that concurrency and latency allow: min(API budget ceiling, mailboxes ×
 * messages in flight per page) calls in flight, each taking the simulator's latency.
 */
/**
 * Messages per second if the calls in flight never stopped: min(budget ceiling, parallelism × views
 * (a page of each at once, workflows/parallel-views.ts) × pageConcurrency) calls per latency, divided
 * by the calls a message costs in that run (list calls and link GETs included; 1 when not measured).
 */
export function latencyBound(
  g: LatencyResult,
  parallelism: number,
  pageConcurrency = g.pageConcurrency,
): number {
  const run = g.runs.find((x) => x.parallelism === parallelism && x.pageConcurrency === pageConcurrency);
  const inFlight = Math.min(g.budgetCeiling, parallelism * VIEWS.length * pageConcurrency);
  return inFlight / (g.latencyMs / 1000) / (run?.callsPerMessage ?? 1);
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => `| ${r.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [
    line(rows[0]!),
    `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`,
    ...rows.slice(1).map(line),
  ].join('\n');
}

/** The report as Markdown (what BENCHMARKS.md quotes). */
export function formatReport(r: BenchResults): string {
  const out: string[] = [];
  const m = r.machine;
  out.push(`Run ${r.startedAt}: \`${r.command}\`; worker processes: ${r.workers}`);
  out.push(
    `Machine: ${m.cores} cores (${m.cpu}), ${m.memoryGiB} GiB RAM; Node ${m.node}; Elasticsearch ${m.elasticsearch}; Temporal server ${m.temporalServer}, TS SDK ${m.temporalSdk}; load average ${m.loadAverage} at the start${r.loadAverageEnd !== undefined ? `, ${r.loadAverageEnd} at the end` : ''}`,
  );
  const t = r.throughput;
  if (t) {
    out.push('', `### Throughput — preset \`${t.preset}\``, '');
    const row = (x: { label: string; messages: number; seconds: number; perSecond: number }) => [
      x.label,
      String(x.messages),
      f1(x.seconds),
      f1(x.perSecond),
    ];
    out.push(
      table([
        ['run', 'messages', 'seconds', 'messages/s'],
        row(t.temporalOff),
        row(t.plainOff),
        [
          "(c) raw _bulk of (a)'s documents",
          String(t.rawBulk.messages),
          f2(t.rawBulk.seconds),
          f1(t.rawBulk.perSecond),
        ],
        row(t.temporalOn),
        row(t.plainOn),
      ]),
    );
    out.push(
      '',
      `(c) wrote ${t.rawBulk.documents} documents (${f1(t.rawBulk.mb)} MB of JSON). (d) with attachments on and download links: ${t.apiCalls.total} /api calls for ${t.temporalOn.messages} messages = **${f2(t.apiCalls.perMessage)} per message**; ${t.apiCalls.linkGets} link GETs = ${f2(t.apiCalls.linkGetsPerMessage)} per message; ${t.apiCalls.auth} token requests.`,
      `By endpoint: ${t.apiCalls.byEndpoint.map(([e, n]) => `${e} ${n}`).join(', ')}.`,
      `(f) ${t.histories.runs} workflow runs, largest ${t.histories.maxEvents} events (${t.histories.maxRun}). Worker peak RSS ${t.workerPeakRssMb.toFixed(0)} MB.`,
      `Where a page's time goes in (a) with attachments on (${t.histories.activities.count} mailbox activities, mean): scheduled → started ${t.histories.activities.scheduleToStartMs} ms, running ${t.histories.activities.runMs} ms, completed → next scheduled ${t.histories.activities.turnaroundMs} ms; ${f1(t.temporalOn.messages / Math.max(1, t.histories.activities.count))} messages per activity.`,
    );
  }
  if (t?.tuned) {
    const u = t.tuned;
    out.push(
      '',
      `Tuned: ${u.figures.label}: ${u.figures.messages} messages in ${f1(u.figures.seconds)} s = ${f1(u.figures.perSecond)}/s; ${f2(u.apiCallsPerMessage)} API calls per message (${u.listCalls} list calls); ${u.activities} mailbox activities.`,
    );
  }
  if (t) {
    const cpuRow = (x: { label: string; cpu: Record<string, number> }) => [
      x.label,
      Object.entries(x.cpu)
        .map(([k, v]) => `${k} ${f1(v)}`)
        .join(', '),
    ];
    out.push(
      '',
      'CPU seconds per process during each run (2 cores shared with everything else on the machine):',
      '',
    );
    out.push(
      table([
        ['run', 'CPU seconds'],
        cpuRow(t.temporalOff),
        cpuRow(t.plainOff),
        cpuRow(t.temporalOn),
        cpuRow(t.plainOn),
      ]),
    );
  }
  const g = r.latency;
  if (g) {
    out.push(
      '',
      `### Scaling — preset \`latency-32\` (32 mailboxes, ${g.latencyMs} ms per API call), messages of the last ${g.lastDays} days, page concurrency ${g.pageConcurrency}, API budget ceiling ${g.budgetCeiling}`,
      '',
    );
    const base = g.runs.find((x) => x.parallelism === 1 && x.pageConcurrency === g.pageConcurrency)?.figures
      .perSecond;
    out.push(
      table([
        [
          'parallelism',
          'page concurrency',
          'messages',
          'seconds',
          'messages/s',
          'vs p1',
          'calls/message',
          'bound',
          'of bound',
        ],
        ...g.runs.map((x) => [
          String(x.parallelism),
          String(x.pageConcurrency),
          String(x.figures.messages),
          f1(x.figures.seconds),
          f1(x.figures.perSecond),
          base ? `${f1(x.figures.perSecond / base)}×` : '',
          x.callsPerMessage ? f2(x.callsPerMessage) : '',
          f1(latencyBound(g, x.parallelism, x.pageConcurrency)),
          `${f1((x.figures.perSecond / latencyBound(g, x.parallelism, x.pageConcurrency)) * 100)} %`,
        ]),
      ]),
    );
    const timed = g.runs.filter((x) => x.timeline);
    if (timed.length)
      out.push(
        '',
        "Where a mailbox's time goes (mean per mailbox, from the histories; page activities of the two views overlap):",
        '',
        table([
          [
            'parallelism',
            'wall ms',
            'page activities',
            'ms each',
            'start → 1st activity',
            'report → next mailbox',
          ],
          ...timed.map((x) => {
            const t = x.timeline!;
            const page = t.activities.crawlPage ?? { perMailbox: 0, runMs: 0 };
            return [
              String(x.parallelism),
              String(t.wallMs),
              String(page.perMailbox),
              String(page.runMs),
              String(t.startMs),
              String(t.dispatchGapMs),
            ];
          }),
        ]),
      );
  }
  const q = r.quota;
  if (q) {
    out.push(
      '',
      `### Quota-bound — \`latency-32\` behind a per-app quota of ${q.quotaPerSecond} calls/s, parallelism ${q.parallelism}, last ${q.lastDays} days, attachments off`,
      '',
      table([
        ['workers', 'messages', 'seconds', 'calls/s steady', 'of quota', '429s', 'of calls'],
        ...q.runs.map((x) => [
          String(x.workers),
          String(x.messages),
          f1(x.seconds),
          f1(x.steadyCallsPerSecond),
          `${f1((x.steadyCallsPerSecond / q.quotaPerSecond) * 100)} %`,
          String(x.throttled),
          `${f2((x.throttled / Math.max(1, x.answered + x.throttled)) * 100)} %`,
        ]),
      ]),
    );
  }
  const h = r.huge;
  if (h) {
    out.push(
      '',
      `### Memory — preset \`huge-mailbox\`${h.lastDays ? ` (messages of the last ${h.lastDays} of 1,095 days)` : ''}, attachments ${h.attachments ? 'on' : 'off'}`,
      '',
      `${h.figures.messages} messages in ${f1(h.figures.seconds)} s = ${f1(h.figures.perSecond)}/s; **peak worker RSS ${h.peakRssMb.toFixed(0)} MB during the crawl** (${h.lifetimePeakRssMb.toFixed(0)} MB over the worker's life, start-up bundling included); ${h.histories.runs} runs, largest ${h.histories.maxEvents} events (${h.histories.maxRun}).`,
    );
  }
  if (r.steadyState) out.push(...formatSteadyState(r.steadyState));
  const checks = targetChecks(r);
  if (checks.length) {
    out.push(
      '',
      '### Targets',
      '',
      table([
        ['target', 'measured', 'goal', 'met'],
        ...checks.map((c) => [c.name, c.value, c.target, c.met ? 'yes' : '**no**']),
      ]),
    );
  }
  return out.join('\n');
}
