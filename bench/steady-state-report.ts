// The `steady-state` scenario's lines of the benchmark report and its targets (issue [J]).
import type { SteadyPass, SteadyStateResult } from './steady-state';

export interface SteadyTargetCheck {
  name: string;
  value: string;
  target: string;
  met: boolean;
}

/** Today's (before [J]) delta pass over 2,500 idle mailboxes took 484 s on this machine. */
const DELTA_SECONDS_BEFORE = 484;

const f1 = (n: number) => n.toFixed(1);
const f2 = (n: number) => n.toFixed(2);

export function steadyTargetChecks(s: SteadyStateResult): SteadyTargetCheck[] {
  const checks: SteadyTargetCheck[] = [];
  const idle = s.passes.find((p) => p.label.includes('nothing new'));
  if (idle) {
    const ratio = idle.temporalSeconds / idle.plainSeconds;
    checks.push({
      name: `steady: idle delta pass vs plain loop (${s.mailboxes} mailboxes)`,
      value: `${f1(ratio)}×`,
      target: '≤ 5×',
      met: ratio <= 5,
    });
    // Stated for 2,500 mailboxes; a larger run under the same limit meets it a fortiori.
    if (s.mailboxes >= 2500) {
      checks.push({
        name: `steady: idle delta pass over ${s.mailboxes.toLocaleString('en-US')} mailboxes`,
        value: `${f1(idle.temporalSeconds)} s`,
        target: `≤ ${f1(DELTA_SECONDS_BEFORE / 10)} s (10× less than ${DELTA_SECONDS_BEFORE} s)`,
        met: idle.temporalSeconds <= DELTA_SECONDS_BEFORE / 10,
      });
    }
    // The mailbox workflows' cost plus the pass workflow's share: what an idle mailbox costs the server.
    const p = withPassShare(idle);
    checks.push({
      name: 'steady: per idle mailbox per pass (mailbox workflows + share of the pass workflow)',
      value: `${f2(p.workflowTasks)} tasks, ${f2(p.activities)} activities, ${f2(p.events)} events`,
      target: '≤ 3, ≤ 1, ≤ 16',
      met: p.workflowTasks <= 3 && p.activities <= 1 && p.events <= 16,
    });
  }
  const x = s.exactIndex;
  checks.push({
    name: `steady: first pass, exact index (${s.mailboxes} mailboxes)`,
    value: `${x.indexed} of ${x.expected}, ${x.missing} missing, ${x.extra} extra`,
    target: 'exact',
    met: x.missing === 0 && x.extra === 0 && s.passes[0]?.failedMailboxes === 0,
  });
  return checks;
}

function withPassShare(p: SteadyPass): { workflowTasks: number; activities: number; events: number } {
  return {
    workflowTasks: p.perMailbox.workflowTasks + p.passWorkflow.workflowTasks / p.mailboxes,
    activities: p.perMailbox.activities + p.passWorkflow.activities / p.mailboxes,
    events: p.perMailbox.events + p.passWorkflow.events / p.mailboxes,
  };
}

function cpu(perMailbox: Record<string, number>): string {
  return Object.entries(perMailbox)
    .map(([k, v]) => `${k} ${(v * 1000).toFixed(0)}`)
    .join(', ');
}

export function formatSteadyState(s: SteadyStateResult): string[] {
  const tuning = Object.keys(s.tuning).length ? `, mailbox tuning ${JSON.stringify(s.tuning)}` : '';
  const out = [
    '',
    `### Steady state — preset \`many-mailboxes\`, ${s.mailboxes} mailboxes, parallelism ${s.parallelism}${tuning}`,
    '',
    '| pass | parallelism | Temporal s | plain loop s | ratio | mailboxes/s | left asleep (idle screen) | mailbox workflows, per mailbox: tasks / activities / events / upserts | pass workflow: tasks / activities / events (runs) | all, per mailbox: tasks / activities / events |',
    '|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const p of s.passes) {
    const m = p.perMailbox;
    const all = withPassShare(p);
    const w = p.passWorkflow;
    out.push(
      `| ${p.label} | ${p.parallelism} | ${f1(p.temporalSeconds)} | ${f1(p.plainSeconds)} | ${f1(p.temporalSeconds / p.plainSeconds)}× | ${f1(p.mailboxes / p.temporalSeconds)} | ${p.idleMailboxes ?? 0} | ${f2(m.workflowTasks)} / ${f2(m.activities)} / ${f1(m.events)} / ${f2(m.upserts)} | ${w.workflowTasks} / ${w.activities ?? 0} / ${w.events} (${w.runs}) | ${f2(all.workflowTasks)} / ${f2(all.activities)} / ${f2(all.events)} |`,
    );
  }
  out.push('', 'CPU milliseconds per mailbox (Temporal run; plain loop):', '');
  for (const p of s.passes)
    out.push(
      `- ${p.label}: ${cpu(p.cpuPerMailbox)} (Temporal net of its background ${f2(p.temporalBackgroundCpuPerSecond)} CPU s/s: ${(p.temporalNetCpuPerMailbox * 1000).toFixed(0)}); plain: ${cpu(p.plainCpuPerMailbox)}`,
    );
  out.push('', 'Mean mailbox workflow task, scheduled → started / started → completed (ms):', '');
  for (const p of s.passes) out.push(`- ${p.label}: ${p.mailboxTaskMs.wait} / ${p.mailboxTaskMs.run}`);
  const r = s.workerRssMb;
  out.push(
    '',
    `First pass: ${s.passes[0]?.messagesIndexed ?? 0} messages; exact index: ${s.exactIndex.indexed} indexed of ${s.exactIndex.expected} expected, ${s.exactIndex.missing} missing, ${s.exactIndex.extra} extra. Worker RSS ${r.beforeFirstPass.toFixed(0)} MB before the first pass, ${r.afterFirstPass.toFixed(0)} MB after it with the mailbox workflows cached ≈ ${r.perCachedWorkflowKb} KB per cached workflow.`,
  );
  return out;
}
