// Writes a prebuilt workflow bundle (Temporal's recommended production setup): a worker started
// with WORKFLOW_BUNDLE_PATH loads it instead of running webpack at start-up, which costs start time
// and RSS the process never gives back (BENCHMARKS.md).
import { bundleWorkflowCode } from '@temporalio/worker';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { DEFAULT_WORKFLOWS_PATH } from './main';

export async function writeWorkflowBundle(target: string): Promise<string> {
  const bundle = await bundleWorkflowCode({ workflowsPath: DEFAULT_WORKFLOWS_PATH });
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, bundle.code);
  return target;
}
