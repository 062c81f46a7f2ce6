// Pass tests over the simulator's tiny preset (alice and bob at example.com, carol at example.org, 40 days
// of mail): its mailboxes by name, settings that take in all of them, and the source's pass started directly.
import type { WorkflowHandle } from '@temporalio/client';
import { passWorkflowId, type CrawlArchiveInput, type PassTuning } from '../../common/contracts';
import type { SourceSettings } from '../../common/settings';
import { mergeSettings, type SettingsLayer } from './settings';
import type { WorkerHarness } from './worker-harness';

/** 50 days back (YYYY-MM-DD): the preset's 40 days whole, a dozen windows per view. */
export function tinyStartDate(): string {
  return new Date(Date.now() - 50 * 86_400_000).toISOString().slice(0, 10);
}

/** Every mailbox and every day of the preset: local domains included, from tinyStartDate(). */
export function tinyPassSettings(h: WorkerHarness, overrides: SettingsLayer = {}): SourceSettings {
  const layer = mergeSettings(
    { domains: { includeLocal: true }, messages: { startDate: tinyStartDate() } },
    overrides,
  );
  return h.settings(layer as Parameters<WorkerHarness['settings']>[0]);
}

/** The preset's addresses by local part ('alice', 'bob', 'carol'), as the simulator spells them. */
export function presetAddresses(h: WorkerHarness, ...locals: string[]): string[] {
  const all = h.sim.control.mailboxes();
  return locals.map((local) => all.find((a) => a.startsWith(`${local}@`))!);
}

/** Starts the source's pass workflow as a client would, with test tuning. */
export function startPass(
  h: WorkerHarness,
  settings: SourceSettings,
  tuning: PassTuning,
): Promise<WorkflowHandle> {
  return h.client.workflow.start('crawlArchive', {
    taskQueue: h.taskQueue,
    workflowId: passWorkflowId(h.sourceId),
    args: [{ settings, tuning } satisfies CrawlArchiveInput],
  });
}
