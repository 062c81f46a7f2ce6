// One fault case's proof, shared by every fault file: run (or wait for) a pass, then the exact-index
// comparison and the secret scan, with enough detail in the failure message to see what went wrong.
import type { WorkflowHandle } from '@temporalio/client';
import type { CrawlArchiveResult } from '../../common/contracts';
import type { RunningSimulator } from '../../simulator';
import {
  actualIndex,
  compareIndex,
  expectedAttachments,
  expectedIndex,
  scanForSecrets,
  type IndexComparison,
  type SecretFindings,
} from './fault-checks';
import type { FaultEnvironment, FaultSource } from './fault-environment';

export interface FaultOutcome {
  result: CrawlArchiveResult;
  comparison: IndexComparison;
  expectedIndexed: number;
  expectedFailed: number;
  failures: Map<string, { reason: string; kind: string }>;
  secrets: SecretFindings;
}

/** Waits for the pass, then compares the index with the simulator and scans for secrets. */
export async function verifyPass(
  env: FaultEnvironment,
  sim: RunningSimulator,
  source: FaultSource,
  handle: WorkflowHandle,
  timeoutMs: number,
): Promise<FaultOutcome> {
  const result = await env.result(handle, timeoutMs);
  const expected = expectedIndex(sim, source.settings);
  // Only messages that are indexed can be checked for their attachments; a missing one is reported as such.
  expected.attachments = await expectedAttachments(sim, source.settings, expected.indexed);
  const actual = await actualIndex(env.es, source.settings);
  const secrets = await scanForSecrets({
    sim,
    client: env.client,
    es: env.es,
    settings: source.settings,
    logs: env.logs(),
  });
  return {
    result,
    comparison: compareIndex(expected, actual),
    expectedIndexed: expected.indexed.size,
    expectedFailed: expected.failed.size,
    failures: actual.failed,
    secrets,
  };
}

/** Trims the comparison lists for a readable assertion message. */
export function summary(c: IndexComparison): Record<keyof IndexComparison, string[] | number> {
  const cut = (l: string[]) => (l.length > 5 ? [...l.slice(0, 5), `… ${l.length} in all`] : l);
  return {
    missing: cut(c.missing),
    unexpected: cut(c.unexpected),
    missingAttachments: cut(c.missingAttachments),
    unexpectedAttachments: cut(c.unexpectedAttachments),
    duplicates: cut(c.duplicates),
    failuresNotRecorded: cut(c.failuresNotRecorded),
  };
}

export const NOTHING_WRONG = {
  missing: [],
  unexpected: [],
  missingAttachments: [],
  unexpectedAttachments: [],
  duplicates: [],
  failuresNotRecorded: [],
};
